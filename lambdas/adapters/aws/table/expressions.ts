/**
 * A condition on one item, with its own placeholders. Named conditions (see items.ts) pick
 * placeholders no other named condition uses, so any of them can be combined with `and`.
 */
export interface Condition {
  readonly expression: string;
  readonly names?: Readonly<Record<string, string>>;
  readonly values?: Readonly<Record<string, unknown>>;
}

/** The item exists (any item type). */
export const exists: Condition = { expression: 'attribute_exists(pk)' };
/** No item has this key yet: a claim or a create. */
export const absent: Condition = { expression: 'attribute_not_exists(pk)' };

/** Optimistic concurrency on items with a `version` (integrations, folders, connections). */
export function versionIs(version: number): Condition {
  return { expression: 'version = :expectedVersion', values: { ':expectedVersion': version } };
}

/** All of `conditions` must hold. */
export function and(...conditions: readonly Condition[]): Condition {
  if (conditions.length === 1 && conditions[0]) return conditions[0];
  return {
    expression: conditions.map((condition) => `(${condition.expression})`).join(' AND '),
    names: merge(conditions.map((condition) => condition.names)),
    values: merge(conditions.map((condition) => condition.values)),
  };
}

/** What an Update changes: attributes set, removed, or added to (numbers). */
export interface UpdateSpec {
  readonly set?: Readonly<Record<string, unknown>>;
  /** Set only where the attribute is absent. */
  readonly setIfAbsent?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  /** Numbers added to (an absent attribute counts as 0). */
  readonly add?: Readonly<Record<string, number>>;
}

/** The parts of an Update request: attribute names become `#u0…`, values `:u0…`. */
export function renderUpdate(spec: UpdateSpec): Condition {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const set: string[] = [];
  let next = 0;
  const placeholder = (attribute: string) => {
    const id = next++;
    names[`#u${id}`] = attribute;
    return id;
  };
  for (const [attribute, value] of Object.entries(spec.set ?? {})) {
    const id = placeholder(attribute);
    values[`:u${id}`] = value;
    set.push(`#u${id} = :u${id}`);
  }
  for (const [attribute, value] of Object.entries(spec.setIfAbsent ?? {})) {
    const id = placeholder(attribute);
    values[`:u${id}`] = value;
    set.push(`#u${id} = if_not_exists(#u${id}, :u${id})`);
  }
  const remove = (spec.remove ?? []).map((attribute) => `#u${placeholder(attribute)}`);
  const add = Object.entries(spec.add ?? {}).map(([attribute, value]) => {
    const id = placeholder(attribute);
    values[`:u${id}`] = value;
    return `#u${id} :u${id}`;
  });
  const clauses = [
    set.length ? `SET ${set.join(', ')}` : '',
    remove.length ? `REMOVE ${remove.join(', ')}` : '',
    add.length ? `ADD ${add.join(', ')}` : '',
  ];
  return { expression: clauses.filter(Boolean).join(' '), names, values };
}

/** Merges placeholder maps; the same placeholder with two different values is a bug. */
export function merge<T>(maps: readonly (Readonly<Record<string, T>> | undefined)[]): Record<string, T> {
  const merged: Record<string, T> = {};
  for (const map of maps) {
    for (const [placeholder, value] of Object.entries(map ?? {})) {
      if (placeholder in merged && JSON.stringify(merged[placeholder]) !== JSON.stringify(value)) {
        throw new Error(`The placeholder ${placeholder} is used with two values`);
      }
      merged[placeholder] = value;
    }
  }
  return merged;
}
