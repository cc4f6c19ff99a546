import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  type AccessLevel,
  type CredentialErrorCode,
  type CredentialRequestInput,
  credentialAnswerSchema,
  type SessionPolicy,
} from '../../schemas/credentials';
import { SessionCache } from '../core/session-cache';

/**
 * For platform services: an AWS SDK v3 credential provider for one connection's account,
 * backed by the credentials broker.
 *
 * ```ts
 * const s3 = new S3Client({
 *   region: 'eu-west-1',
 *   credentials: fromConnection({
 *     tenantId,
 *     workspaceId,
 *     handle: 'acme_prod',
 *     consumer: 'query-worker',
 *     assertion: () => platformSigner.workspaceAssertion(tenantId, workspaceId),
 *   }),
 * });
 * ```
 */
export type FromConnectionOptions = {
  readonly tenantId: string;
  readonly workspaceId: string;
  /** Your consumer name, as configured in `credentialConsumers`. */
  readonly consumer: string;
  /**
   * The platform's workspace assertion for this tenant and workspace, or a function that gets a
   * fresh one; it is called for each call to the broker, never cached here. Only a consumer
   * configured with `assertion: "not-required"` may leave it out.
   */
  readonly assertion?: string | (() => Promise<string>);
  /** @default "read" */
  readonly access?: AccessLevel;
  /** @default 900 */
  readonly durationSeconds?: number;
  readonly sessionPolicy?: SessionPolicy;
  /**
   * The broker function's name or ARN, without a qualifier. @default the
   * ORG_CONNECTIONS_BROKER environment variable
   */
  readonly functionName?: string;
  /** @default a LambdaClient of the environment's region and credentials */
  readonly client?: LambdaClient;
} & ({ readonly handle: string } | { readonly integrationId: string; readonly accountId: string });

/** What the SDK calls for credentials; it calls again once they are about to expire. */
export type ConnectionCredentialProvider = () => Promise<ConnectionCredentials>;

export interface ConnectionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** The broker refused: `code` is one of its stable codes. */
export class ConnectionCredentialsError extends Error {
  constructor(
    readonly code: CredentialErrorCode,
    message: string,
    readonly hint?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ConnectionCredentialsError';
  }
}

/**
 * Invokes the broker through the consumer's own alias (`<function>:<consumer>`), which only that
 * consumer's principal may invoke. The credentials are reused until five minutes before they
 * expire; concurrent calls share one invocation.
 */
export function fromConnection(
  options: FromConnectionOptions,
  clock: () => number = Date.now,
): ConnectionCredentialProvider {
  const functionName = options.functionName ?? process.env.ORG_CONNECTIONS_BROKER;
  if (!functionName) throw new Error('fromConnection needs functionName (or ORG_CONNECTIONS_BROKER).');
  const client = options.client ?? new LambdaClient({});
  const request: CredentialRequestInput = {
    tenantId: options.tenantId,
    workspaceId: options.workspaceId,
    connection:
      'handle' in options
        ? { handle: options.handle }
        : { integrationId: options.integrationId, accountId: options.accountId },
    consumer: options.consumer,
    ...(options.access === undefined ? {} : { access: options.access }),
    ...(options.durationSeconds === undefined ? {} : { durationSeconds: options.durationSeconds }),
    ...(options.sessionPolicy === undefined ? {} : { sessionPolicy: options.sessionPolicy }),
  };
  const cache = new SessionCache<ConnectionCredentials>({
    expiresAt: (credentials) => credentials.expiration.getTime(),
    clock,
  });

  async function invoke(): Promise<ConnectionCredentials> {
    const { assertion } = options;
    const payload =
      assertion === undefined
        ? request
        : { ...request, assertion: typeof assertion === 'string' ? assertion : await assertion() };
    const { Payload, FunctionError } = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        Qualifier: options.consumer,
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    if (FunctionError) {
      throw new ConnectionCredentialsError(
        'INTERNAL_ERROR',
        `The credentials broker failed (${FunctionError}).`,
      );
    }
    const answer = credentialAnswerSchema.parse(JSON.parse(new TextDecoder().decode(Payload)));
    if ('error' in answer) {
      const { code, message, hint, retryAfterSeconds } = answer.error;
      throw new ConnectionCredentialsError(code, message, hint, retryAfterSeconds);
    }
    return { ...answer.credentials, expiration: new Date(answer.credentials.expiration) };
  }

  return async () => (await cache.getOrCreate(functionName, invoke)).session;
}
