import { duration, figure } from './summary-table.js';
import { formatDurationMs } from './think-time.js';

/**
 * `load run --start-at`: the agreed wall-clock instant at which the shards of a run (on several
 * machines) begin their measured phase together. Each shard's setup and warm-up come before it; the
 * open model's first intended send time is the instant itself, so a shard that waited for it is not
 * late, and the shards' windows line up however far apart they were launched.
 */

/**
 * The furthest ahead a start may be: a start days away is a mistyped date or zone more often than a
 * plan, and would leave the generators waiting silently.
 */
export const MAX_START_AHEAD_MS = 24 * 3_600_000;

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * An ISO-8601 instant with its zone (`2026-05-01T12:00:00Z`, `…T14:00:00+02:00`), as ms since the
 * epoch. A time without a zone is refused: each machine would read it in its own zone.
 */
export const parseStartAt = (text: string): number => {
  const match = INSTANT.exec(text.trim());
  const ms = match ? Date.parse(text.trim()) : NaN;
  // Date.parse rolls 2026-02-30 over into March instead of refusing it.
  const [year, month, day] = (match ?? []).slice(1).map(Number);
  const realDay =
    match !== null && new Date(Date.UTC(year!, month! - 1, day!)).getUTCDate() === day && month! <= 12;
  if (!Number.isFinite(ms) || !realDay) {
    throw new Error(
      `"${text}" is not an instant: write an ISO-8601 time with its zone, e.g. 2026-05-01T12:00:00Z`,
    );
  }
  return ms;
};

const iso = (ms: number): string => new Date(ms).toISOString();

/** Why `--start-at` cannot be waited for from `nowMs`: already past, or too far ahead. */
export const startAtProblem = (startAtMs: number, nowMs: number): string | undefined => {
  if (startAtMs <= nowMs) {
    return (
      `--start-at ${iso(startAtMs)} is already past (it is ${iso(nowMs)}): give an instant ahead, ` +
      "far enough for every shard's setup and warm-up"
    );
  }
  if (startAtMs - nowMs > MAX_START_AHEAD_MS) {
    return (
      `--start-at ${iso(startAtMs)} is ${figure((startAtMs - nowMs) / 3_600_000)} h ahead: ` +
      `at most ${formatDurationMs(MAX_START_AHEAD_MS)}, check its date and zone`
    );
  }
  return undefined;
};

/**
 * Why the measured phase cannot begin at `--start-at`: this shard's setup (and warm-up) ended after
 * it. Starting late would put its window out of line with the other shards', the very thing the
 * instant is for, so the run is refused, saying how long the setup took.
 */
export const lateStartProblem = (
  startAtMs: number,
  nowMs: number,
  setupBeganMs: number,
  warmedUp: boolean,
): string | undefined => {
  if (nowMs <= startAtMs) return undefined;
  const setup = warmedUp ? 'setup and warm-up' : 'setup';
  return (
    `the ${setup} ended ${duration(nowMs - startAtMs)} after --start-at ${iso(startAtMs)} ` +
    `(it took ${duration(nowMs - setupBeganMs)}): give an instant further ahead`
  );
};
