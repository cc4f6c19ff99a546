import type { MirrorNode } from '../../schemas/sync';

/**
 * A folder or connection's key inside one integration's mirror: `F:<ouId>` or `C:<accountId>`.
 * An OU id and an account id never collide, but the type makes the key readable in checkpoints.
 */
export function nodeKey(node: Pick<MirrorNode, 'type' | 'id'>): string {
  return node.type === 'folder' ? folderKey(node.id) : connectionKey(node.id);
}

export function folderKey(ouId: string): string {
  return `F:${ouId}`;
}

export function connectionKey(accountId: string): string {
  return `C:${accountId}`;
}

/** The node a key names. */
export function parseNodeKey(key: string): Pick<MirrorNode, 'type' | 'id'> {
  return { type: key.startsWith('F:') ? 'folder' : 'connection', id: key.slice(2) };
}
