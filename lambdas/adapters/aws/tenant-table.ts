import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../core/dynamodb';
import { errorName } from '../../core/errors';
import { logger } from '../../core/logger';
import { SessionCache } from '../../core/session-cache';
import type { TenantScope } from '../../core/tenant-context';
import { sessionCredentials, stsFailure } from './sts-answers';

/** The session tag the tenant table role's policy reads: `${aws:PrincipalTag/tenant}`. */
export const TENANT_SESSION_TAG = 'tenant';

/** An hour, the longest a chained role session may last; the cache renews it five minutes early. */
const SESSION_SECONDS = 3600;

/** Tenants one function instance keeps composed at once; the one used longest ago goes first. */
const MAX_TENANTS = 200;

export interface TenantTableOptions {
  /** The role to assume for each tenant; absent, every tenant shares the function's own client. */
  readonly roleArn: string | undefined;
  readonly sts: STSClient;
  readonly clock?: () => number;
}

/**
 * Services composed on a table client confined to one tenant. With a role, each tenant's
 * client signs with that role's session, tagged `tenant=<id>`, and the role's policy allows
 * only items whose partition key is `TENANT#<id>`: a key built for another tenant by mistake
 * is refused by IAM, whatever the code above it does. The composed services are kept per
 * tenant until five minutes before their session expires. Every client shares one connection
 * pool, so a tenant's first request opens no new connection.
 *
 * Without a role (DynamoDB Local checks no IAM), the services are composed once on the
 * function's own client and every tenant gets them.
 */
export function tenantScope<T>(
  compose: (db: DynamoDBDocumentClient) => T,
  options: TenantTableOptions,
): TenantScope<T> {
  const { roleArn, sts } = options;
  const shared = new DynamoDBClient({});
  if (roleArn === undefined) {
    const services = compose(createDocumentClient(shared));
    return async () => services;
  }
  const cache = new SessionCache<{ readonly services: T; readonly expiresAt: number }>({
    expiresAt: (entry) => entry.expiresAt,
    clock: options.clock,
    maxEntries: MAX_TENANTS,
  });
  const open = async (tenantId: string) => {
    const answer = await sts
      .send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: sessionNameOf(tenantId),
          DurationSeconds: SESSION_SECONDS,
          Tags: [{ Key: TENANT_SESSION_TAG, Value: tenantId }],
        }),
      )
      .catch((error: unknown) => {
        // Our own role refusing us is a deployment fault, not an outage: a 500, logged in full.
        throw errorName(error) === 'AccessDenied' ? error : stsFailure(error);
      });
    const credentials = sessionCredentials(answer.Credentials);
    const client = new DynamoDBClient({ credentials, requestHandler: shared.config.requestHandler });
    logger.info('opened a tenant table session', { expiresAt: credentials.expiration.toISOString() });
    return { services: compose(createDocumentClient(client)), expiresAt: credentials.expiration.getTime() };
  };
  return async (tenantId) => (await cache.getOrCreate(tenantId, () => open(tenantId))).session.services;
}

/** CloudTrail shows the tenant in the session name; STS takes at most 64 characters. */
function sessionNameOf(tenantId: string): string {
  return `tenant-${tenantId}`.slice(0, 64);
}
