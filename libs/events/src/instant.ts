/**
 * An ISO-8601 date-time with a zone, as the clock port writes it (`Date#toISOString`): simulated times
 * in events, and the times time travel takes (`asOfTime`). A pattern and not Date.parse: every event
 * decoded is checked, and Date.parse took a third of the decoding time; Date.parse also takes far more
 * than instants ("1" is 2001, a time without a zone is read in the reader's own zone). Imports nothing,
 * so the web app checks an address's time as the projector does.
 */
export const ISO_INSTANT =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * Whether the day an ISO-8601 text starts with (`YYYY-MM-DD`) is one the calendar has. ISO_INSTANT's
 * `3[01]` takes the 31st of every month, and Date.parse reads a day past its month's end as a day of
 * the next month (`2026-02-31` is 3 March): unchecked, a time that does not exist stands for another.
 */
export const isCalendarDay = (text: string): boolean => {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const leapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 ? (leapYear ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day >= 1 && day <= daysInMonth;
};

/** An instant as a client gives one (time travel's `asOfTime`): ISO_INSTANT's shape, on a real day. */
export const isIsoInstant = (text: string): boolean => ISO_INSTANT.test(text) && isCalendarDay(text);

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
