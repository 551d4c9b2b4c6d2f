/**
 * An ISO-8601 date-time with a zone, as the clock port writes it (`Date#toISOString`): simulated times
 * in events, and the times time travel takes (`asOfTime`). A pattern and not Date.parse: every event
 * decoded is checked, and Date.parse took a third of the decoding time; Date.parse also takes far more
 * than instants ("1" is 2001, a time without a zone is read in the reader's own zone). Imports nothing,
 * so the web app checks an address's time as the projector does.
 */
export const ISO_INSTANT =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** The largest `$all` commit position: EventStoreDB's positions are unsigned 64-bit numbers. */
const LAST_LOG_POSITION = 2n ** 64n - 1n;

/**
 * A `$all` commit position as an address or a query writes it: decimal digits of a number a uint64
 * holds (twenty digits may not: `99999999999999999999` is none, not a point past the head).
 */
export const isLogPosition = (text: string): boolean =>
  /^\d{1,20}$/.test(text) && BigInt(text) <= LAST_LOG_POSITION;

/** What `isLogPosition` takes, as a field message says it. */
export const LOG_POSITION_RULE = `a $all commit position (digits, at most ${LAST_LOG_POSITION})`;
