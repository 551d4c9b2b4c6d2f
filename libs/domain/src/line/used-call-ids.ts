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
 * - `numbered`: the merged ids that are a prefix and a number written as String(n) writes it (`c1`,
 *   `call-42`, `acct-7-c130`: what counters and the load generator hand out), as intervals of
 *   numbers per prefix: `[low0, high0, low1, high1, …]`, sorted, apart by at least one missing
 *   number. A line whose ids count up keeps one interval however many calls it had, so its
 *   snapshot holds 16 bytes for them instead of every id; sparse numbers cost 16 bytes each, about
 *   what their records would. An id is kept there once its prefix is (two of a merge have it, or an
 *   earlier merge kept it there); before that, and with a leading zero or more than 15 digits
 *   (`c01`), in `runs`. So a random id that happens to end in digits costs no prefix of its own, and
 *   a lookup asks both.
 * - `recent`: the ids added since the last merge, by the place they were added in. The map is
 *   shared by the states folded one after another, each seeing the ids placed before its
 *   `recentSize`; a state adds to the shared map only when it is the newest state sharing it (the
 *   fold's case), and deciding twice from an older state copies the map first. Runs are never
 *   written to, only replaced, so every state keeps meaning exactly the ids folded into it.
 *
 * Recent ids are merged into the runs and intervals once they are an eighth of the merged entries
 * (records and intervals; at least MERGE_AT_LEAST): a merge copies those, so merging in proportion
 * keeps a fold's copying in proportion to its ids (a geometric series) while the map stays small.
 *
 * Memory, measured for 100,000 ids folded one by one: `past-N` take one interval (16 bytes) and 672
 * ids in the map; `acct-1234-c<7n>` (sparse, as a load run spreads an account's ids over its lines)
 * 1.6 MB of intervals; `call-<uuid>` 4.1 MB of runs; each with at most 2,839 ids in the map, against
 * 7 MB as a Map of every `past-N`. A lookup costs a few microseconds (an encode and about 17
 * comparisons).
 */
export interface UsedCallIds {
  /** Merged ids by width (UTF-8 bytes): one run of sorted fixed-width records each. */
  readonly runs: ReadonlyMap<number, Uint8Array>;
  /** Merged numbered ids by prefix: sorted inclusive intervals of their numbers, end to end. */
  readonly numbered: ReadonlyMap<string, Float64Array>;
  /** Records and intervals merged: what a merge copies. */
  readonly mergedCount: number;
  readonly recent: ReadonlyMap<string, number>;
  readonly recentSize: number;
}

export const MERGE_AT_LEAST = 1024;

export const noUsedCallIds: UsedCallIds = {
  runs: new Map(),
  numbered: new Map(),
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

/** Digits at most: every number of 15 digits is a safe integer, so a Float64Array holds it exactly. */
const MAX_DIGITS = 15;

/** `[prefix, n]` for an id that is a prefix (not ending in a digit) and String(n); else undefined. */
const numberedId = (callId: string): readonly [prefix: string, n: number] | undefined => {
  let start = callId.length;
  while (start > 0 && callId.charCodeAt(start - 1) >= 48 && callId.charCodeAt(start - 1) <= 57) start--;
  const digits = callId.length - start;
  if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && callId.charCodeAt(start) === 48))
    return undefined;
  return [callId.slice(0, start), Number(callId.slice(start))];
};

/** The index of the first interval of `intervals` whose low end is above `n`. */
const intervalAbove = (intervals: Float64Array, n: number): number => {
  let low = 0;
  let high = intervals.length >>> 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (intervals[2 * middle]! <= n) low = middle + 1;
    else high = middle;
  }
  return low;
};

const inIntervals = (numbered: UsedCallIds['numbered'], [prefix, n]: readonly [string, number]): boolean => {
  const intervals = numbered.get(prefix);
  if (intervals === undefined) return false;
  const above = intervalAbove(intervals, n);
  return above > 0 && n <= intervals[2 * above - 1]!;
};

export const hasUsedCallId = (ids: UsedCallIds, callId: string): boolean => {
  const place = ids.recent.get(callId);
  if (place !== undefined && place < ids.recentSize) return true;
  const numbered = ids.numbered.size === 0 ? undefined : numberedId(callId);
  return (numbered !== undefined && inIntervals(ids.numbered, numbered)) || inRuns(ids.runs, callId);
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

/** Merges sorted numbers, none of them in `intervals`, into new intervals; `intervals` stay as they were. */
const mergeIntervals = (intervals: Float64Array, added: readonly number[]): Float64Array => {
  const merged: number[] = [];
  const take = (low: number, high: number) => {
    const last = merged.length - 1;
    if (last > 0 && merged[last]! + 1 >= low) merged[last] = high;
    else merged.push(low, high);
  };
  let next = 0;
  for (const n of added) {
    for (; next < intervals.length && intervals[next]! < n; next += 2)
      take(intervals[next]!, intervals[next + 1]!);
    take(n, n);
  }
  for (; next < intervals.length; next += 2) take(intervals[next]!, intervals[next + 1]!);
  return Float64Array.from(merged);
};

/** The merged ids with the recent ones this state sees merged in (new maps; the state's stay as they were). */
const merged = ({
  runs,
  numbered,
  recent,
  recentSize,
}: UsedCallIds): Pick<UsedCallIds, 'runs' | 'numbered' | 'mergedCount'> => {
  const byWidth = new Map<number, Uint8Array[]>();
  const byPrefix = new Map<string, number[]>();
  for (const [callId, place] of recent) {
    if (place >= recentSize) continue;
    const number = numberedId(callId);
    if (number) addTo(byPrefix, number[0], number[1]);
    else addRecord(byWidth, callId);
  }
  // A prefix met once (a random id that happens to end in digits) is a record: an interval list
  // per such id would cost a prefix each.
  for (const [prefix, added] of byPrefix) {
    if (added.length > 1 || numbered.has(prefix)) continue;
    addRecord(byWidth, `${prefix}${added[0]!}`);
    byPrefix.delete(prefix);
  }
  const mergedRuns = new Map(runs);
  for (const [width, added] of byWidth)
    mergedRuns.set(width, mergeRun(runs.get(width) ?? new Uint8Array(0), width, added.sort(compareBytes)));
  const mergedNumbered = new Map(numbered);
  for (const [prefix, added] of byPrefix)
    mergedNumbered.set(
      prefix,
      mergeIntervals(
        numbered.get(prefix) ?? new Float64Array(0),
        added.sort((a, b) => a - b),
      ),
    );
  return { runs: mergedRuns, numbered: mergedNumbered, mergedCount: countOf(mergedRuns, mergedNumbered) };
};

const addTo = <Key, Value>(lists: Map<Key, Value[]>, key: Key, value: Value): void => {
  const list = lists.get(key);
  if (list) list.push(value);
  else lists.set(key, [value]);
};

const addRecord = (byWidth: Map<number, Uint8Array[]>, callId: string): void => {
  const id = utf8.encode(callId);
  addTo(byWidth, id.length, id);
};

/** Records and intervals (see UsedCallIds.mergedCount). */
const countOf = (runs: UsedCallIds['runs'], numbered: UsedCallIds['numbered']): number => {
  let count = 0;
  for (const [width, run] of runs) count += width === 0 ? 1 : run.length / width;
  for (const intervals of numbered.values()) count += intervals.length >>> 1;
  return count;
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
  return { ...merged(added), recent: new Map(), recentSize: 0 };
};

/** Every id this state sees that is not numbered, as runs `[width, sorted records]` by ascending width. */
export const callIdRunsOf = (ids: UsedCallIds): (readonly [width: number, run: Uint8Array])[] =>
  [...merged(ids).runs].sort(([a], [b]) => a - b);

/** Every numbered id this state sees, as `[prefix, intervals]` by prefix (see UsedCallIds.numbered). */
export const numberedCallIdsOf = (ids: UsedCallIds): (readonly [prefix: string, intervals: Float64Array])[] =>
  [...merged(ids).numbered].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Takes runs and intervals read from a snapshot as they are, checking their shape without visiting
 * the ids (that would be the per-id work they exist to avoid): each run is whole records of its
 * width, widths ascend; each prefix has whole, non-empty intervals, prefixes ascend and end in no
 * digit. The order inside a run or a prefix's intervals is the writer's, who sorted them (pinned by
 * used-call-ids.spec.ts); bytes damaged on the way are caught before this by the snapshot's gzip
 * checksum.
 */
export const usedCallIdsFromRuns = (
  runs: readonly (readonly [width: number, run: Uint8Array])[],
  numbered: readonly (readonly [prefix: string, intervals: Float64Array])[] = [],
): UsedCallIds => {
  const byWidth = new Map<number, Uint8Array>();
  let previousWidth = -1;
  for (const [width, run] of runs) {
    if (!Number.isSafeInteger(width) || width <= previousWidth)
      throw new TypeError('usedCallIds run widths are not ascending whole numbers');
    if (width === 0 ? run.length !== 0 : run.length === 0 || run.length % width !== 0)
      throw new TypeError(`usedCallIds run of width ${width} is not whole ids of that width`);
    byWidth.set(width, run);
    previousWidth = width;
  }
  const byPrefix = new Map<string, Float64Array>();
  let previousPrefix: string | undefined;
  for (const [prefix, intervals] of numbered) {
    if (typeof prefix !== 'string' || (previousPrefix !== undefined && prefix <= previousPrefix))
      throw new TypeError('numbered call id prefixes are not ascending strings');
    if (numberedId(`${prefix}1`)?.[0] !== prefix)
      throw new TypeError(`numbered call id prefix "${prefix}" ends in a digit`);
    if (intervals.length === 0 || intervals.length % 2 !== 0)
      throw new TypeError(`numbered call ids of "${prefix}" are not whole intervals`);
    byPrefix.set(prefix, intervals);
    previousPrefix = prefix;
  }
  return {
    runs: byWidth,
    numbered: byPrefix,
    mergedCount: countOf(byWidth, byPrefix),
    recent: new Map(),
    recentSize: 0,
  };
};
