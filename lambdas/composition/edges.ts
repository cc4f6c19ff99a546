import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Partition } from '../../schemas/api/common';
import type { Connection } from '../../schemas/sync';
import { DynamoDbAuditLog } from '../adapters/aws/dynamodb-audit';
import { DynamoDbExternalIds } from '../adapters/aws/dynamodb-external-ids';
import { DynamoDbIntegrations } from '../adapters/aws/dynamodb-integrations';
import { DynamoDbMirror } from '../adapters/aws/dynamodb-mirror';
import { DynamoDbShares } from '../adapters/aws/dynamodb-shares';
import { EventBridgeBus } from '../adapters/aws/eventbridge-bus';
import { StsCallerIdentity } from '../adapters/aws/sts-caller-identity';
import { TemplateFiles } from '../adapters/files/template-files';
import { traced } from '../core/tracer';
import type { ScopeLookup } from '../shares/ports';
import type { RebuildDeps } from '../shares/rebuild';
import { composeAuditTrail } from './audit';

/*
 * The functions at the system's edges, each on one or two adapters: onboarding, the env check,
 * the outbox publisher, and the workspaces' read model (its projector and its reader).
 */

/**
 * Onboarding's adapters for a tenant's client, with the audit log its rotations go to; the
 * template files are read once per instance.
 */
export function onboardingAdapters(tableName: string, templatesDir: string, auditRetentionDays?: number) {
  const templates = new TemplateFiles(templatesDir);
  const audit = composeAuditTrail({ auditRetentionDays });
  return (db: DynamoDBDocumentClient) => ({
    externalIds: new DynamoDbExternalIds(db, tableName),
    templates,
    audit,
    auditLog: new DynamoDbAuditLog(db, tableName),
  });
}

export function envCheckAdapters(account: {
  readonly trustedAccountId: string;
  readonly partition: Partition;
}) {
  return { identity: new StsCallerIdentity(traced(new STSClient({}))), ...account };
}

export function publisherAdapters(busName: string, source: string) {
  return { bus: new EventBridgeBus(traced(new EventBridgeClient({})), busName), source };
}

/** The read model's store, and where the projector learns each integration's scope. */
export function shareProjectorAdapters(db: DynamoDBDocumentClient, tableName: string) {
  const integrations = new DynamoDbIntegrations(db, tableName);
  const scopes: ScopeLookup = {
    scopeOf: async (tenantId, integrationId) => (await integrations.get(tenantId, integrationId))?.scope,
  };
  return { store: new DynamoDbShares(db, tableName), scopes };
}

/** What a rebuild of the read model reads and writes: the mirror, the read model, the scopes. */
export function readModelRebuildAdapters(db: DynamoDBDocumentClient, tableName: string): RebuildDeps {
  const mirror = new DynamoDbMirror(db, tableName);
  return {
    ...shareProjectorAdapters(db, tableName),
    connections: async (tenantId, integrationId) =>
      (await mirror.load(tenantId, integrationId)).filter(
        (node): node is Connection => node.type === 'connection',
      ),
  };
}

export function workspaceAdapters(db: DynamoDBDocumentClient, tableName: string) {
  return { store: new DynamoDbShares(db, tableName) };
}
