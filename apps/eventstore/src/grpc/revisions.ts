import { invalidArgument } from './errors.js';

/**
 * 2^64 - 1, the largest revision or position a request can carry (a uint64): EventStoreDB reads it as
 * the end of a stream or of `$all` (`StreamRevision.End`, `Position.End`: ulong.MaxValue), as the
 * client's `END`, and as an expected revision it becomes the long -1, which is `no_stream`.
 */
export const WIRE_END = 18_446_744_073_709_551_615n;

/** EventStoreDB keeps revisions and positions in a long: it refuses a larger one other than WIRE_END. */
export const LONG_MAX = 9_223_372_036_854_775_807n;

/**
 * Why a revision or position between LONG_MAX and WIRE_END is refused, naming the value and what
 * WIRE_END would have meant there (the end for a read, no_stream for an expectation).
 */
export const outOfRange = (what: string, value: bigint, wireEndMeans: string) =>
  invalidArgument(
    `The ${what} ${value} is out of range: at most ${LONG_MAX} (2^63 - 1), or ${WIRE_END} (2^64 - 1) for ${wireEndMeans}.`,
  );
