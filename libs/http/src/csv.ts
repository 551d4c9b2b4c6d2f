/**
 * CSV as RFC 4180 writes it (CRLF line ends, a cell quoted when it holds a quote, comma, CR or LF,
 * its quotes doubled), with the OWASP defence against CSV injection: a cell starting with = + - @,
 * a tab or a carriage return is prefixed with a single quote, so a spreadsheet shows it instead of
 * running it as a formula. Every CSV the project exports goes through here, so the API and the CLI
 * write the same bytes for the same rows.
 *
 * A cell is data, kept character for character (an auditor compares it with the log): invisible
 * format characters (bidi controls such as U+202E, zero-width spaces, U+FEFF) stay in it. But one
 * before a formula character must not hide the formula from this check when a spreadsheet would drop
 * it or read past it, so they are looked past: `\u202E=1+1` is prefixed as `=1+1` is.
 */
const FORMULA_START = /^\p{Cf}*[=+\-@\t\r]/u;
/**
 * What gets the quote mark: a formula start, also behind quote marks of the text's own ("'=1+1 Boss"
 * is a name the api takes). Read back, one quote mark goes only before such text, so every text reads
 * back as written: had "'=1+1" been left as it is, it would read back as "=1+1".
 */
const PREFIXED = /^['\p{Cf}]*[=+\-@\t\r]/u;
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
  const neutralised = PREFIXED.test(text) ? `'${text}` : text;
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

/**
 * Reads back what `csvDocument` writes (RFC 4180: quoted cells may hold commas, quotes doubled, CR and
 * LF; lines end with CRLF or LF): the rows as lists of raw cells, the header first. A quote left open
 * at the end, or a quote inside an unquoted cell, is an error naming the line, not a guess.
 */
export const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let line = 1;
  let i = 0;
  const endCell = (): void => {
    row.push(cell);
    cell = '';
  };
  const endRow = (): void => {
    endCell();
    rows.push(row);
    row = [];
    line++;
  };
  while (i < text.length) {
    const char = text[i]!;
    if (char === '"' && cell === '') {
      const start = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`CSV line ${start}: a quoted cell is never closed`);
        const inner = text[i]!;
        if (inner === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (inner === '\n') line++;
        cell += inner;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
        throw new Error(`CSV line ${line}: text after a quoted cell`);
      }
      continue;
    }
    if (char === ',') endCell();
    else if (char === '\n') endRow();
    else if (char === '\r' && text[i + 1] === '\n') {
      endRow();
      i++;
    } else if (char === '"') throw new Error(`CSV line ${line}: a quote inside an unquoted cell`);
    else cell += char;
    i++;
  }
  // The last line may lack its line end.
  if (cell !== '' || row.length > 0) endRow();
  return rows;
};

/**
 * A cell's text as it was before `csvCell` neutralised it: the single quote put before a formula
 * character (or before quote marks of the text's own that come before one) goes again.
 */
export const csvText = (cell: string): string =>
  cell.startsWith("'") && PREFIXED.test(cell.slice(1)) ? cell.slice(1) : cell;

/**
 * Whether a cell, as a file holds it, would run as a formula in a spreadsheet: `csvCell` never writes
 * one, so a file holding one was edited after it was written (its quote mark taken away).
 */
export const opensAsFormula = (cell: string): boolean => FORMULA_START.test(cell);
