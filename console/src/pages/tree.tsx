import { type KeyboardEvent, useDeferredValue, useMemo, useRef, useState } from 'react';
import type { TreeNode } from '../api';
import { StatusBadge } from '../components';

/** Children per parent, and the nodes whose parent is no loaded folder: the top of the tree. */
function hierarchy(nodes: readonly TreeNode[]) {
  const folders = new Set(nodes.filter((node) => node.type === 'folder').map((node) => node.id));
  const children = new Map<string, TreeNode[]>();
  const top: TreeNode[] = [];
  for (const node of nodes) {
    if (node.parentId !== null && folders.has(node.parentId)) {
      const siblings = children.get(node.parentId) ?? [];
      siblings.push(node);
      children.set(node.parentId, siblings);
    } else {
      top.push(node);
    }
  }
  // Folders first, then connections, each by name.
  const order = (a: TreeNode, b: TreeNode) =>
    a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'folder' ? -1 : 1;
  for (const siblings of children.values()) siblings.sort(order);
  return { children, top: top.sort(order) };
}

function healthOf(node: TreeNode): string | null {
  if (node.type !== 'connection') return null;
  if (node.held) return 'held';
  if (node.disabled) return node.state.toLowerCase();
  return node.health?.status ?? 'unchecked';
}

/**
 * The mirror as an ARIA tree: folders expand on demand (their children are drawn only then), the
 * arrow keys move, open and close, Enter selects; a search by account id, name or handle lists
 * the matches instead.
 */
export function Tree({
  nodes,
  complete,
  total,
  selectedId,
  onSelect,
}: {
  nodes: readonly TreeNode[];
  complete: boolean;
  total: number | null;
  selectedId: string | null;
  onSelect: (node: TreeNode) => void;
}) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [search, setSearch] = useState('');
  const query = useDeferredValue(search.trim().toLowerCase());
  const { children, top } = useMemo(() => hierarchy(nodes), [nodes]);
  const matches = useMemo(
    () =>
      query === ''
        ? []
        : nodes
            .filter((node) =>
              [node.id, node.name, node.handle].some((text) => text.toLowerCase().includes(query)),
            )
            .slice(0, 100),
    [nodes, query],
  );
  const toggle = (id: string) =>
    setExpanded((before) => {
      const next = new Set(before);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  // The items on show, in order: the top, and the children of every expanded folder.
  const visible = useMemo(() => {
    const shown: { node: TreeNode; level: number; parentId: string | null }[] = [];
    const walk = (list: readonly TreeNode[], level: number, parentId: string | null) => {
      for (const node of list) {
        shown.push({ node, level, parentId });
        if (expanded.has(node.id)) walk(children.get(node.id) ?? [], level + 1, node.id);
      }
    };
    walk(top, 1, null);
    return shown;
  }, [top, children, expanded]);
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const items = useRef(new Map<string, HTMLDivElement>());
  const tabStop = visible.some(({ node }) => node.id === focusedId)
    ? focusedId
    : (visible[0]?.node.id ?? null);
  const focus = (id: string | undefined) => {
    if (id === undefined) return;
    setFocusedId(id);
    items.current.get(id)?.focus();
  };

  /** The tree's keys, as the ARIA tree pattern has them. */
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const at = visible.findIndex(({ node }) => node.id === tabStop);
    const current = visible[at];
    if (!current) return;
    const { node } = current;
    const folder = node.type === 'folder' && (children.get(node.id)?.length ?? 0) > 0;
    const keys: Record<string, () => void> = {
      ArrowDown: () => focus(visible[at + 1]?.node.id),
      ArrowUp: () => focus(visible[at - 1]?.node.id),
      Home: () => focus(visible[0]?.node.id),
      End: () => focus(visible.at(-1)?.node.id),
      ArrowRight: () => {
        if (folder && !expanded.has(node.id)) toggle(node.id);
        else if (folder) focus(visible[at + 1]?.node.id);
      },
      ArrowLeft: () => {
        if (folder && expanded.has(node.id)) toggle(node.id);
        else focus(current.parentId ?? undefined);
      },
      Enter: () => onSelect(node),
      ' ': () => onSelect(node),
    };
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };

  return (
    <>
      <label className="field">
        <span>Search by account id, name or handle</span>
        <input type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
      </label>
      <p role="status" className="muted">
        {complete
          ? `${nodes.length} folders and connections`
          : `Loaded ${nodes.length}${total ? ` of ${total}` : ''}…`}
      </p>
      {query !== '' ? (
        <ul aria-label="Search results" className="matches">
          {matches.length === 0 ? <li>No match{complete ? '' : ' yet'}.</li> : null}
          {matches.map((node) => (
            <li key={node.id}>
              <button type="button" className="link" onClick={() => onSelect(node)}>
                {node.name}
              </button>{' '}
              <span className="muted">
                {node.id} · {node.handle}
              </span>
            </li>
          ))}
          {complete ? null : (
            <li className="muted">
              Searched the {nodes.length} loaded so far; matches among the rest appear as they load.
            </li>
          )}
        </ul>
      ) : (
        // The ARIA tree pattern has no native element: divs carry the roles, and each item the keys.
        <div role="tree" aria-label="Organization" className="tree">
          {visible.map(({ node, level }) => {
            const folder = node.type === 'folder' && (children.get(node.id)?.length ?? 0) > 0;
            const health = healthOf(node);
            return (
              <div
                key={node.id}
                ref={(element) => {
                  if (element) items.current.set(node.id, element);
                  else items.current.delete(node.id);
                }}
                role="treeitem"
                tabIndex={node.id === tabStop ? 0 : -1}
                aria-level={level}
                aria-selected={node.id === selectedId}
                aria-expanded={folder ? expanded.has(node.id) : undefined}
                className="node"
                style={{ paddingLeft: `${level - 1}rem` }}
                onClick={() => {
                  setFocusedId(node.id);
                  onSelect(node);
                }}
                onFocus={() => setFocusedId(node.id)}
                onKeyDown={onKeyDown}
              >
                {folder ? (
                  <span
                    className="twisty"
                    aria-hidden="true"
                    onClick={(event) => {
                      event.stopPropagation();
                      toggle(node.id);
                    }}
                  >
                    {expanded.has(node.id) ? '▾' : '▸'}
                  </span>
                ) : (
                  <span className="twisty" aria-hidden="true" />
                )}
                <span className="name">
                  {node.type === 'folder' ? 'Folder ' : ''}
                  {node.name}
                </span>{' '}
                <span className="muted">
                  {node.type === 'connection' ? `${node.id} · ` : ''}
                  {node.handle}
                </span>{' '}
                {health ? <StatusBadge status={health} /> : null}
                {node.type === 'folder' && node.access === 'denied' ? <StatusBadge status="denied" /> : null}
              </div>
            );
          })}
        </div>
      )}
    </>
  );
}
