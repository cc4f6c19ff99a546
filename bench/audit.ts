import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClient } from '../local/dynamodb-local';
import type { LocalRuntime } from '../local/runtime';
import type { MirrorNode } from '../schemas/sync';
import { ITEM_KEYS } from '../schemas/table';
import { localApi } from '../test/fixtures/local-api';
import { PRICES } from './cost';
import type { AuditResult } from './results';

const TENANT = { tenantId: 'bench-audit' };

/**
 * What the audit log adds to each request that changes something: its entry is one more item in
 * the request's own transaction. Makes one of each kind of change through the API, then reads
 * the entries from the table and sizes them as DynamoDB bills them.
 */
export async function benchAudit(
  runtime: LocalRuntime,
  log: (message: string) => void,
): Promise<AuditResult> {
  log('audit: one request of each kind that changes something');
  const api = localApi(() => runtime);
  const integration = await api.createOrganizationIntegration(TENANT, { handle: 'bench_audit' });
  await runtime.settled();
  const base = `/v1/integrations/${integration.id}`;
  const tree = await api.call(TENANT, 'GET', `${base}/tree?limit=100`);
  const node = (tree.body as { items: MirrorNode[] }).items.find((item) => item.type === 'connection');
  if (!node) throw new Error('the mirror holds no connection');
  const etag = async (path: string) => (await api.call(TENANT, 'GET', path)).headers.get('etag') ?? '';
  const requests: [string, () => Promise<{ status: number }>][] = [
    [
      'PATCH integration',
      async () =>
        api.call(
          TENANT,
          'PATCH',
          base,
          { regions: ['us-east-1', 'eu-west-1'] },
          { 'if-match': await etag(base) },
        ),
    ],
    [
      'PATCH connection',
      async () => {
        const path = `${base}/connections/${node.id}`;
        return api.call(
          TENANT,
          'PATCH',
          path,
          { handle: 'bench_audit_renamed' },
          { 'if-match': await etag(path) },
        );
      },
    ],
    ['POST sync', () => api.call(TENANT, 'POST', `${base}/sync`)],
    ['POST test', () => api.call(TENANT, 'POST', `${base}/test`)],
  ];
  for (const [what, request] of requests) {
    const { status } = await request();
    if (status >= 300) throw new Error(`${what} answered ${status}`);
    await runtime.settled();
  }

  const client = localDynamoDbClient(runtime.dynamoDbEndpoint);
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: runtime.config.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': { S: ITEM_KEYS.tenant(TENANT.tenantId) },
        ':prefix': { S: ITEM_KEYS.auditPrefix },
      },
    }),
  );
  client.destroy();
  const sizes = Items.map(itemBytes);
  // A write in a transaction costs two write units per KB or part of one.
  const units = sizes.map((bytes) => 2 * Math.ceil(bytes / 1024));
  const meanUnits = units.reduce((sum, unit) => sum + unit, 0) / Math.max(units.length, 1);
  return {
    requests: requests.length + 1,
    entries: Items.length,
    meanBytes: sizes.reduce((sum, bytes) => sum + bytes, 0) / Math.max(sizes.length, 1),
    maxBytes: Math.max(0, ...sizes),
    writeUnitsPerRequest: meanUnits,
    dollarsPerMillionRequests: meanUnits * PRICES.writeUnit * 1e6,
  };
}

/** An item's size as DynamoDB counts it: names and values, with its documented per-type overheads. */
function itemBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value),
    0,
  );
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, inner) => sum + 1 + valueBytes(inner), 0);
  if (value.M !== undefined)
    return (
      3 +
      Object.entries(value.M).reduce(
        (sum, [name, inner]) => sum + 1 + Buffer.byteLength(name) + valueBytes(inner),
        0,
      )
    );
  if (value.SS !== undefined) return value.SS.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  return 0;
}
