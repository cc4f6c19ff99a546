import { rootIdSchema } from '../../schemas/api/common';
import type { Connection, Folder, MirrorNode } from '../../schemas/sync';
import { connectionKey, folderKey, nodeKey } from '../domain/node-key';
import type { Change } from '../domain/sync-runs';

/**
 * The stored mirror of one integration, in memory for the length of a step: nodes by key, by
 * parent, and the handles they hold. It follows every change the step writes.
 */
export class MirrorIndex {
  private readonly nodes = new Map<string, MirrorNode>();
  private readonly byParent = new Map<string, Set<string>>();
  private readonly handles = new Set<string>();

  constructor(nodes: Iterable<MirrorNode>) {
    for (const node of nodes) this.add(node);
  }

  get size(): number {
    return this.nodes.size;
  }

  get(key: string): MirrorNode | undefined {
    return this.nodes.get(key);
  }

  folder(id: string): Folder | undefined {
    const node = this.nodes.get(folderKey(id));
    return node?.type === 'folder' ? node : undefined;
  }

  connection(id: string): Connection | undefined {
    const node = this.nodes.get(connectionKey(id));
    return node?.type === 'connection' ? node : undefined;
  }

  children(parentId: string): MirrorNode[] {
    return [...(this.byParent.get(parentId) ?? [])].flatMap((key) => this.nodes.get(key) ?? []);
  }

  /** Every node below a folder, deepest first, so they can be deleted in order. */
  descendants(folderId: string): MirrorNode[] {
    const below: MirrorNode[] = [];
    for (const child of this.children(folderId)) {
      if (child.type === 'folder') below.push(...this.descendants(child.id));
      below.push(child);
    }
    return below;
  }

  /** The organization's root, when the mirror holds a node directly below it. */
  rootId(): string | undefined {
    for (const [parentId, children] of this.byParent) {
      if (children.size > 0 && rootIdSchema.safeParse(parentId).success) return parentId;
    }
    return undefined;
  }

  hasHandle(handle: string): boolean {
    return this.handles.has(handle);
  }

  all(): MirrorNode[] {
    return [...this.nodes.values()];
  }

  apply(change: Change): void {
    if (change.kind !== 'create') this.remove(change.kind === 'update' ? change.before : change.node);
    if (change.kind !== 'delete') this.add(change.kind === 'update' ? change.after : change.node);
  }

  private add(node: MirrorNode): void {
    const key = nodeKey(node);
    this.nodes.set(key, node);
    this.handles.add(node.handle);
    if (node.parentId === null) return;
    const siblings = this.byParent.get(node.parentId) ?? new Set<string>();
    siblings.add(key);
    this.byParent.set(node.parentId, siblings);
  }

  private remove(node: MirrorNode): void {
    const key = nodeKey(node);
    this.nodes.delete(key);
    this.handles.delete(node.handle);
    if (node.parentId !== null) this.byParent.get(node.parentId)?.delete(key);
  }
}
