import {
  accountEventSchemaVersions,
  lineEventSchemaVersions,
  type AccountEvent,
  type LineEvent,
} from '#events';
import { IRRELEVANT } from '../engine/projection.js';
import { ACCOUNT_STREAM_PREFIX, LINE_STREAM_PREFIX } from './line-key.js';

/** Everything the projector reads: the account streams and the line streams (server-side filter). */
export type ProjectedEvent = AccountEvent | LineEvent;
export const PROJECTED_STREAM_PREFIXES = [ACCOUNT_STREAM_PREFIX, LINE_STREAM_PREFIX] as const;

/**
 * Declares a whole slice of the catalogue irrelevant to a projection. Built from the catalogue's own
 * version tables, so a type added there is covered, and a projection still has to list it explicitly
 * to handle it.
 */
const irrelevant = <T extends string>(types: Record<T, number>): Record<T, typeof IRRELEVANT> =>
  Object.fromEntries(Object.keys(types).map((type) => [type, IRRELEVANT])) as Record<T, typeof IRRELEVANT>;

export const ACCOUNT_EVENTS_IRRELEVANT = irrelevant(accountEventSchemaVersions);
export const LINE_EVENTS_IRRELEVANT = irrelevant(lineEventSchemaVersions);
