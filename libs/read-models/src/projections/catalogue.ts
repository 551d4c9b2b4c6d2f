import {
  ACCOUNT_STREAM_PREFIX,
  CLOCK_STREAM_PREFIX,
  LINE_STREAM_PREFIX,
  accountEventSchemaVersions,
  clockEventSchemaVersions,
  lineEventSchemaVersions,
  type AccountEvent,
  type ClockEvent,
  type LineEvent,
} from '#events';
import { IRRELEVANT } from '../engine/projection.js';

/**
 * Everything the projector reads (server-side filter): the account streams, the line streams, and the
 * virtual clock, whose advances move simulated time with no line or account event (R21).
 */
export type ProjectedEvent = AccountEvent | LineEvent | ClockEvent;
export const PROJECTED_STREAM_PREFIXES = [
  ACCOUNT_STREAM_PREFIX,
  LINE_STREAM_PREFIX,
  CLOCK_STREAM_PREFIX,
] as const;

/**
 * Declares a whole slice of the catalogue irrelevant to a projection. Built from the catalogue's own
 * version tables, so a type added there is covered, and a projection still has to list it explicitly
 * to handle it.
 */
const irrelevant = <T extends string>(types: Record<T, number>): Record<T, typeof IRRELEVANT> =>
  Object.fromEntries(Object.keys(types).map((type) => [type, IRRELEVANT])) as Record<T, typeof IRRELEVANT>;

export const ACCOUNT_EVENTS_IRRELEVANT = irrelevant(accountEventSchemaVersions);
export const LINE_EVENTS_IRRELEVANT = irrelevant(lineEventSchemaVersions);
export const CLOCK_EVENTS_IRRELEVANT = irrelevant(clockEventSchemaVersions);
