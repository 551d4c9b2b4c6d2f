import { COMMAND_TYPES } from './api-client.js';
import { FLOWS } from './mix.js';
import { parseDurationMs } from './think-time.js';

/**
 * SLO thresholds that decide a run's exit code, e.g. `p95<20ms`, `errors<1%`, `lag.p99<100ms`,
 * `placeCall.p99.9<=80ms`, `rate>=2000`, `late<0.5%`. Latency metrics compare in milliseconds;
 * `errors` and `late` compare as a count, or as a share of commands when written with `%`; `rate`
 * is achieved commands per second.
 */
export type Comparator = '<' | '<=' | '>' | '>=';

export interface Threshold {
  readonly text: string;
  /** `lag`, a command type, a flow, or undefined for every command together. */
  readonly scope: string | undefined;
  readonly metric: 'p50' | 'p90' | 'p95' | 'p99' | 'p99.9' | 'max' | 'mean' | 'errors' | 'late' | 'rate';
  readonly comparator: Comparator;
  readonly value: number;
  readonly percent: boolean;
}

const PERCENTILE_METRICS = ['p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'mean'] as const;
const COUNT_METRICS = ['errors', 'late'] as const;
/** What a latency is measured under: the read-model lag, every command, a command type or a call flow. */
const SCOPES = ['lag', 'all', ...COMMAND_TYPES, ...FLOWS] as const;

export const parseThreshold = (text: string): Threshold => {
  const match = /^\s*([A-Za-z][\w.-]*?)\s*(<=|>=|<|>)\s*([\d.]+)\s*(us|ms|s|m|%)?\s*$/.exec(text);
  if (!match)
    throw new Error(`threshold "${text}" is not of the form metric<value, e.g. p99<50ms or errors<1%`);
  const [, path, comparator, number, unit] = match as unknown as [
    string,
    string,
    Comparator,
    string,
    string?,
  ];
  const known = [...PERCENTILE_METRICS, ...COUNT_METRICS, 'rate'] as const;
  const metric = known.find((m) => path === m || path.endsWith(`.${m}`));
  if (!metric) {
    throw new Error(
      `threshold "${text}": unknown metric; use ${known.join(', ')} (optionally scoped, e.g. lag.p99)`,
    );
  }
  const scope = path === metric ? undefined : path.slice(0, -metric.length - 1);
  const percent = unit === '%';
  let value = Number(number);
  if (!Number.isFinite(value)) throw new Error(`threshold "${text}": ${number} is not a number`);
  if ((PERCENTILE_METRICS as readonly string[]).includes(metric)) {
    if (percent) throw new Error(`threshold "${text}": a latency takes a duration, not a percentage`);
    value = parseDurationMs(`${number}${unit ?? 'ms'}`);
  } else if (metric === 'rate') {
    if (unit) throw new Error(`threshold "${text}": rate is in commands per second, without a unit`);
  } else if (unit && !percent) {
    throw new Error(`threshold "${text}": ${metric} is a count or a percentage`);
  } else if (percent && value > 100) {
    // A share of commands never exceeds 100%: `errors<200%` could never fail a run.
    throw new Error(`threshold "${text}": a percentage is between 0% and 100%, e.g. ${metric}<1%`);
  }
  if (scope !== undefined && !(PERCENTILE_METRICS as readonly string[]).includes(metric)) {
    throw new Error(`threshold "${text}": only latency metrics take a scope`);
  }
  // A scope nothing is measured under (`hangup` for hangUp) failed only after the whole run, on
  // "no samples for hangup".
  if (scope !== undefined && !(SCOPES as readonly string[]).includes(scope)) {
    throw new Error(
      `threshold "${text}": unknown scope "${scope}"; use lag, all, a command type (${COMMAND_TYPES.join(', ')}) ` +
        `or a call flow (${FLOWS.join(', ')})`,
    );
  }
  const threshold: Threshold = { text: text.trim(), scope, metric, comparator, value, percent };
  const foregone = foregoneVerdict(threshold);
  if (foregone) throw new Error(foregone);
  return threshold;
};

/**
 * Why a threshold decides nothing, or undefined when runs can land on either side of it: a bar at or
 * beyond the values its metric can take (`errors<=100%`, `rate>=0`) passed every run however bad,
 * and one on the far side (`errors<0%`, `p99<0ms`) failed every run however good, so the exit code
 * said nothing about the system. A share of commands lies in 0%..100%; latencies, counts and rates
 * are never below 0 and have no upper bound.
 */
const foregoneVerdict = (threshold: Threshold): string | undefined => {
  const { comparator, value, metric, text } = threshold;
  const min = 0;
  const max = threshold.percent ? 100 : Infinity;
  // The values that pass a bar form a half-line: it holds every possible value when it holds both
  // ends of their range, and none when it holds neither.
  const passesAtMin = compare(min, comparator, value);
  const passesAtMax = compare(max, comparator, value);
  const upperBar = comparator === '<' || comparator === '<=';
  const unit = unitOf(threshold);
  const figure = (bound: number): string => (unit === '%' ? `${bound}%` : `${bound} ${unit}`);
  if (passesAtMin && passesAtMax) {
    return `threshold "${text}" can never fail: ${metric} is never ${upperBar ? `above ${figure(max)}` : `below ${figure(min)}`}`;
  }
  if (!passesAtMin && !passesAtMax) {
    return `threshold "${text}" can never pass: ${metric} is never ${upperBar ? `below ${figure(min)}` : `above ${figure(max)}`}`;
  }
  return undefined;
};

export type ThresholdUnit = 'ms' | '%' | 'commands' | 'commands/s';

const unitOf = (threshold: Threshold): ThresholdUnit =>
  threshold.metric === 'rate'
    ? 'commands/s'
    : threshold.metric === 'errors' || threshold.metric === 'late'
      ? threshold.percent
        ? '%'
        : 'commands'
      : 'ms';

/** What thresholds are checked against: a run summary's figures. */
export interface ThresholdInputs {
  readonly commands: number;
  readonly errors: number;
  readonly lateSends: number;
  readonly commandsPerSecond: number;
  /** `all`, `lag`, command types and flows, each with its percentiles in ms. */
  readonly latency: Readonly<Record<string, Readonly<Record<string, number>> | undefined>>;
}

export interface ThresholdResult {
  readonly threshold: string;
  readonly actual: number | null;
  /** What `actual` counts: a latency, a share of commands, a number of commands or a rate. */
  readonly unit: ThresholdUnit;
  readonly passed: boolean;
  readonly note?: string;
}

const compare = (actual: number, comparator: Comparator, limit: number): boolean =>
  comparator === '<'
    ? actual < limit
    : comparator === '<='
      ? actual <= limit
      : comparator === '>'
        ? actual > limit
        : actual >= limit;

export const evaluateThreshold = (threshold: Threshold, inputs: ThresholdInputs): ThresholdResult => {
  let actual: number | undefined;
  switch (threshold.metric) {
    case 'errors':
    case 'late': {
      const count = threshold.metric === 'errors' ? inputs.errors : inputs.lateSends;
      actual = threshold.percent ? (inputs.commands === 0 ? 0 : (100 * count) / inputs.commands) : count;
      break;
    }
    case 'rate':
      actual = inputs.commandsPerSecond;
      break;
    default: {
      // The scope is the user's text (a command type or flow): only measured scopes are looked up.
      const scope = threshold.scope ?? 'all';
      const percentiles = Object.hasOwn(inputs.latency, scope) ? inputs.latency[scope] : undefined;
      actual = percentiles?.count ? percentiles[threshold.metric] : undefined;
    }
  }
  if (actual === undefined) {
    // A threshold on something that never happened cannot vouch for it: it fails, and says why.
    return {
      threshold: threshold.text,
      actual: null,
      unit: unitOf(threshold),
      passed: false,
      note: `no samples for ${threshold.scope ?? 'all'}`,
    };
  }
  if (actual === Infinity) {
    // Beyond every figure measured: the lag of commands the projector never showed.
    return {
      threshold: threshold.text,
      actual: null,
      unit: unitOf(threshold),
      passed: compare(actual, threshold.comparator, threshold.value),
      note: 'among commands the projector never showed',
    };
  }
  // An empty run passes no rate or latency bar; zero commands cannot show a system meets its SLO.
  if (inputs.commands === 0) {
    return {
      threshold: threshold.text,
      actual,
      unit: unitOf(threshold),
      passed: false,
      note: 'no commands completed',
    };
  }
  return {
    threshold: threshold.text,
    actual,
    unit: unitOf(threshold),
    passed: compare(actual, threshold.comparator, threshold.value),
  };
};
