import * as z from 'zod';
import { accountIdSchema, partitionSchema } from './api/common';
import { consumerPolicySchema } from './credentials';
import { EVENT_SOURCE } from './event-source';

/** A comma-separated list. */
function commaList() {
  return z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    );
}

/**
 * Every environment variable our functions read, and how each is read. The stack writes the
 * functions' environments with these names (a misspelled one does not compile), the local
 * runtime sets them, and each handler reads the ones it needs through `envSchema`. Each entry
 * builds its schema when asked: a function builds only the schemas of the variables it reads,
 * since building zod schemas is a measurable part of a cold start.
 */
export const ENVIRONMENT = {
  TABLE_NAME: () => z.string().min(1),
  /** The platform's account: customer roles trust it, and only it. */
  TRUSTED_ACCOUNT_ID: () => accountIdSchema,
  /** The partition this deployment runs in. */
  PARTITION: () => partitionSchema,
  /** Partitions whose roles may be registered, comma-separated. */
  ALLOWED_PARTITIONS: () => commaList().pipe(z.array(partitionSchema).min(1)),
  STATE_MACHINE_ARN: () => z.string().min(1),
  /** How often every integration is synced on schedule. */
  SYNC_INTERVAL_SECONDS: () => z.coerce.number().int().min(1),
  /** Syncs the schedule lets run at once, its own and others. */
  MAX_CONCURRENT_SYNCS: () => z.coerce.number().int().min(1),
  /** The share of the customer's Organizations rate limits a sync uses; the engine's default when unset. */
  ORG_API_RATE_FRACTION: () => z.coerce.number().gt(0).max(1).optional(),
  /** Each tenant's budgets of expensive requests, and its most integrations. */
  FAIR_USE_ROLE_TESTS_PER_MINUTE: () => z.coerce.number().int().min(1).optional(),
  FAIR_USE_SYNCS_PER_MINUTE: () => z.coerce.number().int().min(1).optional(),
  MAX_INTEGRATIONS_PER_TENANT: () => z.coerce.number().int().min(1).optional(),
  /** How often every member role is checked when nothing changes; a day when unset. */
  MEMBER_CHECK_INTERVAL_SECONDS: () => z.coerce.number().int().min(3600).optional(),
  /** How long audit entries are kept; 400 days when unset. */
  AUDIT_RETENTION_DAYS: () => z.coerce.number().int().min(1).max(3650).optional(),
  TEMPLATES_DIR: () => z.string().min(1),
  /**
   * The platform's own roles that assume customer roles, comma-separated. Templates and
   * quick-create links name them, so a customer's trust admits those roles alone. Empty: any
   * principal of the platform's account, with the External ID.
   */
  PLATFORM_PRINCIPAL_ARNS: () => commaList().pipe(z.array(z.string().startsWith('arn:'))),
  /** Where customers download the templates from, ending with `/`. */
  TEMPLATES_BASE_URL: () => z.url().endsWith('/'),
  INGRESS_BUS_ARN: () => z.string().startsWith('arn:'),
  CONNECTIONS_BUS_NAME: () => z.string().min(1),
  /** The connection-change events' `source`. */
  EVENT_SOURCE: () => z.string().min(1).default(EVENT_SOURCE),
  AUTH_ISSUER: () => z.url(),
  AUTH_JWKS_URI: () => z.url(),
  AUTH_AUDIENCE: () => z.string().min(1),
  /** The token claims that carry the tenant, the platform organizations and the roles. */
  CLAIM_TENANT: () => z.string().min(1),
  CLAIM_ORG_IDS: () => z.string().min(1),
  CLAIM_ROLES: () => z.string().min(1),
  /**
   * The API's usage plan of each tenant's request limits: the authorizer enrols each tenant's
   * API key in it. Unset locally, where the local gateway keeps the same limits itself.
   */
  USAGE_PLAN_NAME: () => z.string().min(1).optional(),
  /** Browser origins allowed by CORS, comma-separated; none when empty. */
  CORS_ALLOWED_ORIGINS: () => commaList(),
  /**
   * `alias`: deployed, each consumer invokes the alias named after it, which only its principal
   * may invoke, so the alias proves who calls. `none`: locally, where there is no IAM.
   */
  CONSUMER_IDENTITY: () => z.enum(['alias', 'none']).default('alias'),
  /**
   * The configured consumers, as JSON: each one's name (the only aliases that identify a
   * caller), the access levels it may ask for, and whether it must send a workspace assertion.
   */
  CREDENTIAL_CONSUMERS: () =>
    z
      .string()
      .default('[]')
      .transform((json, ctx) => {
        try {
          return JSON.parse(json) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON array' });
          return z.NEVER;
        }
      })
      .pipe(z.array(consumerPolicySchema)),
  /**
   * Who signs the workspace assertions the broker trusts: the issuer (`iss`), its key set, and
   * the broker's audience (`aud`). Unset when no consumer needs an assertion.
   */
  BROKER_ASSERTION_ISSUER: () => z.string().min(1).optional(),
  BROKER_ASSERTION_JWKS_URI: () => z.url().optional(),
  BROKER_ASSERTION_AUDIENCE: () => z.string().min(1).optional(),
  /**
   * Each tenant's share of the platform account's STS quota: AssumeRole calls a second, and
   * burst. The broker's defaults when unset.
   */
  STS_BUDGET_RATE: () => z.coerce.number().positive().optional(),
  STS_BUDGET_BURST: () => z.coerce.number().int().min(1).optional(),
  /**
   * The role an API function assumes for each tenant, tagged with the tenant, to reach the
   * table; its policy allows only that tenant's items. Unset in the local runtime, whose
   * DynamoDB Local checks no IAM: the function then uses its own credentials.
   */
  TENANT_TABLE_ROLE_ARN: () => z.string().startsWith('arn:').optional(),
} as const;

export type EnvName = keyof typeof ENVIRONMENT;

/** Variables the Lambda runtime and Powertools read, which the stack also sets. */
type RuntimeName =
  | 'NODE_OPTIONS'
  | 'POWERTOOLS_SERVICE_NAME'
  | 'POWERTOOLS_LOG_LEVEL'
  | 'POWERTOOLS_METRICS_NAMESPACE'
  | 'POWERTOOLS_TRACE_ENABLED';

/** A function's environment as the stack or the local runtime writes it. */
export type Environment = { readonly [K in EnvName | RuntimeName]?: string };

/** The schema a handler reads its environment with: these names, each read as listed above. */
export function envSchema<const N extends EnvName>(...names: readonly N[]) {
  return z.object(
    Object.fromEntries(names.map((name) => [name, ENVIRONMENT[name]()])) as {
      [K in N]: ReturnType<(typeof ENVIRONMENT)[K]>;
    },
  );
}

/** The values `envSchema(...names)` reads. */
export type EnvValues<N extends EnvName> = { [K in N]: z.infer<ReturnType<(typeof ENVIRONMENT)[K]>> };

/** What the functions that run or start syncs read. */
export const SYNC_ENV = [
  'TABLE_NAME',
  'TRUSTED_ACCOUNT_ID',
  'ALLOWED_PARTITIONS',
  'STATE_MACHINE_ARN',
] as const;
