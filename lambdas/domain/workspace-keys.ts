import type { Connection } from '../../schemas/sync';
/** The workspace every share with `all` is filed under: it answers for every workspace. */
export const ALL_WORKSPACES = '*';

/** The workspace keys a connection is filed under, from its effective permissions; none while held. */
export function workspaceKeysOf(connection: Connection | null): string[] {
  if (connection?.held) return [];
  const permissions = connection?.effective.permissions.value;
  if (permissions?.share === 'all') return [ALL_WORKSPACES];
  if (permissions?.share === 'selected') return [...permissions.workspaceIds];
  return [];
}
