import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConsoleConfig } from '../schemas/console-config';
import type { LocalIssuer, LocalTokenClaims } from './jwt-issuer';
import type { LocalAnswer } from './sandbox-admin';

/** Where `npm run console:build` writes the console, and where the local runtime serves it from. */
export const CONSOLE_DIR = path.resolve('console', 'dist');
export const CONSOLE_PATH = '/console/';
export const CONSOLE_VITE_CONFIG = path.resolve('console', 'vite.config.ts');

/**
 * The people of the sandbox, as the local sign-in page offers them. Each signs in with a token
 * the local issuer mints, so the authorizer treats them as it treats any caller.
 */
export const LOCAL_PERSONAS = [
  {
    id: 'demo-owner',
    label: 'demo — tenant owner',
    claims: { tenantId: 'demo', roles: ['tenant_owner'], subject: 'owner@demo' },
  },
  {
    id: 'demo-team-a',
    label: 'demo — member of org team-a',
    claims: { tenantId: 'demo', roles: [], orgIds: ['team-a'], subject: 'member@team-a.demo' },
  },
  {
    id: 'other-owner',
    label: 'other — tenant owner',
    claims: { tenantId: 'other', roles: ['tenant_owner'], subject: 'owner@other' },
  },
] as const satisfies readonly { id: string; label: string; claims: LocalTokenClaims }[];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** As the deployed distribution: the page may load only itself, and be framed by no one. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/** Whether the console has been built; `npm start` builds it first when not. */
export async function consoleBuilt(): Promise<boolean> {
  return access(path.join(CONSOLE_DIR, 'index.html')).then(
    () => true,
    () => false,
  );
}

/**
 * The console's routes on the local runtime: the built files under /console/, its config (the
 * API on the same origin, the local sign-in), and the local sign-in itself.
 */
export async function consoleRoute(
  method: string,
  url: URL,
  body: () => Promise<string | undefined>,
  issuer: LocalIssuer,
): Promise<LocalAnswer | undefined> {
  const route = `${method} ${url.pathname}`;
  if (route === 'GET /console') return { status: 308, headers: { location: CONSOLE_PATH }, text: '' };
  if (route === 'GET /console/config.json') {
    const config: ConsoleConfig = { apiUrl: '', signIn: { kind: 'local' } };
    return { status: 200, body: config };
  }
  if (route === 'GET /local/personas') {
    return { status: 200, body: LOCAL_PERSONAS.map(({ id, label }) => ({ id, label })) };
  }
  if (route === 'POST /local/sign-in') {
    const asked = parsePersona(await body());
    const persona = LOCAL_PERSONAS.find(({ id }) => id === asked);
    if (!persona) {
      return {
        status: 400,
        body: { error: { code: 'VALIDATION_FAILED', message: 'Name one of GET /local/personas.' } },
      };
    }
    return { status: 200, body: { token: await issuer.sign(persona.claims), label: persona.label } };
  }
  if (method !== 'GET' || !url.pathname.startsWith(CONSOLE_PATH)) return undefined;
  return consoleFile(url.pathname.slice(CONSOLE_PATH.length) || 'index.html');
}

async function consoleFile(name: string): Promise<LocalAnswer> {
  const file = path.resolve(CONSOLE_DIR, name);
  const type = CONTENT_TYPES[path.extname(file)];
  if (!file.startsWith(CONSOLE_DIR + path.sep) || type === undefined) {
    return { status: 404, body: { error: { code: 'NOT_FOUND', message: 'No such file.' } } };
  }
  try {
    const text = await readFile(file, 'utf8');
    // Built assets carry a content hash in their names; the page itself is always fetched again.
    const cache = name.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    return { status: 200, text, contentType: type, headers: { ...SECURITY_HEADERS, 'cache-control': cache } };
  } catch {
    const missing = name === 'index.html' ? ' Build it with npm run console:build.' : '';
    return { status: 404, body: { error: { code: 'NOT_FOUND', message: `No such file.${missing}` } } };
  }
}

function parsePersona(text: string | undefined): unknown {
  try {
    return (JSON.parse(text ?? '') as { persona?: unknown }).persona;
  } catch {
    return undefined;
  }
}
