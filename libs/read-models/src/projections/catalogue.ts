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
import {
  defineProjection,
  IRRELEVANT,
  type Projection,
  type ProjectionDefinition,
  type Tables,
} from '../engine/projection.js';

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

/** The slices of the catalogue the projector reads, by the name a projection follows them under. */
interface Slices {
  accounts: AccountEvent;
  lines: LineEvent;
  clock: ClockEvent;
}

const TYPES_OF: Readonly<Record<keyof Slices, readonly string[]>> = {
  accounts: Object.keys(accountEventSchemaVersions),
  lines: Object.keys(lineEventSchemaVersions),
  clock: Object.keys(clockEventSchemaVersions),
};

/**
 * A projection of what the projector reads that follows the slices of the catalogue named in
 * `followed`: its handlers list every type of those (the compiler asks for each), and every event of
 * the other slices is irrelevant to it, from the catalogue's own version tables, so a type added to
 * a slice it does not follow needs nothing of it.
 */
export const defineProjectionOf =
  <Followed extends keyof Slices>(...followed: Followed[]) =>
  <S extends Tables>(definition: ProjectionDefinition<S, Slices[Followed]>): Projection<S> => {
    const projection = defineProjection<Slices[Followed]>()(definition);
    const follows = new Set<keyof Slices>(followed);
    const passedOver = new Set(
      (Object.keys(TYPES_OF) as (keyof Slices)[])
        .filter((slice) => !follows.has(slice))
        .flatMap((slice) => TYPES_OF[slice]),
    );
    return {
      ...projection,
      handlerFor: (type) => (passedOver.has(type) ? IRRELEVANT : projection.handlerFor(type)),
    };
  };
