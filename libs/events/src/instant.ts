/**
 * An ISO-8601 date-time with a zone, as the clock port writes it (`Date#toISOString`): simulated times
 * in events, and the times time travel takes (`asOfTime`). A pattern and not Date.parse: every event
 * decoded is checked, and Date.parse took a third of the decoding time; Date.parse also takes far more
 * than instants ("1" is 2001, a time without a zone is read in the reader's own zone). Imports nothing,
 * so the web app checks an address's time as the projector does.
 */
export const ISO_INSTANT =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** A `$all` commit position as an address or a query writes it: decimal digits, up to a uint64's 20. */
export const LOG_POSITION = /^\d{1,20}$/;
