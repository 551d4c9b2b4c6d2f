import { csvCell, csvDocument } from './csv.js';

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

  it('leaves null and undefined empty, and writes objects as JSON', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(12n)).toBe('12');
    expect(csvCell({ k: '=x', n: 1 })).toBe('"{""k"":""=x"",""n"":1}"');
  });
});
