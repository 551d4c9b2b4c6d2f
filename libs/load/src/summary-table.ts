import type { Percentiles } from './metrics.js';
import type { IntervalRow, LoadSummary, WarmUpSummary } from './report.js';
import type { ThresholdResult } from './thresholds.js';

/**
 * The end of a run as people read it (k6's habit): rates, latency percentiles per command type,
 * outcomes by reason, read-model lag and each threshold's verdict, every figure rounded to what a
 * reader can compare. The JSON summary (`--out`, `--json`) keeps the exact figures.
 */

/**
 * A figure with at most three significant digits, never in exponent notation: `164`, `16.4`, `3.92`,
 * `0.042`; from 1,000 up, a whole number with thousands separators.
 */
export const figure = (value: number): string => {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100 || value === 0) return String(Math.round(value));
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
};

/** A duration in ms as read: `0.042 ms`, `16.4 ms`, `164 ms`, then seconds from 1 s (`1.23 s`). */
export const duration = (ms: number): string =>
  Math.abs(ms) >= 1000 ? `${figure(ms / 1000)} s` : `${figure(ms)} ms`;

export const count = (value: number): string => value.toLocaleString('en-US');

export const percent = (part: number, whole: number): string =>
  whole === 0 ? '-' : `${figure((100 * part) / whole)}%`;

const thresholdFigure = (result: ThresholdResult): string => {
  if (result.actual === null) return 'n/a';
  switch (result.unit) {
    case 'ms':
      return duration(result.actual);
    case '%':
      return `${figure(result.actual)}%`;
    case 'commands':
      return count(result.actual);
    case 'commands/s':
      return `${figure(result.actual)}/s`;
  }
};

/**
 * Rows as columns padded to their widest cell: text left, figures right (`align` per column).
 * Trailing spaces are dropped, so a short last cell leaves no padding behind.
 */
export const columns = (
  rows: readonly (readonly string[])[],
  align: readonly ('left' | 'right')[],
): string[] => {
  const widths = align.map((_, c) => Math.max(0, ...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) =>
    align
      .map((side, c) =>
        side === 'left' ? (row[c] ?? '').padEnd(widths[c]!) : (row[c] ?? '').padStart(widths[c]!),
      )
      .join('  ')
      .trimEnd(),
  );
};

const LATENCY_HEADER = ['', 'count', 'p50', 'p90', 'p95', 'p99', 'max'];

const latencyRow = (name: string, p: Percentiles): string[] => [
  name,
  count(p.count),
  ...[p.p50, p.p90, p.p95, p.p99, p.max].map((v) => (p.count === 0 ? '-' : duration(v))),
];

/**
 * A rate as given, to 4 significant digits: `--rate 1/m` read "0.016666666666666666 calls/s".
 * Signed, for a ramp's step: a step down read "+-1/s".
 */
const givenRate = (rate: unknown, signed = false): string => {
  const value = Number(rate);
  const text = String(Number(value.toPrecision(4)));
  return signed && value >= 0 ? `+${text}` : text;
};

const describeModel = (model: Record<string, unknown>): string => {
  switch (model.kind) {
    case 'open': {
      const ramp =
        typeof model.rampStep === 'number'
          ? `, ${givenRate(model.rampStep, true)}/s every ${duration(Number(model.rampIntervalMs))}` +
            (typeof model.maxRate === 'number' ? ` up to ${givenRate(model.maxRate)}/s` : '')
          : '';
      return `open model, ${givenRate(model.rate)} calls/s${ramp}`;
    }
    case 'closed':
      return `closed model, ${count(Number(model.concurrency))} parties`;
    case 'replay':
      return `replay of ${String(model.file)} at ${model.speed === 'max' ? 'full speed' : `x${String(model.speed)}`}`;
    default:
      return String(model.kind);
  }
};

/** A line of `label ........ value`, the label padded with dots to one width. */
const LABEL_WIDTH = 20;
const labelled = (label: string, value: string): string =>
  `  ${`${label} `.padEnd(LABEL_WIDTH, '.')} ${value}`;

/** Which part of a run this is: a shard of it, or the merge of its shards. */
const describePart = (model: Record<string, unknown>): string =>
  typeof model.shard === 'string'
    ? `, shard ${model.shard}`
    : typeof model.shards === 'number'
      ? `, ${model.shards} shards merged`
      : '';

/**
 * The warm-up on one line, its errors by reason: every figure below it leaves the warm-up out, and
 * errors it met (a stack refusing from the start) must still be seen.
 */
const describeWarmUp = (warmUp: WarmUpSummary): string => {
  const reasons = Object.entries(warmUp.outcomes)
    .filter(([outcome]) => outcome !== 'ok')
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([outcome, n]) => `${outcome} ${count(n)}`);
  return (
    `${duration(warmUp.durationMs)} not measured: ${count(warmUp.calls.started)} calls, ` +
    `${count(warmUp.commands.completed)} commands, ${count(warmUp.commands.errors)} errors` +
    (reasons.length === 0 ? '' : ` (${reasons.join(', ')})`)
  );
};

export const renderSummary = (summary: LoadSummary): string => {
  const { calls, commands, rate, latency, lag } = summary;
  const lines: string[] = [];
  lines.push(
    `${summary.manifest.command}: ${describeModel(summary.model)}${describePart(summary.model)}, ` +
      `account ${summary.accountId}`,
  );
  for (const warning of summary.warnings) lines.push(labelled('warning', warning));
  if (summary.warmUp) lines.push(labelled('warm-up', describeWarmUp(summary.warmUp)));
  lines.push(labelled('elapsed', duration(summary.elapsedMs)));
  // A run stopped before its end (a Ctrl-C, a file that filled) lets the calls under way finish only
  // their step in flight: they neither completed nor failed, and the counts did not add up unsaid.
  const cut = calls.started - calls.completed - calls.failed;
  lines.push(
    labelled(
      'calls',
      `${count(calls.started)} started, ${count(calls.completed)} completed, ${count(calls.failed)} failed` +
        (cut > 0 ? `, ${count(cut)} stopped before their last step` : ''),
    ),
  );
  lines.push(
    labelled(
      'commands',
      `${count(commands.completed)} completed, ${count(commands.errors)} errors ` +
        `(${percent(commands.errors, commands.completed)})` +
        (commands.sent === commands.completed ? '' : `, ${count(commands.sent)} sent`),
    ),
  );
  const target = (achieved: number, target: number | null, unit: string): string =>
    `${figure(achieved)} ${unit}${target === null ? '' : ` (target ${figure(target)})`}`;
  lines.push(
    labelled(
      'rate',
      `${target(rate.commandsPerSecond, rate.targetCommandsPerSecond, 'commands/s')}, ` +
        target(rate.achievedCallsPerSecond, rate.targetCallsPerSecond, 'calls/s'),
    ),
  );
  lines.push(
    labelled(
      'late sends',
      `${count(rate.lateSends)} (${percent(rate.lateSends, commands.completed)}) more than ` +
        `${duration(rate.lateThresholdMs)} behind schedule`,
    ),
  );
  lines.push('', '  latency, from the intended send time');
  const latencyRows = [
    LATENCY_HEADER,
    latencyRow('all commands', latency.all),
    ...Object.entries(latency.byType).map(([type, p]) => latencyRow(type, p)),
  ];
  if (lag) latencyRows.push(latencyRow('read-model lag', lag));
  lines.push(
    ...columns(latencyRows, ['left', ...LATENCY_HEADER.slice(1).map(() => 'right' as const)]).map(
      (l) => `    ${l}`,
    ),
  );
  if (lag && (lag.unresolved > 0 || lag.pollErrors > 0)) {
    lines.push(
      `    read-model lag: ${count(lag.unresolved)} commands never seen by the projector, ${count(lag.pollErrors)} failed polls`,
    );
  }
  const outcomes = Object.entries(summary.outcomes).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (outcomes.length > 0) {
    lines.push('', '  outcomes');
    lines.push(
      ...columns(
        outcomes.map(([outcome, n]) => [outcome, count(n), percent(n, commands.completed)]),
        ['left', 'right', 'right'],
      ).map((l) => `    ${l}`),
    );
  }
  const failures = Object.entries(summary.failuresByType).sort(
    ([a, x], [b, y]) => y - x || a.localeCompare(b),
  );
  if (failures.length > 0) {
    lines.push('', '  failed commands, by type');
    // Keys are `<type> <outcome>` (`hangUp 409 CALL_ENDED`): type and outcome get columns of their own.
    const rows = failures.map(([what, n]) => {
      const space = what.indexOf(' ');
      return space < 0 ? [what, '', count(n)] : [what.slice(0, space), what.slice(space + 1), count(n)];
    });
    lines.push(...columns(rows, ['left', 'left', 'right']).map((l) => `    ${l}`));
  }
  if (summary.thresholds.length > 0) {
    lines.push('', '  thresholds');
    lines.push(
      ...columns(
        summary.thresholds.map((t) => [
          t.passed ? 'PASS' : 'FAIL',
          t.threshold,
          thresholdFigure(t),
          t.note ? `(${t.note})` : '',
        ]),
        ['left', 'left', 'right', 'left'],
      ).map((l) => `    ${l}`),
    );
    lines.push('', verdict(summary));
  }
  return `${lines.join('\n')}\n`;
};

/**
 * The last line, which a reader (or a script's grep) takes for the outcome: the same as the exit code.
 * A run stopped before its planned end passes none of its thresholds, though each held over the part
 * that ran: its verdict read "PASS: the threshold holds" under an exit code of 1.
 */
const verdict = (summary: LoadSummary): string => {
  const total = summary.thresholds.length;
  const failed = summary.thresholds.filter((t) => !t.passed).length;
  if (failed > 0) return `FAIL: ${failed} of ${total} thresholds failed`;
  if (!summary.passed) return 'FAIL: stopped before its planned end, it passes no threshold';
  return `PASS: ${total === 1 ? 'the threshold holds' : `all ${total} thresholds hold`}`;
};

/**
 * The live line of one stats interval (`--stats-interval`, SIPp's habit), its fields padded to one
 * width so that lines printed one under another read as columns.
 */
export const intervalLine = (row: IntervalRow): string => {
  const latency = (ms: number): string => (row.intervalCompleted === 0 ? '-' : duration(ms)).padStart(8);
  return (
    `[${duration(row.elapsedMs).padStart(8)}] ${figure(row.intervalCommandsPerSecond).padStart(6)} commands/s` +
    `  p50 ${latency(row.p50)}  p95 ${latency(row.p95)}  p99 ${latency(row.p99)}  max ${latency(row.max)}` +
    `  errors ${count(row.intervalErrors).padStart(5)} (total ${count(row.errors).padStart(6)})` +
    `  in flight ${count(row.inflight).padStart(4)}` +
    (row.lagP99 === null ? '' : `  lag p99 ${duration(row.lagP99).padStart(8)}`) +
    '\n'
  );
};
