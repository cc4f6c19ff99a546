/*
 * The local gateway's HTTP plumbing: reading a request, answering as API Gateway answers, and
 * starting and stopping the server.
 */

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ErrorCode, GATEWAY_ERRORS } from '../lambdas/core/errors';
import type { DynamoDbLocal } from './dynamodb-local';

/** API Gateway's own payload limit; handlers apply their tighter ones. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** API Gateway answers every request with its id under this header; so does the local one. */
export const REQUEST_ID_HEADER = 'x-amzn-requestid';

/**
 * Node refuses a request it cannot parse before any route sees it, with an empty 400. Most often
 * that is a token pasted with a line break (npm's banner, without `-s`): that gets the 401
 * envelope the gateway gives any bad token; anything else, our 400 envelope.
 */
export function answerMalformed(error: Error & { rawPacket?: unknown }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const authorization = /(^|\n)authorization:/i.test(String(error.rawPacket ?? ''));
  const requestId = crypto.randomUUID();
  const { status, code, message } = authorization
    ? {
        ...GATEWAY_ERRORS.unauthorized,
        message:
          'The Authorization header is malformed: send "Bearer <token>" on one line (print tokens with npm run -s token).',
      }
    : { status: 400, code: 'VALIDATION_FAILED', message: 'The request is not well-formed HTTP.' };
  const body = JSON.stringify({ error: { code, message, requestId } });
  socket.end(
    [
      `HTTP/1.1 ${status} ${authorization ? 'Unauthorized' : 'Bad Request'}`,
      'content-type: application/json',
      `content-length: ${Buffer.byteLength(body)}`,
      `${REQUEST_ID_HEADER}: ${requestId}`,
      'connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

export async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

export function sendError(
  response: ServerResponse,
  error: { status: number; code: ErrorCode; message: string },
  headers: Record<string, string> = {},
): void {
  const requestId = crypto.randomUUID();
  sendJson(
    response,
    error.status,
    { error: { code: error.code, message: error.message, requestId } },
    { ...headers, [REQUEST_ID_HEADER]: requestId },
  );
}

export function stringHeaders(
  headers: Record<string, boolean | number | string> | undefined,
): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

export async function listen(server: Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

export async function stop(server: Server, dynamo: DynamoDbLocal): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await dynamo.stop();
}
