import * as z from 'zod';
import {
  accountIdSchema,
  handleSchema,
  partitionSchema,
  regionSchema,
  tenantIdSchema,
  workspaceIdSchema,
} from './api/common';

/**
 * A platform service that may ask the broker for credentials. The name is also the Lambda alias
 * the service invokes, the SourceIdentity in the customer's CloudTrail and a session tag, so it
 * keeps to what all three accept.
 */
export const consumerNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,63}$/, 'must be 2–64 of a-z, 0-9 and -, starting with a letter');

/** STS takes at most 2,048 characters of session policy. */
const MAX_SESSION_POLICY_CHARACTERS = 2048;

/**
 * An IAM policy document that narrows the session: the credentials can do only what both the
 * role and this policy allow.
 */
export const sessionPolicySchema = z
  .looseObject({
    Version: z.literal('2012-10-17').optional(),
    Statement: z.array(z.record(z.string(), z.unknown())).min(1).max(20),
  })
  .refine(
    (policy) => JSON.stringify(policy).length <= MAX_SESSION_POLICY_CHARACTERS,
    `a session policy may hold at most ${MAX_SESSION_POLICY_CHARACTERS} characters as JSON`,
  );
export type SessionPolicy = z.infer<typeof sessionPolicySchema>;

/** Which connection: by its integration and account, or by its handle (unique in the tenant). */
export const connectionRefSchema = z.union([
  z.strictObject({ integrationId: z.uuid(), accountId: accountIdSchema }),
  z.strictObject({ handle: handleSchema }),
]);
export type ConnectionRef = z.infer<typeof connectionRefSchema>;

export const accessLevelSchema = z.enum(['read', 'write']);
export type AccessLevel = z.infer<typeof accessLevelSchema>;

/**
 * What one consumer may ask the broker for. `access`: the levels it may ask for, read alone or
 * read and write. `assertion`: whether each request must carry a workspace assertion the
 * platform signed; `not-required` trusts the payload's tenant and workspace, and is configured
 * only with a reason.
 */
export const consumerPolicySchema = z.strictObject({
  name: consumerNameSchema,
  access: z
    .union([z.tuple([z.literal('read')]), z.tuple([z.literal('read'), z.literal('write')])])
    .default(['read']),
  assertion: z.enum(['required', 'not-required']).default('required'),
});
export type ConsumerPolicy = z.infer<typeof consumerPolicySchema>;

/** A JWT of a few claims is well under 2 KB; anything far larger is not an assertion. */
const MAX_ASSERTION_CHARACTERS = 8192;

/** The broker's request: the JSON payload of a Lambda Invoke. */
export const credentialRequestSchema = z.strictObject({
  tenantId: tenantIdSchema,
  workspaceId: workspaceIdSchema,
  connection: connectionRefSchema,
  consumer: consumerNameSchema,
  access: accessLevelSchema.default('read'),
  /** STS sessions last 900 s at least; a session chained from Lambda's own lasts at most an hour. */
  durationSeconds: z.number().int().min(900).max(3600).default(900),
  sessionPolicy: sessionPolicySchema.optional(),
  /**
   * The workspace assertion: a JWT the platform signed, naming this tenant and workspace, for the
   * broker's audience. Every consumer sends one, unless it is configured not to need it.
   */
  assertion: z.string().min(1).max(MAX_ASSERTION_CHARACTERS).optional(),
});
export type CredentialRequest = z.infer<typeof credentialRequestSchema>;
export type CredentialRequestInput = z.input<typeof credentialRequestSchema>;

export const awsCredentialsSchema = z.object({
  accessKeyId: z.string(),
  secretAccessKey: z.string(),
  sessionToken: z.string(),
  expiration: z.iso.datetime(),
});
export type AwsCredentials = z.infer<typeof awsCredentialsSchema>;

/** The broker's answer when it issues credentials. */
export const credentialGrantSchema = z.object({
  credentials: awsCredentialsSchema,
  integrationId: z.uuid(),
  accountId: accountIdSchema,
  roleArn: z.string(),
  partition: partitionSchema,
  /** The connection's effective regions. */
  regions: z.array(regionSchema),
  connectionHandle: z.string(),
  access: accessLevelSchema,
  /** True when the session came from the broker's memory instead of a new AssumeRole. */
  cached: z.boolean(),
  /**
   * False when the role (deployed from an older template) refused a SourceIdentity and session
   * tags, and the session was issued without them.
   */
  sourceIdentity: z.boolean(),
});
export type CredentialGrant = z.infer<typeof credentialGrantSchema>;

/** Every code the broker answers with, and when. The error table of docs/api.md lists them. */
export const CREDENTIAL_ERROR_CODES = [
  'VALIDATION_FAILED',
  'CONSUMER_NOT_ALLOWED',
  'ASSERTION_INVALID',
  'ASSERTION_MISMATCH',
  'ACCESS_LEVEL_NOT_ALLOWED',
  'CONNECTION_NOT_FOUND',
  'NOT_SHARED',
  'CONNECTION_DISABLED',
  'ACCESS_LEVEL_NOT_AVAILABLE',
  'ROLE_NOT_ASSUMABLE',
  'UPSTREAM_THROTTLED',
  'UPSTREAM_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;
export const credentialErrorCodeSchema = z.enum(CREDENTIAL_ERROR_CODES);
export type CredentialErrorCode = z.infer<typeof credentialErrorCodeSchema>;

/** The broker's answer when it refuses. `retryAfterSeconds` comes with the retryable codes. */
export const credentialRefusalSchema = z.object({
  error: z.object({
    code: credentialErrorCodeSchema,
    message: z.string(),
    hint: z.string().optional(),
    retryAfterSeconds: z.number().int().min(1).optional(),
    details: z.unknown().optional(),
  }),
});
export type CredentialRefusal = z.infer<typeof credentialRefusalSchema>;

export const credentialAnswerSchema = z.union([credentialGrantSchema, credentialRefusalSchema]);
export type CredentialAnswer = z.infer<typeof credentialAnswerSchema>;

/**
 * Each tenant's default share of the platform account's STS quota (about 600 calls a second for
 * every caller together): AssumeRole calls a second, sustained, and the burst.
 */
export const DEFAULT_STS_BUDGET = { rate: 20, burst: 40 } as const;
