import { csvCell, csvDocument, csvText, opensAsFormula, parseCsv } from './csv.js';

describe('the CSV writer every export uses (RFC 4180, OWASP formula neutralising)', () => {
  it('ends every line with CRLF, the last one included, and writes the header first', () => {
    // Given two rows, When written, Then header and rows are CRLF-terminated lines
    expect(csvDocument(['a', 'b'], [{ a: 1, b: 'x' }, { a: 2 }])).toBe('a,b\r\n1,x\r\n2,\r\n');
  });

  it('quotes a cell holding a comma, a quote, CR or LF, doubling its quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell('plain')).toBe('plain');
  });

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tcmd', '\rcmd'])(
    'neutralises a cell starting with a formula character: %j',
    (text) => {
      // Given a cell a spreadsheet would run, Then it starts with a quote mark and keeps its text
      const cell = csvCell(text);
      const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
      expect(unquoted).toBe(`'${text}`);
    },
  );

  it.each(['\u202E=1+1', '\u2066\u2067@SUM(A1)', '\u200B+1', '\uFEFF-1', '\u061C\tcmd'])(
    'neutralises a formula character behind invisible format characters, keeping them: %j',
    (text) => {
      // Given a cell whose formula a spreadsheet could read past bidi controls or zero-width characters
      const cell = csvCell(text);
      // Then it starts with a quote mark and keeps every character of its text
      const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
      expect(unquoted).toBe(`'${text}`);
      expect(csvText(unquoted)).toBe(text);
    },
  );

  it.each(["'=1+1", "''-1", "'\u202E@x", "'plain", "'", '=1+1', "'hello, world"])(
    'reads back what it wrote, also text that itself starts with quote marks before a formula character: %j',
    (text) => {
      // Given a name such as "'=1+1 Boss", which the api takes, When it is written and read back
      const [[cell]] = parseCsv(csvDocument(['name'], [{ name: text }])).slice(1) as [[string]];
      // Then it is the same text, and no cell the writer wrote opens as a formula
      expect(csvText(cell)).toBe(text);
      expect(opensAsFormula(cell)).toBe(false);
    },
  );

  it('keeps bidi controls in a cell that holds no formula, unprefixed', () => {
    expect(csvCell('\u2068Ann\u2069')).toBe('\u2068Ann\u2069');
    expect(csvCell('\u202Eecila')).toBe('\u202Eecila');
    expect(csvCell('Bob\u202E=1')).toBe('Bob\u202E=1');
  });

  it('leaves null and undefined empty, and writes objects as JSON', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(12n)).toBe('12');
    expect(csvCell({ k: '=x', n: 1 })).toBe('"{""k"":""=x"",""n"":1}"');
  });

  it('reads back what it writes: quotes, commas, line breaks, empty cells, neutralised formulas', () => {
    // Given rows with every kind of cell the writer quotes or neutralises
    const rows = [
      { a: 'plain', b: 'a,b', c: 'say "hi"' },
      { a: 'two\r\nlines', b: '', c: '=1+1' },
      { a: { k: 'v, "w"' }, b: '+15550100', c: '-' },
    ];
    // When written and read back, Then every cell's text comes back
    const [header, ...cells] = parseCsv(csvDocument(['a', 'b', 'c'], rows));
    expect(header).toEqual(['a', 'b', 'c']);
    expect(cells.map((row) => row.map(csvText))).toEqual([
      ['plain', 'a,b', 'say "hi"'],
      ['two\r\nlines', '', '=1+1'],
      ['{"k":"v, \\"w\\""}', '+15550100', '-'],
    ]);
  });

  it('reads a last line without its line end and LF-only line ends', () => {
    expect(parseCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('refuses a quote never closed or text after a closing quote, naming the line', () => {
    expect(() => parseCsv('a\r\n"open')).toThrow('CSV line 2: a quoted cell is never closed');
    expect(() => parseCsv('"x"y\r\n')).toThrow('CSV line 1: text after a quoted cell');
    expect(() => parseCsv('x"y\r\n')).toThrow('CSV line 1: a quote inside an unquoted cell');
  });
});
