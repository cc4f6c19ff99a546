import type { ChildProcess } from 'node:child_process';
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
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Rejects when the child cannot start or exits; for racing against its readiness check. */
export function exitAsFailure(child: ChildProcess, name: string, hint: string): Promise<never> {
  const failure = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`${name} could not start (${error.message}). ${hint}`)));
    child.once('exit', (code) => reject(new Error(`${name} exited early with code ${code}. ${hint}`)));
  });
  // Once the child is ready nobody awaits this; a later exit must not be an unhandled rejection.
  failure.catch(() => undefined);
  return failure;
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
