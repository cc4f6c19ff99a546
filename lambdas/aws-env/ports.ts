/** The backend's own AWS identity, as STS sees it. */
export interface CallerIdentity {
  readonly accountId: string;
  readonly arn: string;
}

/** Port: who are we? Throws `IdentityUnavailableError` when no credentials work. */
export interface CallerIdentityPort {
  getCallerIdentity(): Promise<CallerIdentity>;
}

export class IdentityUnavailableError extends Error {}
