/**
 * The call ids a line has used (R12: an id names one call of its line for good), kept so that a
 * line with 100,000 past calls loads from its snapshot without any work per id: deciding only asks
 * "was this id used here", and a sorted run of ids answers that by binary search where it lies.
 *
 * - `runs`: the ids merged so far, one run per id length in UTF-8 bytes: the ids of that length
 *   sorted bytewise and laid end to end, so record i is bytes `[i * width, (i + 1) * width)` and no
 *   separator can clash with an id. A snapshot stores the runs as they are (binary attachments, see
 *   line.snapshot.ts): loading one is taking the bytes read, however many ids they hold.
 *   An empty id (a log may hold one; the api refuses it) is an empty run of width 0.
 * - `recent`: the ids added since the last merge, by the place they were added in. The map is
 *   shared by the states folded one after another, each seeing the ids placed before its
 *   `recentSize`; a state adds to the shared map only when it is the newest state sharing it (the
 *   fold's case), and deciding twice from an older state copies the map first. Runs are never
 *   written to, only replaced, so every state keeps meaning exactly the ids folded into it.
 *
 * Recent ids are merged into the runs once they are an eighth of the merged ones (and at least
 * MERGE_AT_LEAST): a merge copies the runs, so merging in proportion keeps a fold's copying in
 * proportion to its ids (a geometric series) while the map stays small.
 *
 * Memory, measured: 100,000 ids `past-N` folded one by one take 1.3 MB (97,161 in runs, 2,839 in
 * the map), against 7 MB as a Map of every id; a lookup costs a few microseconds (an encode and
 * about 17 comparisons).
 */
export interface UsedCallIds {
  /** Merged ids by width (UTF-8 bytes): one run of sorted fixed-width records each. */
  readonly runs: ReadonlyMap<number, Uint8Array>;
  readonly mergedCount: number;
  readonly recent: ReadonlyMap<string, number>;
  readonly recentSize: number;
}

export const MERGE_AT_LEAST = 1024;

export const noUsedCallIds: UsedCallIds = {
  runs: new Map(),
  mergedCount: 0,
  recent: new Map(),
  recentSize: 0,
};

const utf8 = new TextEncoder();

/** Compares record `index` of `run` with `id` (both `id.length` bytes wide), bytewise. */
const compareRecord = (run: Uint8Array, index: number, id: Uint8Array): number => {
  const start = index * id.length;
  for (let i = 0; i < id.length; i++) {
    const difference = run[start + i]! - id[i]!;
    if (difference !== 0) return difference;
  }
  return 0;
};

/** The index of the first record of `run` not below `id`, searching from record `from`. */
const lowerBound = (run: Uint8Array, id: Uint8Array, from: number): number => {
  let low = from;
  let high = run.length / id.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareRecord(run, middle, id) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
};

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
};

const inRuns = (runs: UsedCallIds['runs'], callId: string): boolean => {
  if (runs.size === 0) return false;
  const id = utf8.encode(callId);
  const run = runs.get(id.length);
  if (run === undefined) return false;
  if (id.length === 0) return true;
  const at = lowerBound(run, id, 0);
  return at < run.length / id.length && compareRecord(run, at, id) === 0;
};

export const hasUsedCallId = (ids: UsedCallIds, callId: string): boolean => {
  const place = ids.recent.get(callId);
  return (place !== undefined && place < ids.recentSize) || inRuns(ids.runs, callId);
};

/** Merges sorted ids of one width, none of them in `run`, into a new run; `run` stays as it was. */
const mergeRun = (run: Uint8Array, width: number, added: readonly Uint8Array[]): Uint8Array => {
  const merged = new Uint8Array(run.length + added.length * width);
  let from = 0;
  let written = 0;
  for (const id of added) {
    const at = width === 0 ? 0 : lowerBound(run, id, from);
    merged.set(run.subarray(from * width, at * width), written);
    written += (at - from) * width;
    merged.set(id, written);
    written += width;
    from = at;
  }
  merged.set(run.subarray(from * width), written);
  return merged;
};

/** The runs with the recent ids this state sees merged in (new runs; the state's stay as they were). */
const mergedRuns = ({ runs, recent, recentSize }: UsedCallIds): Map<number, Uint8Array> => {
  const byWidth = new Map<number, Uint8Array[]>();
  for (const [callId, place] of recent) {
    if (place >= recentSize) continue;
    const id = utf8.encode(callId);
    const sameWidth = byWidth.get(id.length);
    if (sameWidth) sameWidth.push(id);
    else byWidth.set(id.length, [id]);
  }
  const merged = new Map(runs);
  for (const [width, added] of byWidth)
    merged.set(width, mergeRun(runs.get(width) ?? new Uint8Array(0), width, added.sort(compareBytes)));
  return merged;
};

export const withCallId = (ids: UsedCallIds, callId: string): UsedCallIds => {
  // A log written before ids were unique for good may name an id twice: it is used once.
  if (hasUsedCallId(ids, callId)) return ids;
  // The first recent id starts a map of the state's own: the empty one is shared by every line.
  const recent =
    ids.recentSize > 0 && ids.recent.size === ids.recentSize
      ? (ids.recent as Map<string, number>)
      : new Map([...ids.recent].filter(([, place]) => place < ids.recentSize));
  recent.set(callId, ids.recentSize);
  const added = { ...ids, recent, recentSize: ids.recentSize + 1 };
  if (added.recentSize < Math.max(MERGE_AT_LEAST, ids.mergedCount >>> 3)) return added;
  return {
    runs: mergedRuns(added),
    mergedCount: ids.mergedCount + added.recentSize,
    recent: new Map(),
    recentSize: 0,
  };
};

/** Every id this state sees, as runs `[width, sorted records]` by ascending width. */
export const callIdRunsOf = (ids: UsedCallIds): (readonly [width: number, run: Uint8Array])[] =>
  [...mergedRuns(ids)].sort(([a], [b]) => a - b);

/**
 * Takes runs read from a snapshot as they are, checking their shape without visiting the ids
 * (that would be the per-id work the runs exist to avoid): each run is whole records of its
 * width, widths ascend. The ids' order inside a run is the writer's, who sorted them (pinned by
 * used-call-ids.spec.ts); bytes damaged on the way are caught before this by the snapshot's
 * gzip checksum.
 */
export const usedCallIdsFromRuns = (
  runs: readonly (readonly [width: number, run: Uint8Array])[],
): UsedCallIds => {
  const byWidth = new Map<number, Uint8Array>();
  let mergedCount = 0;
  let previousWidth = -1;
  for (const [width, run] of runs) {
    if (!Number.isSafeInteger(width) || width <= previousWidth)
      throw new TypeError('usedCallIds run widths are not ascending whole numbers');
    if (width === 0 ? run.length !== 0 : run.length === 0 || run.length % width !== 0)
      throw new TypeError(`usedCallIds run of width ${width} is not whole ids of that width`);
    byWidth.set(width, run);
    mergedCount += width === 0 ? 1 : run.length / width;
    previousWidth = width;
  }
  return { runs: byWidth, mergedCount, recent: new Map(), recentSize: 0 };
};
