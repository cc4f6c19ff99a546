import { createHash } from 'node:crypto';
import {
  type AccessLevel,
  type ConsumerPolicy,
  type CredentialAnswer,
  type CredentialGrant,
  type CredentialRefusal,
  type CredentialRequest,
  credentialRequestSchema,
} from '../../schemas/credentials';
import { fieldIssuesOf } from '../core/errors';
import { logger } from '../core/logger';
import { SessionCache } from '../core/session-cache';
import type { TenantScope } from '../core/tenant-context';
import { regionsOf } from '../domain/connection-regions';
import { parseRoleArn, type RoleArn, type RoleArnRules } from '../domain/role-arn';
import { RoleRefusedError } from '../ports/customer-roles';
import { AssertionInvalidError, type AssertionVerifier, type WorkspaceAssertion } from './assertion';
import type {
  ConnectionDirectory,
  ConnectionLocator,
  ConnectionRecord,
  SessionIssuerPort,
  StsBudgetPort,
} from './ports';
import {
  asRefusal,
  CredentialsRefusedError,
  notFound,
  ofOlderTemplate,
  requireShared,
  requireUsable,
  roleArnFor,
  roleNotAssumable,
} from './refusals';
import { type CachedSession, ExpiringSet, sessionCacheKey } from './session-cache';

/**
 * Who invoked the broker. Deployed, IAM proves it: each consumer invokes its own alias of the
 * function, which only its principal may invoke. Locally there is no IAM, so nobody is proven.
 */
export type BrokerCaller =
  | { readonly verified: true; readonly consumer: string | null }
  | { readonly verified: false };

/**
 * Who invoked: the alias in the invoked ARN (`…:function:<name>:<alias>`), when it is a
 * configured consumer's. An unqualified or other invocation proves nobody.
 */
export function callerOf(
  context: { readonly invokedFunctionArn: string },
  identity: 'alias' | 'none',
  consumers: readonly string[],
): BrokerCaller {
  if (identity === 'none') return { verified: false };
  const alias = context.invokedFunctionArn.split(':')[7];
  return { verified: true, consumer: alias !== undefined && consumers.includes(alias) ? alias : null };
}

export interface BrokerMetrics {
  count(metric: 'CredentialsIssued' | 'CredentialsRefused', dimensions: Record<string, string>): void;
}

/** The broker's view of the table, for one tenant. */
export interface BrokerTables {
  readonly directory: ConnectionDirectory;
  readonly budget: StsBudgetPort;
}

export interface CredentialsBrokerDeps {
  /** The configured consumers: nobody else is answered. */
  readonly consumers: readonly ConsumerPolicy[];
  /** Verifies workspace assertions; null only when no consumer needs one. */
  readonly assertions: AssertionVerifier | null;
  /** The tables of the tenant a request names, confined to it where IAM can confine them. */
  readonly tables: TenantScope<BrokerTables>;
  readonly issuer: SessionIssuerPort;
  readonly roleRules: RoleArnRules;
  readonly metrics: BrokerMetrics;
  readonly cache?: SessionCache<CachedSession>;
  readonly clock?: () => number;
}

/** How long a role of an older template that refused a SourceIdentity and tags is asked without them. */
const OLDER_ROLE_MEMORY_MS = 60 * 60 * 1000;

const MAX_SESSION_NAME = 64;

/**
 * The session name in the customer's CloudTrail: consumer, workspace and tenant, each already in
 * the alphabet STS allows (`[\w+=,.@-]`). Past 64 characters it is cut, and a hash of the whole
 * keeps two long names apart.
 */
export function sessionNameOf(consumer: string, workspaceId: string, tenantId: string): string {
  const full = `${consumer}@${workspaceId}@${tenantId}`;
  if (full.length <= MAX_SESSION_NAME) return full;
  const digest = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_SESSION_NAME - digest.length - 1)}.${digest}`;
}

/**
 * The credentials broker: hands a platform service short-lived credentials for one connection,
 * for one workspace, when sharing allows it. Every answer is logged as one line and counted as
 * one metric; credentials and External IDs never are.
 */
export function makeCredentialsBroker(deps: CredentialsBrokerDeps) {
  const { tables, issuer, roleRules, metrics, assertions } = deps;
  const consumers = new Map(deps.consumers.map((consumer) => [consumer.name, consumer]));
  if (!assertions && deps.consumers.some((consumer) => consumer.assertion === 'required')) {
    throw new Error('A consumer needs workspace assertions, and no assertion issuer is configured.');
  }
  const clock = deps.clock ?? Date.now;
  const cache =
    deps.cache ??
    new SessionCache<CachedSession>({
      expiresAt: (session) => session.credentials.expiration.getTime(),
      clock,
    });
  const olderRoles = new ExpiringSet(clock, OLDER_ROLE_MEMORY_MS);

  async function locate(
    request: CredentialRequest,
    tenantId: string,
    directory: ConnectionDirectory,
  ): Promise<ConnectionLocator> {
    const ref = request.connection;
    const locator = 'handle' in ref ? await directory.findByHandle(tenantId, ref.handle) : ref;
    if (!locator) throw notFound();
    return locator;
  }

  /**
   * Assumes the role with SourceIdentity and the session tags. Only a role whose health check
   * found a template older than those (which cannot allow them) is asked again without them;
   * any other refusal, a customer's Deny on `sts:SourceIdentity` included, stays a refusal. A
   * role and consumer that were refused are asked plainly for an hour before they are tried
   * again, so an older role costs one AssumeRole a session, and its update is noticed within
   * the hour.
   */
  async function assume(
    request: CredentialRequest,
    asserted: WorkspaceAssertion,
    record: ConnectionRecord,
    role: RoleArn,
    budget: StsBudgetPort,
  ) {
    const { tenantId, workspaceId } = asserted;
    const base = {
      role,
      externalId: record.integration.externalId,
      sessionName: sessionNameOf(request.consumer, workspaceId, tenantId),
      durationSeconds: request.durationSeconds,
      ...(request.sessionPolicy ? { policy: JSON.stringify(request.sessionPolicy) } : {}),
    };
    const memory = `${role.arn} ${request.consumer}`;
    const knownOlder = olderRoles.knows(memory);
    if (!knownOlder) {
      await spend(budget, tenantId);
      try {
        const credentials = await issuer.issueSession({
          ...base,
          sourceIdentity: request.consumer,
          tags: { tenant: tenantId, workspace: workspaceId, consumer: request.consumer },
        });
        return { credentials, sourceIdentity: true };
      } catch (error: unknown) {
        if (!(error instanceof RoleRefusedError)) throw error;
        if (!ofOlderTemplate(record, role)) throw roleNotAssumable(record);
        logger.info('a role of an older template refused a SourceIdentity; trying once without it', {
          roleArn: role.arn,
          templateVersion: record.health?.templateVersion,
        });
      }
    }
    await spend(budget, tenantId);
    try {
      const credentials = await issuer.issueSession(base);
      if (!knownOlder) olderRoles.remember(memory);
      return { credentials, sourceIdentity: false };
    } catch (error: unknown) {
      if (error instanceof RoleRefusedError) throw roleNotAssumable(record);
      throw error;
    }
  }

  async function spend(budget: StsBudgetPort, tenantId: string): Promise<void> {
    const refused = await budget.take(tenantId);
    if (refused) {
      throw new CredentialsRefusedError(
        'UPSTREAM_THROTTLED',
        "This tenant's share of the platform's AWS STS quota is used up for now.",
        { hint: 'Retry after retryAfterSeconds.', retryAfterSeconds: refused.retryAfterSeconds },
      );
    }
  }

  /** The caller's consumer policy: only a configured consumer, and deployed only through its own alias. */
  function consumerOf(request: CredentialRequest, caller: BrokerCaller): ConsumerPolicy {
    const policy = consumers.get(request.consumer);
    if (!policy || (caller.verified && caller.consumer !== request.consumer)) {
      throw new CredentialsRefusedError('CONSUMER_NOT_ALLOWED', 'The caller may not ask as this consumer.', {
        hint: 'Invoke the alias named after your consumer, with that name as `consumer`; each alias admits only its configured principal.',
      });
    }
    return policy;
  }

  /**
   * The tenant and workspace the platform signed for, which must be the request's. Checked
   * before anything is read or assumed. A consumer configured without assertions is taken at
   * its word.
   */
  async function assertedWorkspace(
    request: CredentialRequest,
    policy: ConsumerPolicy,
  ): Promise<WorkspaceAssertion> {
    const named = { tenantId: request.tenantId, workspaceId: request.workspaceId };
    if (policy.assertion === 'not-required' || !assertions) return named;
    let asserted: WorkspaceAssertion;
    try {
      asserted = await assertions(request.assertion);
    } catch (error: unknown) {
      if (!(error instanceof AssertionInvalidError)) throw error;
      throw new CredentialsRefusedError('ASSERTION_INVALID', error.message, {
        hint: "Send `assertion`: a JWT from the platform's issuer for the broker's audience, naming `tenant` and `workspace`, valid now, living at most an hour.",
        details: { check: error.check },
      });
    }
    if (asserted.tenantId !== named.tenantId || asserted.workspaceId !== named.workspaceId) {
      throw new CredentialsRefusedError(
        'ASSERTION_MISMATCH',
        'The workspace assertion names another tenant or workspace than the request.',
        { hint: 'Ask for the tenant and workspace the assertion names, or get an assertion for these.' },
      );
    }
    return asserted;
  }

  async function grant(request: CredentialRequest, caller: BrokerCaller): Promise<CredentialGrant> {
    const policy = consumerOf(request, caller);
    const asserted = await assertedWorkspace(request, policy);
    if (!(policy.access as readonly AccessLevel[]).includes(request.access)) {
      throw new CredentialsRefusedError(
        'ACCESS_LEVEL_NOT_ALLOWED',
        `The consumer ${policy.name} may not ask for ${request.access} access.`,
        {
          hint: `It may ask for: ${policy.access.join(', ')}. The platform's operators set this per consumer.`,
        },
      );
    }
    const { tenantId, workspaceId } = asserted;
    const { directory, budget } = await tables(tenantId);
    const locator = await locate(request, tenantId, directory);
    const record = await directory.read(tenantId, locator, workspaceId);
    if (!record) throw notFound();
    requireShared(record, workspaceId);
    requireUsable(record);
    const role = parseRoleArn(roleArnFor(record, request.access), roleRules);
    const { session, cached } = await cache.getOrCreate(
      sessionCacheKey({
        tenantId,
        integrationId: locator.integrationId,
        roleArn: role.arn,
        externalId: record.integration.externalId,
        access: request.access,
        consumer: request.consumer,
        workspaceId,
        durationSeconds: request.durationSeconds,
        policy: request.sessionPolicy ? JSON.stringify(request.sessionPolicy) : null,
      }),
      (): Promise<CachedSession> => assume(request, asserted, record, role, budget),
    );
    const { connection, integration } = record;
    return {
      credentials: { ...session.credentials, expiration: session.credentials.expiration.toISOString() },
      integrationId: integration.id,
      accountId: connection.id,
      roleArn: role.arn,
      partition: role.partition,
      regions: regionsOf(connection, record.health).effectiveRegions,
      connectionHandle: connection.handle,
      access: request.access,
      cached,
      sourceIdentity: session.sourceIdentity,
    };
  }

  return {
    /** Answers one Invoke payload: credentials, or a refusal with its code. Never throws. */
    async answer(payload: unknown, caller: BrokerCaller): Promise<CredentialAnswer> {
      const parsed = credentialRequestSchema.safeParse(payload);
      if (!parsed.success) {
        const issues = fieldIssuesOf(parsed.error);
        return refusal(
          new CredentialsRefusedError('VALIDATION_FAILED', 'The request is invalid.', {
            details: { issues },
          }),
          {},
        );
      }
      const request = parsed.data;
      const story = {
        tenantId: request.tenantId,
        workspaceId: request.workspaceId,
        connection:
          'handle' in request.connection
            ? request.connection.handle
            : `${request.connection.integrationId}/${request.connection.accountId}`,
        consumer: request.consumer,
        access: request.access,
      };
      try {
        const granted = await grant(request, caller);
        logger.info('credentials issued', {
          ...story,
          cached: granted.cached,
          sourceIdentity: granted.sourceIdentity,
          expiration: granted.credentials.expiration,
        });
        metrics.count('CredentialsIssued', { cached: String(granted.cached) });
        return granted;
      } catch (error: unknown) {
        return refusal(asRefusal(error), story);
      }
    },
  };

  function refusal(error: CredentialsRefusedError, story: Record<string, unknown>): CredentialRefusal {
    logger.info('credentials refused', { ...story, cached: false, code: error.code });
    metrics.count('CredentialsRefused', { code: error.code });
    const { hint, retryAfterSeconds, details } = error.options;
    return {
      error: {
        code: error.code,
        message: error.message,
        ...(hint === undefined ? {} : { hint }),
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
        ...(details === undefined ? {} : { details }),
      },
    };
  }
}

export type CredentialsBroker = ReturnType<typeof makeCredentialsBroker>;
