import {
  MERGE_AT_LEAST,
  callIdRunsOf,
  hasUsedCallId,
  noUsedCallIds,
  usedCallIdsFromRuns,
  withCallId,
  type UsedCallIds,
} from './used-call-ids.js';

/** Ids of several lengths, ASCII or not (UTF-8 widths differ from string lengths), and the empty id. */
const idOf = (n: number): string => [`c${n}`, `call-${n}`, `呼${n}`, `é-${n % 97}-${n}`][n % 4]!;
const fold = (ids: readonly string[], from: UsedCallIds = noUsedCallIds): UsedCallIds =>
  ids.reduce(withCallId, from);
const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
};
const records = (width: number, run: Uint8Array): Uint8Array[] =>
  Array.from({ length: run.length / width }, (_, i) => run.subarray(i * width, (i + 1) * width));

describe('used call ids (R12)', () => {
  const many = [...Array.from({ length: 3 * MERGE_AT_LEAST }, (_, n) => idOf(n)), ''];

  it('answers as a set of every id added would, across merges into runs', () => {
    let ids = noUsedCallIds;
    const seen = new Set<string>();
    for (const [n, callId] of many.entries()) {
      expect(hasUsedCallId(ids, callId)).toBe(false);
      ids = withCallId(ids, callId);
      seen.add(callId);
      if (n % 257 === 0)
        for (const probe of [callId, idOf(n + 1), idOf(n - 1), 'none']) {
          expect([probe, hasUsedCallId(ids, probe)]).toEqual([probe, seen.has(probe)]);
        }
    }
    expect(ids.runs.size).toBeGreaterThan(0);
    expect(many.every((callId) => hasUsedCallId(ids, callId))).toBe(true);
    expect(['c-1', 'call-', '呼', 'é', 'zzz'].some((callId) => hasUsedCallId(ids, callId))).toBe(false);
  });

  it('an id added twice is used once', () => {
    const ids = fold(['a', 'b', 'a']);
    expect(ids.recentSize).toBe(2);
  });

  it('a state decided on again keeps meaning exactly its ids, before and after a merge', () => {
    const before = fold(many.slice(0, MERGE_AT_LEAST - 1));
    const merged = withCallId(before, 'x-first');
    expect(merged.runs.size).toBeGreaterThan(0);
    const other = withCallId(before, 'x-second');
    const later = withCallId(merged, 'x-third');
    expect([hasUsedCallId(before, 'x-first'), hasUsedCallId(before, 'x-second')]).toEqual([false, false]);
    expect([hasUsedCallId(merged, 'x-first'), hasUsedCallId(merged, 'x-second')]).toEqual([true, false]);
    expect([hasUsedCallId(other, 'x-first'), hasUsedCallId(other, 'x-second')]).toEqual([false, true]);
    expect([hasUsedCallId(merged, 'x-third'), hasUsedCallId(later, 'x-third')]).toEqual([false, true]);
  });

  it('writes runs of whole records, sorted bytewise without repeats, by ascending width', () => {
    const runs = callIdRunsOf(fold(many));
    expect(runs.map(([width]) => width)).toEqual(
      [...new Set(runs.map(([width]) => width))].sort((a, b) => a - b),
    );
    const utf8 = new TextEncoder();
    const decoder = new TextDecoder();
    for (const [width, run] of runs) {
      if (width === 0) continue;
      const sorted = records(width, run);
      for (let i = 1; i < sorted.length; i++)
        expect(compareBytes(sorted[i - 1]!, sorted[i]!)).toBeLessThan(0);
      for (const record of sorted) expect(utf8.encode(decoder.decode(record)).length).toBe(width);
    }
    const written = runs.flatMap(([width, run]) =>
      width === 0 ? [''] : records(width, run).map((r) => decoder.decode(r)),
    );
    expect(written.sort()).toEqual([...many].sort());
  });

  it('read back from its runs, answers as the state written', () => {
    const ids = fold(many.slice(0, MERGE_AT_LEAST + 10));
    const read = usedCallIdsFromRuns(callIdRunsOf(ids).map(([width, run]) => [width, run.slice()]));
    expect(read.mergedCount).toBe(MERGE_AT_LEAST + 10);
    for (const callId of [...many.slice(0, MERGE_AT_LEAST + 20), 'none'])
      expect([callId, hasUsedCallId(read, callId)]).toEqual([callId, hasUsedCallId(ids, callId)]);
    const grown = withCallId(read, 'next');
    expect([hasUsedCallId(grown, 'next'), hasUsedCallId(read, 'next')]).toEqual([true, false]);
  });

  it('refuses runs of another shape', () => {
    const bytes = new TextEncoder().encode('c1c2');
    for (const bad of [
      [[2, bytes.subarray(0, 3)]],
      [[2, new Uint8Array(0)]],
      [[0, bytes]],
      [[-1, bytes]],
      [[1.5, bytes]],
      [
        [2, bytes],
        [2, bytes],
      ],
      [
        [4, bytes],
        [2, bytes],
      ],
    ] as const) {
      expect(() => usedCallIdsFromRuns(bad)).toThrow(TypeError);
    }
  });
});
