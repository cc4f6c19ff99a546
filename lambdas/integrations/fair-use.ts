import { AppError } from '../core/errors';
import type { RateLimit } from '../core/token-bucket';

/** The requests that cost us (and the customer) real work: role tests reach STS, syncs walk. */
export type ExpensiveRequest = 'role-test' | 'sync';

/** Each tenant's share of the expensive requests, and of integrations. */
export interface FairUseLimits {
  /** Role tests a minute: test-connection, a create, a PATCH with new roles, `/test`. */
  readonly roleTestsPerMinute: number;
  /** `/sync` requests a minute. */
  readonly syncsPerMinute: number;
  /** Integrations a tenant may hold. */
  readonly maxIntegrations: number;
}

/**
 * Each tenant's requests of any kind: a second, sustained, and at once. The deployed default
 * tier, and the local gateway's: a person clicking never meets it, a script looping does.
 */
export const DEFAULT_TENANT_REQUESTS = { requestsPerSecond: 25, requestBurst: 50 } as const;

export const DEFAULT_FAIR_USE: FairUseLimits = {
  roleTestsPerMinute: 30,
  syncsPerMinute: 30,
  maxIntegrations: 100,
};

/** A per-tenant budget of one kind of request; null when granted, else how long to wait. */
export interface RequestBudget {
  take(tenantId: string): Promise<{ readonly retryAfterSeconds: number } | null>;
}

/** A minute's allowance as a token bucket: the rate spread evenly, a third of it at once. */
export function perMinute(count: number): RateLimit {
  return { rate: count / 60, burst: Math.max(1, Math.ceil(count / 3)) };
}

export class RateLimitedError extends AppError {
  constructor(request: ExpensiveRequest, retryAfterSeconds: number) {
    const what = request === 'role-test' ? 'role tests' : 'sync requests';
    super('RATE_LIMITED', `This tenant has made too many ${what} for now.`, {
      hint: `Try again in ${retryAfterSeconds} s. Each tenant has a budget of ${what} a minute.`,
      retryAfterSeconds,
    });
  }
}

/** Spends one expensive request of the tenant's budget, or refuses it with 429 `RATE_LIMITED`. */
export function makeFairUse(budgets: Readonly<Record<ExpensiveRequest, RequestBudget>>) {
  return {
    async spend(tenantId: string, request: ExpensiveRequest): Promise<void> {
      const refused = await budgets[request].take(tenantId);
      if (refused) throw new RateLimitedError(request, refused.retryAfterSeconds);
    },
  };
}

export type FairUse = ReturnType<typeof makeFairUse>;
