import type { EventStore } from '#eventstore';
import { PROJECTED_STREAM_PREFIXES, PROJECTIONS, type ReadModels, replay } from '#read-models';

/**
 * Read-model state at a point of the log, computed with the projector's own projection code in this
 * process (the same `replay` the projector's rebuild and as-of queries use), so what the CLI prints
 * is what a projector pointed at the store would answer.
 */
export type StateTree = Record<string, Record<string, Record<string, unknown>>>;

export const stateAt = (
  store: EventStore,
  limit: { untilPosition?: bigint; untilSimulatedTime?: string },
): Promise<ReadModels> => replay(store, PROJECTIONS, { streamPrefixes: PROJECTED_STREAM_PREFIXES, ...limit });

/** What `--select` accepts: every projection's name, and `projection.table` for each of its tables. */
export const SELECTABLE: readonly string[] = PROJECTIONS.flatMap((projection) => [
  projection.name,
  ...Object.keys(projection.create()).map((table) => `${projection.name}.${table}`),
]);

/** A selection naming no read model printed an empty state, as if the history had built nothing. */
export const selectionProblems = (select: readonly string[]): string[] => {
  const unknown = select.filter((s) => !SELECTABLE.includes(s));
  return unknown.length === 0
    ? []
    : [`--select: no read model ${unknown.join(', ')} (use ${SELECTABLE.join(', ')})`];
};

/**
 * The read models as plain JSON, optionally only `projection` or `projection.table` entries. Row keys
 * are ids from the log: gathered in Maps and turned into own properties, so a key such as `__proto__`
 * is a row like any other rather than a prototype.
 */
export const treeOf = (readModels: ReadModels, select: readonly string[] = []): StateTree => {
  const tree = new Map<string, Map<string, Map<string, unknown>>>();
  for (const [projection, table, key, value] of readModels.rows()) {
    if (select.length > 0 && !select.some((s) => s === projection || s === `${projection}.${table}`))
      continue;
    const tables = tree.get(projection) ?? tree.set(projection, new Map()).get(projection)!;
    const rows = tables.get(table) ?? tables.set(table, new Map()).get(table)!;
    rows.set(key, value);
  }
  return Object.fromEntries(
    [...tree].map(([projection, tables]) => [
      projection,
      Object.fromEntries([...tables].map(([table, rows]) => [table, Object.fromEntries(rows)])),
    ]),
  );
};

export interface StateDiff {
  readonly added: Record<string, unknown>;
  readonly removed: Record<string, unknown>;
  readonly changed: Record<string, { readonly before: unknown; readonly after: unknown }>;
}

/** Row by row, keyed `projection.table.key`: what a later point added, removed or changed. */
export const diffTrees = (before: StateTree, after: StateTree): StateDiff => {
  const flat = (tree: StateTree): Map<string, string> => {
    const rows = new Map<string, string>();
    for (const [projection, tables] of Object.entries(tree)) {
      for (const [table, keys] of Object.entries(tables)) {
        for (const [key, value] of Object.entries(keys))
          rows.set(`${projection}.${table}.${key}`, JSON.stringify(value));
      }
    }
    return rows;
  };
  const a = flat(before);
  const b = flat(after);
  const added = new Map<string, unknown>();
  const removed = new Map<string, unknown>();
  const changed = new Map<string, { readonly before: unknown; readonly after: unknown }>();
  for (const [key, value] of b) {
    const old = a.get(key);
    if (old === undefined) added.set(key, JSON.parse(value));
    else if (old !== value) changed.set(key, { before: JSON.parse(old), after: JSON.parse(value) });
  }
  for (const [key, value] of a) if (!b.has(key)) removed.set(key, JSON.parse(value));
  return {
    added: Object.fromEntries(added),
    removed: Object.fromEntries(removed),
    changed: Object.fromEntries(changed),
  };
};
