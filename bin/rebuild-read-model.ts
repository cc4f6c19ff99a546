import { parseArgs } from 'node:util';
import * as z from 'zod';
import { DynamoDbIntegrations } from '../lambdas/adapters/aws/dynamodb-integrations';
import { readModelRebuildAdapters } from '../lambdas/composition/edges';
import { createDocumentClient } from '../lambdas/core/dynamodb';
import { loadEnv } from '../lambdas/core/env';
import { tenantIdSchema } from '../lambdas/core/tenant-context';
import { rebuildReadModel } from '../lambdas/shares/rebuild';
import { envSchema } from '../schemas/environment';

const USAGE =
  'Usage: npm run rebuild-read-model -- --tenant <tenantId> [--integration <id>]\n' +
  'with TABLE_NAME set (and AWS_ENDPOINT_URL_DYNAMODB to reach the local runtime).';

const argsSchema = z.object({ tenant: tenantIdSchema, integration: z.uuid().optional() });

/** Rebuilds the workspaces' read model of one integration, or of every integration of a tenant. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { tenant: { type: 'string' }, integration: { type: 'string' } },
  });
  const args = argsSchema.safeParse(values);
  if (!args.success) throw new Error(USAGE);
  const env = loadEnv(envSchema('TABLE_NAME'));
  const db = createDocumentClient();
  const deps = readModelRebuildAdapters(db, env.TABLE_NAME);
  const tenantId = args.data.tenant;
  const integrationIds = args.data.integration
    ? [args.data.integration]
    : await allIntegrations(new DynamoDbIntegrations(db, env.TABLE_NAME), tenantId);
  for (const integrationId of integrationIds) {
    const { puts, deletes } = await rebuildReadModel(deps, tenantId, integrationId);
    console.log(`${integrationId}: ${puts} entries written, ${deletes} removed`);
  }
}

async function allIntegrations(integrations: DynamoDbIntegrations, tenantId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await integrations.list(tenantId, { limit: 100, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((integration) => integration.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
