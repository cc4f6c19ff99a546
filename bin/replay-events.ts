import { parseArgs } from 'node:util';
import * as z from 'zod';
import { DynamoDbOutbox } from '../lambdas/adapters/aws/dynamodb-outbox';
import { publisherAdapters } from '../lambdas/composition/edges';
import { createDocumentClient } from '../lambdas/core/dynamodb';
import { loadEnv } from '../lambdas/core/env';
import { tenantIdSchema } from '../lambdas/core/tenant-context';
import { replayEvents } from '../lambdas/publisher/replay';
import { makePublisher } from '../lambdas/publisher/service';
import { envSchema } from '../schemas/environment';

const USAGE =
  'Usage: npm run replay-events -- --tenant <tenantId> --integration <id> --from-sequence <n> [--to <n>]\n' +
  'with TABLE_NAME and CONNECTIONS_BUS_NAME set (and AWS_ENDPOINT_URL_* to reach the local runtime).';

const argsSchema = z.object({
  tenant: tenantIdSchema,
  integration: z.uuid(),
  'from-sequence': z.coerce.number().int().min(1),
  to: z.coerce.number().int().min(1).optional(),
});

/**
 * Publishes an integration's stored outbox events again, from one sequence number (to another),
 * in order and with their original event ids, to the connections bus.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      integration: { type: 'string' },
      'from-sequence': { type: 'string' },
      to: { type: 'string' },
    },
  });
  const args = argsSchema.safeParse(values);
  if (!args.success) throw new Error(USAGE);
  const env = loadEnv(envSchema('TABLE_NAME', 'CONNECTIONS_BUS_NAME', 'EVENT_SOURCE'));
  const outcome = await replayEvents(
    {
      outbox: new DynamoDbOutbox(createDocumentClient(), env.TABLE_NAME),
      publish: makePublisher(publisherAdapters(env.CONNECTIONS_BUS_NAME, env.EVENT_SOURCE)),
    },
    {
      tenantId: args.data.tenant,
      integrationId: args.data.integration,
      fromSequence: args.data['from-sequence'],
      ...(args.data.to === undefined ? {} : { toSequence: args.data.to }),
    },
  );
  console.log(
    `replayed ${outcome.events} events in ${outcome.calls} PutEvents calls; last sequence ${outcome.last}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
