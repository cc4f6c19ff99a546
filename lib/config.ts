import * as z from 'zod';
import { DEFAULT_TENANT_REQUESTS } from '../lambdas/integrations/fair-use';
import { consumerPolicySchema, DEFAULT_STS_BUDGET } from '../schemas/credentials';

/**
 * The IAM role (or user) that may invoke the broker as one consumer. Never an account root: that
 * would let every principal the account's policies allow ask as the consumer.
 */
const principalArnSchema = z
  .string()
  .refine((arn) => !/^arn:[\w-]+:iam::\d{12}:root$/.test(arn), {
    message: "must be a role's ARN, not an account root: a root admits every principal of the account",
  })
  .regex(
    /^arn:aws(-us-gov|-cn)?:iam::\d{12}:(role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/,
    'must be the ARN of an IAM role (or an IAM user)',
  );

/** An address the deployment fetches keys from or trusts tokens of: https only. */
const httpsUrlSchema = z.url({ protocol: /^https$/, error: 'must be an https URL' });

/**
 * One platform service that may ask the broker for credentials: its name (the alias it invokes),
 * its principal, the access levels it may ask for (`["read"]` by default), and whether it must
 * send a workspace assertion (`required` by default; `not-required` only with a `reason`).
 */
const credentialConsumerSchema = consumerPolicySchema
  .extend({ principalArn: principalArnSchema, reason: z.string().min(10).optional() })
  .refine((consumer) => consumer.assertion === 'required' || consumer.reason !== undefined, {
    message: 'a consumer configured with assertion "not-required" needs a reason',
    path: ['reason'],
  });

const claimNamesSchema = z.strictObject({
  tenant: z.string().min(1),
  orgIds: z.string().min(1),
  roles: z.string().min(1),
});

/** Claim names in Cognito ID tokens: custom attributes carry a `custom:` prefix, groups are roles. */
const COGNITO_CLAIMS = { tenant: 'custom:tenant_id', orgIds: 'custom:org_ids', roles: 'cognito:groups' };
/** Claim names of an external issuer, by default. */
const ISSUER_CLAIMS = { tenant: 'tenant_id', orgIds: 'org_ids', roles: 'roles' };

const authSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('cognito'),
    claims: claimNamesSchema.default(COGNITO_CLAIMS),
  }),
  z.strictObject({
    mode: z.literal('issuer'),
    issuer: httpsUrlSchema,
    /** @default `<issuer>/.well-known/jwks.json` */
    jwksUri: httpsUrlSchema.optional(),
    /**
     * The `aud` every token must carry. Required: without it, a token the issuer minted for any
     * other application of the same tenant would pass.
     */
    audience: z.string().min(1),
    claims: claimNamesSchema.default(ISSUER_CLAIMS),
  }),
]);

/**
 * Deployment settings, read from the `orgConnections` key of cdk.json's context. Every field
 * has a default, so a plain `npx cdk synth` works.
 */
export const deploymentConfigSchema = z
  .strictObject({
    /** Prefix of every stack name. */
    stackPrefix: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,40}$/)
      .default('OrgConnections'),
    /** The platform account customers' roles trust. @default the account the stack is deployed to */
    trustedAccountId: z
      .string()
      .regex(/^\d{12}$/)
      .optional(),
    /** Partitions whose role ARNs are accepted. */
    allowedPartitions: z
      .array(z.enum(['aws', 'aws-us-gov', 'aws-cn']))
      .min(1)
      .default(['aws']),
    /** How often every integration is re-synced by the schedule. */
    syncIntervalHours: z.number().int().min(1).max(24).default(6),
    /** Syncs (of any trigger) that may run at once; the schedule starts none beyond this. */
    maxConcurrentSyncs: z.number().int().min(1).max(1000).default(100),
    /**
     * Each tenant's share: budgets of the requests that reach STS or start syncs (over budget
     * answers 429 RATE_LIMITED with Retry-After), and the integrations it may hold.
     */
    fairUse: z
      .strictObject({
        roleTestsPerMinute: z.number().int().min(1).max(6000).default(30),
        syncsPerMinute: z.number().int().min(1).max(6000).default(30),
        maxIntegrationsPerTenant: z.number().int().min(1).max(10_000).default(100),
        /**
         * Every request of a tenant, on every route: API Gateway's usage plan (the default tier)
         * throttles each tenant under its own key, so one tenant's flood is that tenant's 429s.
         */
        requestsPerSecond: z.number().min(1).max(10_000).default(DEFAULT_TENANT_REQUESTS.requestsPerSecond),
        requestBurst: z.number().int().min(1).max(5000).default(DEFAULT_TENANT_REQUESTS.requestBurst),
      })
      .default({
        roleTestsPerMinute: 30,
        syncsPerMinute: 30,
        maxIntegrationsPerTenant: 100,
        ...DEFAULT_TENANT_REQUESTS,
      }),
    /**
     * Lambda concurrency reserved per function: the authorizer and each API function keep their
     * share whatever the background work does, and the router and the sync workers cannot take
     * more than theirs. The sum must leave the account at least 100 unreserved.
     */
    concurrency: z
      .strictObject({
        authorizer: z.number().int().min(1).max(1000).default(20),
        api: z.number().int().min(1).max(1000).default(10),
        router: z.number().int().min(1).max(1000).default(10),
        syncWorkers: z.number().int().min(1).max(1000).default(100),
      })
      .default({ authorizer: 20, api: 10, router: 10, syncWorkers: 100 }),
    /** The share of the customer's Organizations API rate limits a sync may use. */
    orgApiRateFraction: z.number().gt(0).max(1).default(0.5),
    auth: authSchema.default({ mode: 'cognito', claims: COGNITO_CLAIMS }),
    /**
     * Browser origins allowed by CORS; none by default, so no web page of another origin may call
     * the API. `*` only together with `allowAnyOrigin: true`.
     */
    corsAllowedOrigins: z.array(z.string().min(1)).default([]),
    /** Says that CORS `*` is meant: any web page may then call the API with a user's token. */
    allowAnyOrigin: z.boolean().default(false),
    logRetentionDays: z
      .union([z.literal(7), z.literal(14), z.literal(30), z.literal(90), z.literal(180), z.literal(365)])
      .default(30),
    /** Where alarms are sent; no subscription when absent. */
    alarmEmail: z.email().optional(),
    /**
     * How often every member role is checked when nothing changes. A sync that creates
     * connections, or a whole-organization sync that changes any, checks them sooner.
     */
    memberCheckIntervalHours: z.number().int().min(1).max(168).default(24),
    /**
     * X-Ray subsegments for every AWS call, with the tenant, integration and run as annotations.
     * Lambda, API Gateway and Step Functions trace each request either way. Off by default: the
     * X-Ray SDK behind this detail adds about 30 ms to every function's cold start.
     */
    traceAwsCalls: z.boolean().default(false),
    /** How long the audit log keeps each entry (the table's TTL removes it after). */
    auditRetentionDays: z.number().int().min(1).max(3650).default(400),
    /**
     * The platform services that may ask the credentials broker for credentials. Each gets a
     * Lambda alias named after it that only its principal may invoke, and must ask as that name.
     */
    credentialConsumers: z
      .array(credentialConsumerSchema)
      .max(50)
      .default([])
      .refine(
        (consumers) => new Set(consumers.map((consumer) => consumer.name)).size === consumers.length,
        'consumer names must not repeat',
      ),
    /** Each tenant's share of the platform account's STS quota, spent by the credentials broker. */
    credentialsStsBudget: z
      .strictObject({
        /** AssumeRole calls a second, sustained. */
        rate: z.number().gt(0).max(500),
        burst: z.number().int().min(1).max(1000),
      })
      .default(DEFAULT_STS_BUDGET),
    /**
     * Who signs the workspace assertions the broker trusts: the platform's issuer (`iss`), its key
     * set, and the broker's audience (`aud`). Required when a consumer needs assertions.
     */
    brokerAssertions: z
      .strictObject({ issuer: httpsUrlSchema, jwksUri: httpsUrlSchema, audience: z.string().min(1) })
      .optional(),
    /**
     * The web console, on CloudFront with the API behind it. On by default with Cognito, whose
     * hosted UI it signs in with (`signInDomainPrefix` names the domain; by default
     * `<stackPrefix>-<account>` in lower case). With an external issuer it is off until `signIn`
     * names the platform's OpenID Connect endpoints and a public client (code flow with PKCE)
     * whose ID tokens carry the authorizer's audience.
     */
    console: z
      .strictObject({
        enabled: z.boolean().optional(),
        signInDomainPrefix: z
          .string()
          .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and inner hyphens')
          .refine((prefix) => !/aws|amazon|cognito/.test(prefix), 'Cognito refuses aws, amazon and cognito')
          .optional(),
        signIn: z
          .strictObject({
            authorizeUrl: httpsUrlSchema,
            tokenUrl: httpsUrlSchema,
            logoutUrl: httpsUrlSchema.optional(),
            clientId: z.string().min(1),
            scopes: z.array(z.string().min(1)).min(1).default(['openid', 'email', 'profile']),
          })
          .optional(),
      })
      .default({}),
  })
  .refine(
    (config) => config.auth.mode === 'cognito' || config.console.enabled !== true || config.console.signIn,
    {
      message: "With an external issuer, the console needs console.signIn: the platform's sign-in endpoints",
      path: ['console', 'signIn'],
    },
  )
  .refine((config) => config.allowAnyOrigin || !config.corsAllowedOrigins.includes('*'), {
    message: 'CORS "*" lets any web page call the API: name the origins, or set allowAnyOrigin: true',
    path: ['corsAllowedOrigins'],
  })
  .refine(
    (config) =>
      config.brokerAssertions !== undefined ||
      config.credentialConsumers.every((consumer) => consumer.assertion === 'not-required'),
    {
      message: 'a consumer needs workspace assertions: set brokerAssertions {issuer, jwksUri, audience}',
      path: ['brokerAssertions'],
    },
  );

export type DeploymentConfig = z.infer<typeof deploymentConfigSchema>;
export type AuthConfig = DeploymentConfig['auth'];

export const CONFIG_CONTEXT_KEY = 'orgConnections';

/** Parses the context value, failing synth with every problem named. */
export function parseDeploymentConfig(context: unknown): DeploymentConfig {
  const result = deploymentConfigSchema.safeParse(fromCommandLine(context) ?? {});
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${[CONFIG_CONTEXT_KEY, ...issue.path].join('.')}: ${issue.message}`,
    );
    throw new Error(`Invalid cdk.json context:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

/**
 * `cdk deploy -c 'orgConnections={…}'` hands the value over as a string: it is read as JSON.
 * cdk.json's context arrives as the object it is.
 */
function fromCommandLine(context: unknown): unknown {
  if (typeof context !== 'string') return context;
  try {
    return JSON.parse(context);
  } catch {
    throw new Error(
      `Invalid cdk.json context:\n  ${CONFIG_CONTEXT_KEY}: -c ${CONFIG_CONTEXT_KEY}=… must be JSON`,
    );
  }
}
