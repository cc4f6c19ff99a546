/**
 * The console's `config.json`, written where it is served: by the local runtime, and at deploy
 * beside its files. A plain type, so the console's bundle carries no schema library for it.
 */
export interface ConsoleConfig {
  /** The API's base URL; empty: the console's own origin. */
  readonly apiUrl: string;
  readonly signIn: LocalSignIn | OidcSignIn;
}

/** The local runtime's sign-in: a button per sandbox persona. */
export interface LocalSignIn {
  readonly kind: 'local';
}

/** An OpenID Connect sign-in with the authorization code flow and PKCE (Cognito's hosted UI, or the platform's). */
export interface OidcSignIn {
  readonly kind: 'oidc';
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  /** Where signing out ends the provider's session; absent: only the page's session ends. */
  readonly logoutUrl?: string;
  /** A public client: no secret. */
  readonly clientId: string;
  readonly scopes: readonly string[];
}
