import type { OidcSignIn } from '../../schemas/console-config';
import type { Session } from './api';

/** Only the verifier and state wait in sessionStorage across the redirect; never a token. */
const PENDING_KEY = 'org-connections.sign-in';

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function redirectUri(): string {
  return `${window.location.origin}${window.location.pathname}`;
}

/** Sends the browser to the provider's sign-in, with a fresh PKCE verifier and state. */
export async function startSignIn(config: OidcSignIn): Promise<void> {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64Url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
  const url = new URL(config.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scopes.join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  window.location.assign(url.toString());
}

/**
 * Back from the provider with `?code=`: trades the code and the verifier for tokens, and keeps
 * the ID token in memory only. Null when this page load is not such a return.
 */
export async function finishSignIn(config: OidcSignIn): Promise<Session | null> {
  const query = new URLSearchParams(window.location.search);
  const code = query.get('code');
  if (code === null) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(PENDING_KEY);
  window.history.replaceState(null, '', redirectUri() + window.location.hash);
  if (pending === null || query.get('state') !== pending.state) {
    throw new Error('The sign-in answer does not match the request this page made. Sign in again.');
  }
  const answer = await fetch(config.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  if (!answer.ok) throw new Error(`The sign-in could not be completed (${answer.status}). Sign in again.`);
  const tokens = (await answer.json()) as { id_token?: string };
  if (!tokens.id_token) throw new Error('The identity provider sent no ID token.');
  const claims = JSON.parse(
    atob((tokens.id_token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/')),
  );
  return { token: tokens.id_token, label: String(claims.email ?? claims.sub ?? 'signed in') };
}

/** Ends the provider's session too, where it offers a logout URL. */
export function signOutUrl(config: OidcSignIn): string | null {
  if (!config.logoutUrl) return null;
  const url = new URL(config.logoutUrl);
  url.search = new URLSearchParams({ client_id: config.clientId, logout_uri: redirectUri() }).toString();
  return url.toString();
}
