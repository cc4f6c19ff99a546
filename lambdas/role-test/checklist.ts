import type { RoleCheck, RoleTestReport, RoleTestRequest } from '../../schemas/api/role-test';
import { AppError } from '../core/errors';
import { logger } from '../core/logger';

type RoleField = RoleCheck['role'];
type CheckName = RoleCheck['check'];

/** Records each check's outcome in order; the first failure ends the test and skips the rest. */
export class Checklist {
  private readonly checks: RoleCheck[];

  constructor(
    private readonly kind: RoleTestRequest['kind'],
    planned: Array<[RoleField, CheckName]>,
  ) {
    this.checks = planned.map(([role, check]) => ({
      role,
      check,
      status: 'skipped',
      message: 'Not reached.',
    }));
  }

  async run<T>(
    role: RoleField,
    check: CheckName,
    body: () => Promise<{ value: T; message: string; status?: 'warning' }>,
  ): Promise<T> {
    const index = this.checks.findIndex((entry) => entry.role === role && entry.check === check);
    try {
      const { value, message, status = 'passed' } = await body();
      this.checks[index] = { role, check, status, message };
      return value;
    } catch (error: unknown) {
      // Only a verdict about the role fails the test; throttling and outages stay retryable errors.
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 429) throw error;
      // A check's own findings (the denied actions) stay with it, and with the error.
      const details = error.details as RoleCheck['details'];
      this.checks[index] = {
        role,
        check,
        status: 'failed',
        message: error.message,
        code: error.code,
        hint: error.hint,
        ...(details === undefined ? {} : { details }),
      };
      const report = this.finish({
        accountId: null,
        partition: null,
        organization: null,
        templateVersion: null,
        outdated: null,
        updateUrl: null,
      });
      logger.info('role test failed', { kind: this.kind, check, code: error.code });
      throw new AppError(error.code, error.message, {
        hint: error.hint,
        details: { ...details, report },
        cause: error,
      });
    }
  }

  finish(found: Omit<RoleTestReport, 'ok' | 'kind' | 'checks'>): RoleTestReport {
    const ok = this.checks.every((check) => check.status === 'passed' || check.status === 'warning');
    return { ok, kind: this.kind, ...found, checks: [...this.checks] };
  }
}
