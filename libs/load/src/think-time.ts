import type { Random } from './prng.js';

/** How long a party waits between two steps of a call (talking, ringing, deciding). */
export type ThinkTime =
  | { readonly kind: 'constant'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'exponential'; readonly meanMs: number };

const MS_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ['us', 0.001],
  ['ms', 1],
  ['s', 1_000],
  ['m', 60_000],
  ['h', 3_600_000],
]);

/**
 * Parses `250ms`, `1.5s`, `2m`, or `0`. A number without a unit is refused: `--duration 30` read as
 * 30 ms ended a load run before its first call, where a load tester meant 30 s (k6 refuses it too).
 */
export const parseDurationMs = (text: string): number => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a duration: write e.g. 250ms, 1.5s, 2m`);
  const value = Number(match[1]);
  const unit = match[2];
  if (unit === undefined && value !== 0)
    throw new Error(`"${text.trim()}" needs a unit: write ${match[1]}s, ${match[1]}ms or ${match[1]}m`);
  return value * (unit === undefined ? 0 : MS_PER_UNIT.get(unit)!);
};

/** Milliseconds in the largest unit that keeps them whole (`10s`, `5ms`), as parseDurationMs reads them. */
export const formatDurationMs = (ms: number): string => {
  for (const [unit, scale] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= scale && ms % scale === 0) return `${ms / scale}${unit}`;
  }
  return `${ms}ms`;
};

/**
 * `constant:100ms`, `uniform:50ms-200ms`, `exponential:100ms` (mean), or `0` for none. A bare
 * duration means constant.
 */
export const parseThinkTime = (text: string): ThinkTime => {
  // Split at the first colon only: `split(':', 2)` dropped what followed a second one, so
  // `constant:1s:junk` ran as `constant:1s`.
  const colon = text.indexOf(':');
  const [kind, arg] = colon === -1 ? ['constant', text] : [text.slice(0, colon), text.slice(colon + 1)];
  switch (kind) {
    case 'constant':
      return { kind: 'constant', ms: parseDurationMs(arg) };
    case 'uniform': {
      const bounds = arg.split(/-|\.\./);
      if (bounds.length !== 2) throw new Error(`uniform think time needs a range, e.g. uniform:50ms-200ms`);
      const [minMs, maxMs] = bounds.map(parseDurationMs) as [number, number];
      if (maxMs < minMs) throw new Error(`uniform think time ${text}: the upper bound is below the lower`);
      return { kind: 'uniform', minMs, maxMs };
    }
    case 'exponential':
    case 'exp':
      return { kind: 'exponential', meanMs: parseDurationMs(arg) };
    default:
      throw new Error(`unknown think-time distribution "${kind}": use constant, uniform or exponential`);
  }
};

/** Draws one think time. Always draws exactly one number, so the stream stays aligned across kinds. */
export const drawThinkTime = (think: ThinkTime, random: Random): number => {
  const u = random();
  switch (think.kind) {
    case 'constant':
      return think.ms;
    case 'uniform':
      return think.minMs + u * (think.maxMs - think.minMs);
    case 'exponential':
      // Inverse transform; 1 - u lies in (0, 1], so the log is finite.
      return -think.meanMs * Math.log(1 - u);
  }
};

export const formatThinkTime = (think: ThinkTime): string => {
  switch (think.kind) {
    case 'constant':
      return `constant:${think.ms}ms`;
    case 'uniform':
      return `uniform:${think.minMs}ms-${think.maxMs}ms`;
    case 'exponential':
      return `exponential:${think.meanMs}ms`;
  }
};
