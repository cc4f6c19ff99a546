import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A loopback port that nothing listens on right now. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Stops a child process and waits until it is gone. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface ServerProcess {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** What to do when it cannot start, such as the package to install. */
  readonly hint: string;
  /** Resolves once the server answers. */
  readonly ready: () => Promise<void>;
}

/**
 * Starts a local server process (DynamoDB Local, moto) and waits until it answers; fails fast,
 * with the hint, if it cannot start or exits first. Resolves to a function that stops it.
 */
export async function startServerProcess(server: ServerProcess): Promise<() => Promise<void>> {
  const child = spawn(server.command, [...server.args], { stdio: 'ignore' });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`${server.name} could not start (${error.message}). ${server.hint}`)),
    );
    child.once('exit', (code) =>
      reject(new Error(`${server.name} exited early with code ${code}. ${server.hint}`)),
    );
  });
  // Once the server is ready nobody awaits this; a later exit must not be an unhandled rejection.
  exited.catch(() => undefined);
  try {
    await Promise.race([server.ready(), exited]);
  } catch (error: unknown) {
    child.kill();
    throw error;
  }
  return () => stopProcess(child);
}

/** Calls `probe` every 200 ms until it resolves, or fails after `timeoutMs`. */
export async function waitUntilAnswering(
  name: string,
  probe: () => Promise<unknown>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await probe();
      return;
    } catch (error: unknown) {
      if (Date.now() > deadline)
        throw new Error(`${name} did not answer within ${timeoutMs / 1000} s: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
