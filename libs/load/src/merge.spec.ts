import type { RunManifest } from '#stack';
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { addEncoded, mergeProblems, mergeResults, type ShardResult } from './merge.js';
import { LagTracker, Metrics } from './metrics.js';
import { buildSummary, INTERRUPTED_WARNING, type LoadSummary } from './report.js';
import { renderSummary } from './summary-table.js';
import { parseThreshold } from './thresholds.js';

const manifest = (command: string): RunManifest => ({ command, seed: 's', runId: 'r' }) as RunManifest;

/** A shard that answered `latencies` (ms) from `startedAtMs` on, every fifth one rejected as LINE_BUSY. */
const shardRun = (
  shard: { index: number; count: number },
  latencies: readonly number[],
  startedAtMs: number,
  thresholds = ['p99<50ms', 'errors<30%'],
  interrupted = false,
): { summary: LoadSummary; metrics: Metrics; lag: LagTracker } => {
  const metrics = new Metrics(5);
  const lag = new LagTracker();
  latencies.forEach((latency, i) => {
    const ok = i % 5 !== 4;
    metrics.record({
      type: i % 2 ? 'answerCall' : 'hangUp',
      flow: 'ring-answer',
      intendedAt: i,
      sentAt: i + (i % 7),
      doneAt: i + latency,
      outcome: ok ? 'ok' : '409 LINE_BUSY',
      ok,
    });
    lag.track(BigInt(i), 0);
  });
  lag.observe(BigInt(latencies.length), 3);
  const summary = buildSummary({
    manifest: manifest('load run'),
    model: { kind: 'closed', concurrency: 2, maxCalls: 100, shard: `${shard.index}/${shard.count}` },
    accountId: 'load-s-r',
    run: {
      counters: { callsStarted: 10, callsCompleted: 8, callsFailed: 2, sent: latencies.length, scheduled: 0 },
      startedAtMs,
      endedAtMs: startedAtMs + 1_000,
      metrics,
      lag: { histogram: lag.histogram, unresolved: 1, pollErrors: 0 },
    },
    thresholds: thresholds.map(parseThreshold),
    shard,
    interrupted,
  });
  // Read back as `load merge` reads the --out file.
  return { summary: JSON.parse(JSON.stringify(summary)) as LoadSummary, metrics, lag };
};

const latencies = (n: number, from: number): number[] =>
  Array.from({ length: n }, (_, i) => from + ((i * 37) % 90));

describe('load merge', () => {
  const one = shardRun({ index: 1, count: 2 }, latencies(200, 1), 1_000_000);
  const two = shardRun({ index: 2, count: 2 }, latencies(300, 5), 1_000_400);
  const results: ShardResult[] = [
    { file: 'one.json', summary: one.summary },
    { file: 'two.json', summary: two.summary },
  ];

  it("adds the shards' histograms exactly: the merged one is the sum, bucket by bucket", () => {
    // Given two shards' results, When merged
    const merged = mergeResults(results, { manifest: manifest('load merge') });
    // Then the merged latency histogram is the sum of the two recorded ones, and its percentiles are the sum's
    const sum = addEncoded([one.summary.merge.histograms.all, two.summary.merge.histograms.all]);
    const expected = decodeFromCompressedBase64(encodeIntoCompressedBase64(one.metrics.all));
    expected.add(two.metrics.all);
    expect(encodeIntoCompressedBase64(sum)).toBe(encodeIntoCompressedBase64(expected));
    expect(merged.merge.histograms.all).toBe(encodeIntoCompressedBase64(sum));
    expect(merged.latency.all.count).toBe(500);
    expect(merged.latency.all.p99).toBe(
      Math.round(Math.min(sum.getValueAtPercentile(99), sum.maxValue)) / 1000,
    );
    // Not the average of the shards' p99s
    expect(merged.latency.all.p99).not.toBe((one.summary.latency.all.p99 + two.summary.latency.all.p99) / 2);
    expect(merged.latency.byType.answerCall!.count).toBe(
      one.summary.latency.byType.answerCall!.count + two.summary.latency.byType.answerCall!.count,
    );
    expect(merged.lag!.count).toBe(500);
    expect(merged.lag!.unresolved).toBe(2);
  });

  it('adds counts and outcomes, spans the window from the first start to the last answer, and decides once', () => {
    const merged = mergeResults(results, { manifest: manifest('load merge') });
    expect(merged.calls).toEqual({ started: 20, completed: 16, failed: 4 });
    expect(merged.commands).toEqual({ sent: 500, completed: 500, ok: 400, errors: 100 });
    expect(merged.outcomes).toEqual({ ok: 400, '409 LINE_BUSY': 100 });
    expect(merged.elapsedMs).toBe(1_400);
    expect(merged.rate.commandsPerSecond).toBeCloseTo(500 / 1.4, 2);
    expect(merged.model).toEqual({ kind: 'closed', concurrency: 4, maxCalls: 100, shards: 2 });
    expect(merged.thresholds.map((t) => [t.threshold, t.passed])).toEqual([
      ['p99<50ms', false],
      ['errors<30%', true],
    ]);
    expect(merged.passed).toBe(false);
    // --threshold on the merge decides instead
    const relaxed = mergeResults(results, {
      manifest: manifest('load merge'),
      thresholds: [parseThreshold('p99<1s')],
    });
    expect(relaxed.passed).toBe(true);
  });

  it('warns, in its table and its JSON, when the shards started apart, and adds their counts all the same', () => {
    // Given shard 2 started 400 ms after shard 1, each measuring for 1 s
    // When they are merged
    const apart = mergeResults(results, { manifest: manifest('load merge') });
    // Then the merge says why its rates read low, and how to start the shards together
    const warning =
      'the shards started up to 400 ms apart, 28.6% of the merged window: the merged rates are spread ' +
      'over it and read low; start the shards together with `load run --start-at`';
    expect(apart.warnings).toEqual([warning]);
    expect(renderSummary(apart).split('\n')[1]).toBe(`  warning ............ ${warning}`);
    // And given the same shards started 100 ms apart (under a tenth of the window), When merged
    const near = shardRun({ index: 2, count: 2 }, latencies(300, 5), 1_000_100);
    const together = mergeResults([results[0]!, { file: 'two.json', summary: near.summary }], {
      manifest: manifest('load merge'),
    });
    // Then nothing is said, and the counts are the same either way
    expect(together.warnings).toEqual([]);
    expect(renderSummary(together)).not.toContain('warning');
    expect(together.commands).toEqual(apart.commands);
    expect(together.calls).toEqual(apart.calls);
    expect(together.outcomes).toEqual(apart.outcomes);
  });

  it('says a shard stopped by Ctrl-C, and a merge of it passes no threshold, though each held', () => {
    // Given a shard whose run passed every threshold, and one stopped by Ctrl-C that held them too
    const held = shardRun({ index: 1, count: 2 }, latencies(200, 1), 1_000_000, ['p99<1s']);
    const cut = shardRun({ index: 2, count: 2 }, latencies(300, 5), 1_000_000, ['p99<1s'], true);
    expect(held.summary.passed).toBe(true);
    expect(cut.summary.thresholds.every((result) => result.passed)).toBe(true);
    // Then the interrupted shard does not pass, and its table says why first
    expect(cut.summary).toMatchObject({ interrupted: true, passed: false, warnings: [INTERRUPTED_WARNING] });
    expect(renderSummary(cut.summary).split('\n')[1]).toBe(`  warning ............ ${INTERRUPTED_WARNING}`);
    // When the two are merged
    const merged = mergeResults(
      [
        { file: 'one.json', summary: held.summary },
        { file: 'two.json', summary: cut.summary },
      ],
      { manifest: manifest('load merge') },
    );
    // Then the merge names the shard, is interrupted, and passes nothing
    expect(merged).toMatchObject({ interrupted: true, passed: false });
    expect(merged.warnings).toEqual([INTERRUPTED_WARNING, 'interrupted shards: two.json']);
    // And a shard's file from before `interrupted` existed counts as whole
    const { interrupted: _, ...older } = held.summary;
    const whole = mergeResults(
      [
        { file: 'one.json', summary: older as LoadSummary },
        { file: 'two.json', summary: shardRun({ index: 2, count: 2 }, [1], 1_000_000, ['p99<1s']).summary },
      ],
      { manifest: manifest('load merge') },
    );
    expect(whole).toMatchObject({ interrupted: false, passed: true });
  });

  it("adds the shards' warm-ups up apart from the measured figures, and refuses shards that warmed up differently", () => {
    // Given two shards that each warmed up their own part for 2 s
    const warmUp = (started: number, errors: number) => ({
      durationMs: 2_000,
      calls: { started, completed: started - errors, failed: errors },
      commands: { sent: 4 * started, completed: 4 * started, errors },
      outcomes: { ok: 4 * started - errors, '409 LINE_BUSY': errors },
    });
    const warmed = (result: ShardResult, started: number, errors: number): ShardResult => ({
      file: result.file,
      summary: {
        ...result.summary,
        model: { ...result.summary.model, warmUpMs: 2_000 },
        warmUp: warmUp(started, errors),
      },
    });
    const shards = [warmed(results[0]!, 10, 1), warmed(results[1]!, 12, 3)];
    // When they are merged
    const merged = mergeResults(shards, { manifest: manifest('load merge') });
    // Then the warm-ups are added up, on their own
    expect(merged.warmUp).toEqual({
      durationMs: 2_000,
      calls: { started: 22, completed: 18, failed: 4 },
      commands: { sent: 88, completed: 88, errors: 4 },
      outcomes: { '409 LINE_BUSY': 4, ok: 84 },
    });
    // And the measured figures are those of the shards without warm-ups
    const unwarmed = mergeResults(results, { manifest: manifest('load merge') });
    expect(unwarmed.warmUp).toBeNull();
    expect(merged.commands).toEqual(unwarmed.commands);
    expect(merged.latency).toEqual(unwarmed.latency);
    // And a shard that did not warm up does not merge with one that did
    expect(mergeProblems([shards[0]!, results[1]!], false)).toEqual([
      expect.stringContaining('the shards differ in workload model'),
    ]);
    // And a warm-up edited by hand is named
    const edited = {
      ...shards[1]!,
      summary: { ...shards[1]!.summary, warmUp: { ...warmUp(1, 0), calls: null } },
    };
    expect(mergeProblems([shards[0]!, edited as unknown as ShardResult], false)).toEqual([
      expect.stringContaining('warmUp.calls.started is missing, not a count'),
    ]);
  });

  it('refuses what is not the whole set of shards of one run, saying which file is wrong', () => {
    expect(mergeProblems([results[0]!], false)).toEqual([
      'shard 2/2 is missing: merging without it would not be the whole run',
    ]);
    expect(mergeProblems([results[0]!, { ...results[0]!, file: 'again.json' }], false)).toEqual([
      'shard 1/2 is given twice: one.json, again.json',
      'shard 2/2 is missing: merging without it would not be the whole run',
    ]);
    const otherSeed = {
      file: 'x.json',
      summary: { ...two.summary, manifest: { ...two.summary.manifest, seed: 'other' } },
    };
    expect(mergeProblems([results[0]!, otherSeed], false)).toEqual([
      'the shards differ in seed: one.json has s, x.json has other; the shards of one run share it',
    ]);
    const otherThresholds = shardRun({ index: 2, count: 2 }, latencies(3, 1), 0, ['p99<1s']);
    const mixed = [results[0]!, { file: 'y.json', summary: otherThresholds.summary }];
    expect(mergeProblems(mixed, false)).toEqual([expect.stringContaining('the shards differ in thresholds')]);
    expect(mergeProblems(mixed, true)).toEqual([]);
    const whole = {
      file: 'whole.json',
      summary: { ...one.summary, merge: { ...one.summary.merge, shard: null } },
    };
    expect(mergeProblems([whole], false)).toEqual([
      expect.stringContaining("whole.json: not a shard's result"),
    ]);
    const old = { file: 'old.json', summary: { ...one.summary, merge: undefined } as unknown as LoadSummary };
    expect(mergeProblems([old], false)).toEqual([
      expect.stringContaining('old.json holds no histogram encodings'),
    ]);
    expect(() => mergeResults([results[0]!], { manifest: manifest('load merge') })).toThrow(
      'shard 2/2 is missing',
    );
  });

  it('refuses a result file cut or edited by hand, naming the file and the member, instead of crashing or merging a wrong table', () => {
    // Given shard 2's file with one member broken in each of these ways
    const broken = (edit: (summary: Record<string, unknown>) => void): ShardResult => {
      const summary = JSON.parse(JSON.stringify(two.summary)) as Record<string, unknown>;
      edit(summary);
      return { file: 'two.json', summary: summary as unknown as LoadSummary };
    };
    const merge = (summary: Record<string, unknown>) => summary.merge as Record<string, unknown>;
    const histograms = (summary: Record<string, unknown>) =>
      merge(summary).histograms as Record<string, unknown>;
    const cases: [(summary: Record<string, unknown>) => void, string][] = [
      [
        (s) => (histograms(s).all = 'HISTFAAAAgarbage'),
        'merge.histograms.all is "HISTFAAAAgarbage", not a histogram encoding',
      ],
      [
        (s) => (histograms(s).byType = null),
        'merge.histograms.byType is null, not histogram encodings by command type',
      ],
      [(s) => delete s.manifest, 'manifest is missing, not an object'],
      [
        (s) => (s.manifest = {}),
        "manifest.seed is missing, not a string (the run's --seed), manifest.runId is missing, not a string (the run's --run-id)",
      ],
      [(s) => (s.model = {}), 'model.kind is missing, not "open" or "closed"'],
      [(s) => ((s.calls as Record<string, unknown>).started = -5), 'calls.started is -5, not a count'],
      [(s) => (s.outcomes = { ok: 'many' }), 'outcomes is {"ok":"many"}, not counts by outcome'],
      [(s) => (merge(s).startedAtMs = 'x'), 'merge.startedAtMs is "x", not a time in ms'],
    ];
    for (const [edit, problem] of cases) {
      // When merged with shard 1, Then the merge is refused naming the file and the member
      expect(mergeProblems([results[0]!, broken(edit)], false)).toEqual([
        `two.json is not a whole \`load run --out\` result: ${problem}`,
      ]);
    }
    expect(mergeProblems([results[0]!, broken((s) => (merge(s).shard = '3/2'))], false)).toEqual([
      'two.json: its merge.shard is no shard: --shard 3/2: i counts from 1 to n, e.g. 1/2',
    ]);
    const nothing = { file: 'null.json', summary: null as unknown as LoadSummary };
    expect(mergeProblems([results[0]!, nothing], false)).toEqual([
      expect.stringContaining('null.json holds no histogram encodings'),
    ]);
  });
});
