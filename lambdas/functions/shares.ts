import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { envSchema } from '../../schemas/environment';
import { connectionSchema } from '../../schemas/sync';
import { connectionOfKeys } from '../../schemas/table';
import { shareProjectorAdapters } from '../composition/edges';
import { createDocumentClient } from '../core/dynamodb';
import { loadEnv } from '../core/env';
import { lambdaHandler } from '../core/lambda-handler';
import { logger } from '../core/logger';
import type { ScopeLookup, ShareStore } from '../shares/ports';
import { type ConnectionChange, makeShareProjector } from '../shares/service';

type Image = Record<string, AttributeValue> | undefined;

function connectionOf(image: Image) {
  return image ? connectionSchema.parse(unmarshall(image)) : null;
}

/**
 * The workspaces' read model, kept from the table's stream: each connection's creation,
 * change or deletion files it under the workspaces its effective permissions name. The event
 * source mapping passes only mirror items; the check here keeps the local runtime, which feeds
 * every record, to the same rule.
 */
export function createHandler(deps: { store: ShareStore; scopes: ScopeLookup }) {
  const projector = makeShareProjector(deps);
  return async (event: Pick<DynamoDBStreamEvent, 'Records'>) => {
    const changes: ConnectionChange[] = [];
    for (const record of event.Records) {
      const keys = record.dynamodb?.Keys;
      if (!keys) continue;
      const { pk, sk } = unmarshall(keys as Record<string, AttributeValue>);
      const connection = connectionOfKeys(pk, sk);
      if (!connection) continue;
      changes.push({
        ...connection,
        before: connectionOf(record.dynamodb?.OldImage as Image),
        after: connectionOf(record.dynamodb?.NewImage as Image),
      });
    }
    if (changes.length === 0) return;
    const written = await projector.project(changes);
    logger.info('workspace shares brought up to date', { connectionChanges: changes.length, ...written });
  };
}

const env = loadEnv(envSchema('TABLE_NAME'));

const db = createDocumentClient();
export const handler = lambdaHandler(createHandler(shareProjectorAdapters(db, env.TABLE_NAME)));
