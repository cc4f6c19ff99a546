import { freeLoopbackPort, startServerProcess, waitUntilAnswering } from '../../local/processes';

export interface MotoServer {
  readonly endpoint: string;
  /** Client settings that point an SDK v3 client at moto. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
}

/** moto's fixed account id for the credentials it is given. */
export const MOTO_ACCOUNT_ID = '123456789012';

/** Starts `python3 -m moto.server` on a free loopback port and waits until it answers. */
export async function startMoto(): Promise<MotoServer> {
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = await startServerProcess({
    name: 'moto',
    command: 'python3',
    args: ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    hint: 'It needs python3 with moto installed (pip install "moto[server]").',
    ready: () => waitForMoto(endpoint),
  });
  return {
    endpoint,
    clientConfig: {
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    },
    stop,
  };
}

async function waitForMoto(endpoint: string): Promise<void> {
  await waitUntilAnswering('moto', async () => {
    const response = await fetch(`${endpoint}/moto-api/`);
    if (!response.ok) throw new Error(`status ${response.status}`);
  });
}
