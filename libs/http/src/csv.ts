/**
 * CSV as RFC 4180 writes it (CRLF line ends, a cell quoted when it holds a quote, comma, CR or LF,
 * its quotes doubled), with the OWASP defence against CSV injection: a cell starting with = + - @,
 * a tab or a carriage return is prefixed with a single quote, so a spreadsheet shows it instead of
 * running it as a formula. Every CSV the project exports goes through here, so the API and the CLI
 * write the same bytes for the same rows.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export const csvCell = (value: unknown): string => {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean'
          ? String(value)
          : JSON.stringify(value);
  const neutralised = FORMULA_START.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(neutralised) ? `"${neutralised.replaceAll('"', '""')}"` : neutralised;
};

/** A header row of `columns`, then one row per record, each line ended by CRLF (the last one too). */
export const csvDocument = <Column extends string>(
  columns: readonly Column[],
  rows: readonly Partial<Record<Column, unknown>>[],
): string =>
  [
    columns.join(','),
    ...rows.map((row) =>
      columns.map((column) => csvCell(Object.hasOwn(row, column) ? row[column] : undefined)).join(','),
    ),
  ]
    .map((line) => `${line}\r\n`)
    .join('');
