import {
  MERGE_AT_LEAST,
  callIdRunsOf,
  hasUsedCallId,
  noUsedCallIds,
  numberedCallIdsOf,
  usedCallIdsFromRuns,
  withCallId,
  type UsedCallIds,
} from './used-call-ids.js';

/**
 * Ids of several lengths, ASCII or not (UTF-8 widths differ from string lengths), and the empty id:
 * numbered ones (a prefix and a number) and ones kept as bytes (a leading zero, no number at the end).
 */
const idOf = (n: number): string =>
  [`c${n}`, `call-${n}-x`, `呼${n}`, `é-${n % 97}-${n}`, `c0${n}`, `${n}é`][n % 6]!;
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
        for (const probe of [callId, idOf(n + 1), idOf(n + 2), 'none']) {
          expect([probe, hasUsedCallId(ids, probe)]).toEqual([probe, seen.has(probe)]);
        }
    }
    expect(ids.runs.size).toBeGreaterThan(0);
    expect(ids.numbered.size).toBeGreaterThan(0);
    expect(many.every((callId) => hasUsedCallId(ids, callId))).toBe(true);
    expect(
      ['c-1', 'call-', '呼', 'é', 'zzz', 'c00', 'c01', 'c1.5', 'c 1'].some((callId) =>
        hasUsedCallId(ids, callId),
      ),
    ).toBe(false);
  });

  it('keeps ids that count up as one interval of numbers per prefix, however many there are', () => {
    const counted = Array.from({ length: 5 * MERGE_AT_LEAST }, (_, n) => `past-${n}`);
    const ids = fold([...counted, 'c7', 'c9', 'c8', '0', '1', '2']);
    expect(numberedCallIdsOf(ids).map(([prefix, intervals]) => [prefix, [...intervals]])).toEqual([
      ['', [0, 2]],
      ['c', [7, 9]],
      ['past-', [0, 5 * MERGE_AT_LEAST - 1]],
    ]);
    expect(callIdRunsOf(ids)).toEqual([]);
    expect([-1, 5 * MERGE_AT_LEAST].map((n) => hasUsedCallId(ids, `past-${n}`))).toEqual([false, false]);
  });

  it('keeps as bytes, not as a number: a leading zero, more than 15 digits, a prefix met once', () => {
    const bytesOnly = ['c01', 'c00', 'c1234567890123456', '007', 'a1b2-3', 'x-9'];
    const numbers = ['c0', 'c1', 'c123456789012345', '7', '8'];
    const ids = fold([
      ...bytesOnly,
      ...numbers,
      ...Array.from({ length: MERGE_AT_LEAST - 11 }, (_, n) => `m${n}`),
    ]);
    expect(ids.recentSize).toBe(0);
    const decoder = new TextDecoder();
    const inRuns = callIdRunsOf(ids).flatMap(([width, run]) =>
      records(width, run).map((r) => decoder.decode(r)),
    );
    expect(inRuns.sort()).toEqual([...bytesOnly].sort());
    expect(
      numberedCallIdsOf(ids)
        .filter(([prefix]) => prefix !== 'm')
        .map(([p, i]) => [p, [...i]]),
    ).toEqual([
      ['', [7, 8]],
      ['c', [0, 1, 123456789012345, 123456789012345]],
    ]);
    for (const callId of [...bytesOnly, ...numbers])
      expect([callId, hasUsedCallId(ids, callId)]).toEqual([callId, true]);
    for (const callId of ['c001', 'c2', 'c123456789012346', '07', '9', 'a1b2-4', 'x-8'])
      expect([callId, hasUsedCallId(ids, callId)]).toEqual([callId, false]);
  });

  it('merges numbers into the intervals they touch, and leaves a gap of one number a gap', () => {
    const odd = fold(Array.from({ length: MERGE_AT_LEAST }, (_, n) => `n${2 * n + 1}`));
    expect(numberedCallIdsOf(odd)[0]![1]).toHaveLength(2 * MERGE_AT_LEAST);
    const filled = fold(
      Array.from({ length: MERGE_AT_LEAST + 1 }, (_, n) => `n${2 * n}`),
      odd,
    );
    expect(numberedCallIdsOf(filled).map(([prefix, intervals]) => [prefix, [...intervals]])).toEqual([
      ['n', [0, 2 * MERGE_AT_LEAST]],
    ]);
    expect(numberedCallIdsOf(odd)[0]![1]).toHaveLength(2 * MERGE_AT_LEAST);
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
    const numbers = numberedCallIdsOf(fold(many)).flatMap(([prefix, intervals]) => {
      for (let i = 2; i < intervals.length; i += 2)
        expect(intervals[i]!).toBeGreaterThan(intervals[i - 1]! + 1);
      const ids: string[] = [];
      for (let i = 0; i < intervals.length; i += 2)
        for (let n = intervals[i]!; n <= intervals[i + 1]!; n++) ids.push(`${prefix}${n}`);
      return ids;
    });
    expect([...written, ...numbers].sort()).toEqual([...many].sort());
  });

  it('read back from its runs and intervals, answers as the state written', () => {
    const ids = fold(many.slice(0, MERGE_AT_LEAST + 10));
    const read = usedCallIdsFromRuns(
      callIdRunsOf(ids).map(([width, run]) => [width, run.slice()]),
      numberedCallIdsOf(ids).map(([prefix, intervals]) => [prefix, intervals.slice()]),
    );
    // Each id of `many` is a record or an interval of its own: no two numbers of one prefix touch.
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
    const interval = new Float64Array([1, 3]);
    for (const bad of [
      [['c', new Float64Array(0)]],
      [['c', new Float64Array([1, 3, 5])]],
      [['c1', interval]],
      [
        ['d', interval],
        ['c', interval],
      ],
      [
        ['c', interval],
        ['c', interval],
      ],
    ] as const) {
      expect(() => usedCallIdsFromRuns([], bad)).toThrow(TypeError);
    }
  });
});
