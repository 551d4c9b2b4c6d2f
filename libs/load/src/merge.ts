import type { RunManifest } from '#stack';
import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { newHistogram } from './metrics.js';
import { buildSummary, type LoadSummary, type MeasuredRun } from './report.js';
import { parseShard } from './shard.js';
import { parseThreshold, type Threshold } from './thresholds.js';

/** One `--out` file of a shard, as read back. */
export interface ShardResult {
  readonly file: string;
  readonly summary: LoadSummary;
}

/** A histogram that is the sum of the encoded ones: every recorded value, none averaged. */
export const addEncoded = (encodings: readonly string[]): Histogram => {
  const sum = newHistogram();
  for (const encoding of encodings) sum.add(decodeFromCompressedBase64(encoding));
  return sum;
};

const addByKey = (maps: readonly Record<string, string>[]): Map<string, Histogram> => {
  const keys = [...new Set(maps.flatMap((map) => Object.keys(map)))].sort();
  return new Map(
    keys.map((key) => [key, addEncoded(maps.flatMap((map) => (Object.hasOwn(map, key) ? [map[key]!] : [])))]),
  );
};

const addCounts = (records: readonly Record<string, number>[]): Map<string, number> => {
  const sum = new Map<string, number>();
  for (const record of records)
    for (const [key, n] of Object.entries(record)) sum.set(key, (sum.get(key) ?? 0) + n);
  return sum;
};

const sumOf = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** The model options every shard must share: all but its own part of the closed model's parties. */
const sharedModel = (model: Record<string, unknown>): string => {
  const { shard: _shard, concurrency: _concurrency, ...rest } = model;
  return JSON.stringify(rest, Object.keys(rest).sort());
};

/**
 * Why these files are not the shards of one run, in words naming the files: each must be a
 * `load run --shard i/n` result with the same n, seed, run id, model and thresholds, every i once.
 */
export const mergeProblems = (results: readonly ShardResult[], thresholdsGiven: boolean): string[] => {
  if (results.length === 0) return ['give the --out files of the shards to merge'];
  const problems: string[] = [];
  const withData = results.filter(({ file, summary }) => {
    if (summary.merge?.histograms) return true;
    problems.push(
      `${file} holds no histogram encodings: it was not written by \`load run --out\` of this version`,
    );
    return false;
  });
  if (problems.length > 0) return problems;
  const unsharded = withData.filter((r) => r.summary.merge.shard === null).map((r) => r.file);
  if (unsharded.length > 0) {
    return [
      `${unsharded.join(', ')}: not a shard's result (run it with --shard i/n); only shards of one run merge`,
    ];
  }
  const shards = withData.map((r) => ({ file: r.file, ...parseShard(r.summary.merge.shard!) }));
  const counts = new Set(shards.map((s) => s.count));
  if (counts.size > 1) {
    problems.push(
      `the files are shards of runs split differently: ${shards.map((s) => `${s.file} is ${s.index}/${s.count}`).join(', ')}`,
    );
  } else {
    const n = shards[0]!.count;
    for (let i = 1; i <= n; i++) {
      const these = shards.filter((s) => s.index === i);
      if (these.length === 0)
        problems.push(`shard ${i}/${n} is missing: merging without it would not be the whole run`);
      if (these.length > 1)
        problems.push(`shard ${i}/${n} is given twice: ${these.map((s) => s.file).join(', ')}`);
    }
  }
  const differ = (what: string, key: (r: ShardResult) => string): void => {
    const values = new Set(results.map(key));
    if (values.size > 1) {
      problems.push(
        `the shards differ in ${what}: ${results.map((r) => `${r.file} has ${key(r)}`).join(', ')}; ` +
          'the shards of one run share it',
      );
    }
  };
  differ('seed', (r) => String(r.summary.manifest.seed));
  differ('run id', (r) => String(r.summary.manifest.runId));
  differ('account', (r) => r.summary.accountId);
  differ('workload model', (r) => sharedModel(r.summary.model));
  differ('late-send threshold', (r) => String(r.summary.rate.lateThresholdMs));
  differ('whether read-model lag was measured', (r) => String(r.summary.lag !== null));
  if (!thresholdsGiven) {
    differ('thresholds (give --threshold to merge to decide with one set)', (r) =>
      JSON.stringify(r.summary.thresholds.map((t) => t.threshold)),
    );
  }
  return problems;
};

/**
 * The shards' results as one run's: counts and histograms added, the window from the first start to
 * the last answer, and every figure and threshold computed again from those sums. The thresholds are
 * the shards' own, unless `thresholds` is given.
 */
export const mergeResults = (
  results: readonly ShardResult[],
  options: { manifest: RunManifest; thresholds?: readonly Threshold[] },
): LoadSummary => {
  const problems = mergeProblems(results, options.thresholds !== undefined);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const summaries = results.map((r) => r.summary);
  const first = summaries[0]!;
  const data = summaries.map((s) => s.merge);
  const metrics: MeasuredRun['metrics'] = {
    all: addEncoded(data.map((d) => d.histograms.all)),
    sendDelay: addEncoded(data.map((d) => d.histograms.sendDelay)),
    byType: addByKey(data.map((d) => d.histograms.byType)),
    byFlow: addByKey(data.map((d) => d.histograms.byFlow)),
    outcomes: addCounts(summaries.map((s) => s.outcomes)),
    failuresByType: addCounts(summaries.map((s) => s.failuresByType)),
    completed: sumOf(summaries.map((s) => s.commands.completed)),
    errors: sumOf(summaries.map((s) => s.commands.errors)),
    lateSends: sumOf(summaries.map((s) => s.rate.lateSends)),
    lateThresholdMs: first.rate.lateThresholdMs,
  };
  const run: MeasuredRun = {
    counters: {
      callsStarted: sumOf(summaries.map((s) => s.calls.started)),
      callsCompleted: sumOf(summaries.map((s) => s.calls.completed)),
      callsFailed: sumOf(summaries.map((s) => s.calls.failed)),
      sent: sumOf(summaries.map((s) => s.commands.sent)),
      scheduled: sumOf(data.map((d) => d.scheduledCalls)),
    },
    startedAtMs: Math.min(...data.map((d) => d.startedAtMs)),
    endedAtMs: Math.max(...data.map((d) => d.endedAtMs)),
    metrics,
    lag: first.lag
      ? {
          histogram: addEncoded(data.map((d) => d.histograms.lag!)),
          unresolved: sumOf(summaries.map((s) => s.lag!.unresolved)),
          pollErrors: sumOf(summaries.map((s) => s.lag!.pollErrors)),
        }
      : undefined,
  };
  const { shard: _shard, ...model } = first.model;
  if (model.kind === 'closed') model.concurrency = sumOf(summaries.map((s) => Number(s.model.concurrency)));
  return buildSummary({
    manifest: options.manifest,
    model: { ...model, shards: results.length },
    accountId: first.accountId,
    run,
    thresholds: options.thresholds ?? first.thresholds.map((t) => parseThreshold(t.threshold)),
  });
};
