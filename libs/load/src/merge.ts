import type { RunManifest } from '#stack';
import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { newHistogram } from './metrics.js';
import {
  buildSummary,
  type LoadSummary,
  type MeasuredRun,
  type MergeData,
  type WarmUpSummary,
} from './report.js';
import { parseShard } from './shard.js';
import { duration, figure } from './summary-table.js';
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

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What a file's JSON lacks to be a `load run --out` result `mergeResults` can add up, as
 * `path: what it is instead` (empty when nothing): every member the merge reads, with its type, and
 * every histogram encoding decoding. A file cut or edited by hand crashed the merge with a message
 * naming neither the file nor the member ("Cannot read properties of null", "incorrect header
 * check"), or merged into a wrong table ("NaN ms", a negative count) with exit code 0.
 */
export const resultShapeProblems = (summary: unknown): string[] => {
  const problems: string[] = [];
  if (!isObject(summary)) return [`the file holds ${JSON.stringify(summary)}, not a result object`];
  const at = (path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>(
        (value, key) => (isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined),
        summary,
      );
  const count = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
  const need = (path: string, ok: (value: unknown) => boolean, what: string): void => {
    const value = at(path);
    if (!ok(value))
      problems.push(`${path} is ${value === undefined ? 'missing' : JSON.stringify(value)}, not ${what}`);
  };
  const histogram = (value: unknown): boolean => {
    if (typeof value !== 'string') return false;
    try {
      decodeFromCompressedBase64(value);
      return true;
    } catch {
      return false;
    }
  };
  const recordOf = (ok: (value: unknown) => boolean) => (value: unknown) =>
    isObject(value) && Object.values(value).every(ok);
  need('manifest', isObject, 'an object');
  // The shards are told apart by these: one missing was compared as "has undefined".
  if (isObject(at('manifest'))) {
    need('manifest.seed', (v) => typeof v === 'string', "a string (the run's --seed)");
    need('manifest.runId', (v) => typeof v === 'string', "a string (the run's --run-id)");
  }
  need('model', isObject, 'an object');
  if (isObject(at('model'))) need('model.kind', (v) => v === 'open' || v === 'closed', '"open" or "closed"');
  need('accountId', (v) => typeof v === 'string', 'a string');
  for (const path of [
    'calls.started',
    'calls.completed',
    'calls.failed',
    'commands.sent',
    'commands.completed',
  ])
    need(path, count, 'a count');
  need('commands.errors', count, 'a count');
  need('rate.lateSends', count, 'a count');
  need('rate.lateThresholdMs', (v) => typeof v === 'number' && Number.isFinite(v), 'a number');
  need('outcomes', recordOf(count), 'counts by outcome');
  need('failuresByType', recordOf(count), 'counts by command type');
  need(
    'thresholds',
    (v) => Array.isArray(v) && v.every((t) => isObject(t) && typeof t.threshold === 'string'),
    'a list of thresholds',
  );
  need('merge.shard', (v) => v === null || typeof v === 'string', 'i/n or null');
  need('merge.scheduledCalls', count, 'a count');
  need('merge.startedAtMs', (v) => typeof v === 'number' && Number.isFinite(v), 'a time in ms');
  need('merge.endedAtMs', (v) => typeof v === 'number' && Number.isFinite(v), 'a time in ms');
  // A file written before it was kept has none: its rates are counted as its schedule planned.
  need(
    'merge.arrivalsEndedAtMs',
    (v) => v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v)),
    'a time in ms or null',
  );
  need('merge.histograms.all', histogram, 'a histogram encoding');
  need('merge.histograms.sendDelay', histogram, 'a histogram encoding');
  need('merge.histograms.byType', recordOf(histogram), 'histogram encodings by command type');
  need('merge.histograms.byFlow', recordOf(histogram), 'histogram encodings by call flow');
  // A file written before --warm-up existed has no `warmUp`: it had none.
  if (at('warmUp') !== undefined && at('warmUp') !== null) {
    need('warmUp.durationMs', (v) => typeof v === 'number' && Number.isFinite(v), 'a duration in ms');
    for (const path of [
      'warmUp.calls.started',
      'warmUp.calls.completed',
      'warmUp.calls.failed',
      'warmUp.commands.sent',
      'warmUp.commands.completed',
      'warmUp.commands.errors',
    ])
      need(path, count, 'a count');
    need('warmUp.outcomes', recordOf(count), 'counts by outcome');
  }
  if (at('lag') !== null) {
    need('lag.unresolved', count, 'a count');
    need('lag.pollErrors', count, 'a count');
    need('merge.histograms.lag', histogram, 'a histogram encoding');
  }
  return problems;
};

/**
 * Why these files are not the shards of one run, in words naming the files: each must be a
 * `load run --shard i/n` result with the same n, seed, run id, model and thresholds, every i once.
 */
export const mergeProblems = (results: readonly ShardResult[], thresholdsGiven: boolean): string[] => {
  if (results.length === 0) return ['give the --out files of the shards to merge'];
  const problems: string[] = [];
  const withData = results.filter(({ file, summary }) => {
    if (isObject(summary) && isObject(summary.merge) && summary.merge.histograms) {
      const shape = resultShapeProblems(summary);
      if (shape.length === 0) return true;
      problems.push(`${file} is not a whole \`load run --out\` result: ${shape.join(', ')}`);
      return false;
    }
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
  const shards: { file: string; index: number; count: number }[] = [];
  for (const r of withData) {
    try {
      shards.push({ file: r.file, ...parseShard(r.summary.merge.shard!) });
    } catch (error) {
      problems.push(`${r.file}: its merge.shard is no shard: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) return problems;
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
 * The shards' warm-ups as one: each shard warmed up its own part of the run for the same time, so
 * their counts add up and the duration is theirs; none when the shards ran without one.
 */
const addWarmUps = (warmUps: readonly (WarmUpSummary | null | undefined)[]): WarmUpSummary | undefined => {
  const ran = warmUps.filter((warmUp): warmUp is WarmUpSummary => !!warmUp);
  if (ran.length === 0) return undefined;
  const total = (figure: (warmUp: WarmUpSummary) => number): number => sumOf(ran.map(figure));
  return {
    durationMs: Math.max(...ran.map((warmUp) => warmUp.durationMs)),
    calls: {
      started: total((w) => w.calls.started),
      completed: total((w) => w.calls.completed),
      failed: total((w) => w.calls.failed),
    },
    commands: {
      sent: total((w) => w.commands.sent),
      completed: total((w) => w.commands.completed),
      errors: total((w) => w.commands.errors),
    },
    outcomes: Object.fromEntries(
      [...addCounts(ran.map((w) => w.outcomes)).entries()].sort(([a], [b]) => a.localeCompare(b)),
    ),
  };
};

/**
 * The share of the merged window by which the shards' starts may differ before the merge says so:
 * past it, the merged rates (counts over the whole window) read noticeably below the target.
 */
export const START_SPREAD_WARNING = 0.1;

/**
 * A warning when the shards' measured phases did not start together: the merged window runs from the
 * first start to the last answer, so shards started seconds apart (each when its own setup was done)
 * were merged into rates far below their target, with nothing saying why. The counts stay exact.
 */
export const startSpreadWarning = (startsMs: readonly number[], windowMs: number): string | undefined => {
  const spreadMs = Math.max(...startsMs) - Math.min(...startsMs);
  if (!(spreadMs > START_SPREAD_WARNING * windowMs)) return undefined;
  return (
    `the shards started up to ${duration(spreadMs)} apart, ${figure((100 * spreadMs) / windowMs)}% of ` +
    'the merged window: the merged rates are spread over it and read low; start the shards together ' +
    'with `load run --start-at`'
  );
};

/** The last shard's end of arrivals, when every shard kept one (the open model's, see MergeData). */
const arrivalsEnded = (data: readonly MergeData[]): { arrivalsEndedAtMs?: number } => {
  const ends = data.map((d) => d.arrivalsEndedAtMs).filter((end) => typeof end === 'number');
  return ends.length === data.length ? { arrivalsEndedAtMs: Math.max(...ends) } : {};
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
    ...arrivalsEnded(data),
    metrics,
    lag: first.lag
      ? {
          histogram: addEncoded(data.map((d) => d.histograms.lag!)),
          unresolved: sumOf(summaries.map((s) => s.lag!.unresolved)),
          pollErrors: sumOf(summaries.map((s) => s.lag!.pollErrors)),
        }
      : undefined,
  };
  const spread = startSpreadWarning(
    data.map((d) => d.startedAtMs),
    run.endedAtMs - run.startedAtMs,
  );
  // A file written before `interrupted` existed has none: it was not interrupted, or did not say.
  const interrupted = results.filter((r) => r.summary.interrupted === true).map((r) => r.file);
  const { shard: _shard, ...model } = first.model;
  if (model.kind === 'closed') model.concurrency = sumOf(summaries.map((s) => Number(s.model.concurrency)));
  return buildSummary({
    manifest: options.manifest,
    model: { ...model, shards: results.length },
    accountId: first.accountId,
    run,
    thresholds: options.thresholds ?? first.thresholds.map((t) => parseThreshold(t.threshold)),
    warmUp: addWarmUps(summaries.map((s) => s.warmUp)),
    warnings: [
      ...(interrupted.length === 0 ? [] : [`interrupted shards: ${interrupted.join(', ')}`]),
      ...(spread === undefined ? [] : [spread]),
    ],
    interrupted: interrupted.length > 0,
  });
};
