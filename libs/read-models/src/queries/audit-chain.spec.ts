import { createHash } from 'node:crypto';
import { AUDIT_CSV_COLUMNS, auditCsv, namedAuditCsv } from './audit-csv.js';
import {
  AuditFileError,
  chained,
  compareNamesWithLog,
  compareWithLog,
  jcs,
  parseAuditExport,
  verifyChain,
  verifyNames,
  type ChainedAuditEntry,
} from './audit-chain.js';
import type { AuditEntry } from './audit-trail.js';

const answered: AuditEntry = {
  eventId: '0b6f3a52-8d5e-4c1e-9a39-2f1b9a1c7d10',
  type: 'CallAnswered',
  stream: 'line-acme.15550100',
  revision: '2',
  position: '1234',
  actor: 'bob',
  onBehalfOf: 'alice',
  permission: 'answerCalls',
  simulatedTime: '2026-01-05T09:00:25.000Z',
  recordedAt: '2026-01-05T09:00:25.120Z',
  correlationId: 'req-7',
  causationId: 'cmd-1',
  commandId: 'cmd-1',
  data: {
    callId: 'c1',
    by: 'bob',
    onBehalfOf: 'alice',
    permission: 'answerCalls',
    ringLegsEnded: ['alice'],
    at: '2026-01-05T09:00:25.000Z',
  },
};
const step = (revision: number, type: string, data: object): AuditEntry => ({
  ...answered,
  revision: String(revision),
  position: String(1000 + revision),
  type,
  onBehalfOf: null,
  permission: null,
  data,
});
const trail = (): ChainedAuditEntry[] =>
  chained([
    step(0, 'IncomingCallReceived', { callId: 'c1', from: '+15550199' }),
    step(1, 'CallRang', { callId: 'c1', alerted: ['alice', 'bob'] }),
    answered,
    step(3, 'CallEnded', { callId: 'c1', reason: 'hungUp' }),
  ]);

describe('RFC 8785 canonical JSON (JCS), against the RFC’s own examples', () => {
  it('§3.2.2: serialises numbers, strings and literals as ECMAScript does, whitespace removed', () => {
    const input =
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
      ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
      ' "literals": [null, true, false]}';
    expect(jcs(JSON.parse(input))).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('§3.2.3: sorts property names by their UTF-16 code units', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh",' +
        ' "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control",' +
        ' "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    // (Compared as text: JavaScript itself lists an integer-like key such as "1" first.)
    expect(jcs(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['41b3de4355555555', '333333333.3333333'],
  ])('Appendix B: the IEEE 754 double %s is written %s', (bits, text) => {
    expect(jcs(Buffer.from(bits, 'hex').readDoubleBE(0))).toBe(text);
  });
});

describe("the audit trail's hash chain", () => {
  it('hashes the previous hash followed by the canonical JSON of the entry, SHA-256 in hex', () => {
    // Given the canonical JSON of the entry, written out by hand
    const canonical =
      '{"actor":"bob","causationId":"cmd-1","commandId":"cmd-1","correlationId":"req-7","data":{"at":' +
      '"2026-01-05T09:00:25.000Z","by":"bob","callId":"c1","onBehalfOf":"alice","permission":' +
      '"answerCalls","ringLegsEnded":["alice"]},"eventId":"0b6f3a52-8d5e-4c1e-9a39-2f1b9a1c7d10",' +
      '"onBehalfOf":"alice","permission":"answerCalls","position":"1234","recordedAt":' +
      '"2026-01-05T09:00:25.120Z","revision":"2","simulatedTime":"2026-01-05T09:00:25.000Z","stream":' +
      '"line-acme.15550100","type":"CallAnswered"}';
    expect(jcs(answered)).toBe(canonical);
    // Then the first entry's hash is that of its canonical JSON alone, the next chains to it
    const [first, second] = chained([answered, answered]);
    const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
    expect(first!.chainHash).toBe('b8983a2501d042c80909f8a21fde6efd32251f2672e390a064c76af7d2860be0');
    expect(first!.chainHash).toBe(sha256(canonical));
    expect(second!.chainHash).toBe(sha256(first!.chainHash + canonical));
  });

  it('finds nothing wrong with a trail as exported, in JSON or CSV', () => {
    const rows = trail();
    expect(verifyChain(rows)).toBeUndefined();
    expect(parseAuditExport(JSON.stringify({ callId: 'c1', entries: rows }, null, 2))).toEqual({ rows });
    expect(parseAuditExport(auditCsv(rows))).toEqual({ rows });
  });

  it("Given the projector's export naming who acted and for whom, When it is verified, Then the chain is checked as without the names, and the names are read for verifyNames", () => {
    const rows = trail();
    const named = rows.map((row) => ({ ...row, actorName: `Name of ${row.actor}`, onBehalfOfName: null }));
    const mentions = named.flatMap((row, index) => [
      { index, field: 'actorName', partyId: row.actor, name: row.actorName },
      { index, field: 'onBehalfOfName', partyId: row.onBehalfOf, name: null },
    ]);
    expect(parseAuditExport(namedAuditCsv(named))).toEqual({ rows: named, names: mentions });
    expect(parseAuditExport(JSON.stringify({ callId: 'c1', entries: named }))).toEqual({
      rows: named,
      names: mentions,
    });
    expect(verifyNames(mentions)).toBeUndefined();
    // Names are no licence for other columns, nor for a row short of them
    const header = `${AUDIT_CSV_COLUMNS.join(',')},actorName,onBehalfOfName`;
    expect(() => parseAuditExport(namedAuditCsv(named).replace(header, `${header},extra`))).toThrow(
      AuditFileError,
    );
    const lines = namedAuditCsv(named).split('\r\n');
    lines[1] = lines[1]!.replace(/,[^,]*,$/, ',');
    expect(() => parseAuditExport(lines.join('\r\n'))).toThrow(/CSV row 0 has/);
  });

  it('Given a named export, When a name is given to nobody or a party is named two ways, Then verifyNames names the row and field', () => {
    const named = trail().map((row) => ({
      ...row,
      actorName: 'Bob',
      onBehalfOfName: row.onBehalfOf && 'Alice',
    }));
    // A name on behalf of nobody
    const behalf = named.map((row, i) => (i === 1 ? { ...row, onBehalfOfName: 'Alice' } : row));
    const parsedBehalf = parseAuditExport(namedAuditCsv(behalf));
    expect('names' in parsedBehalf && verifyNames(parsedBehalf.names!)).toEqual({
      index: 1,
      field: 'onBehalfOfName',
      partyId: null,
      name: 'Alice',
      expected: 'no name (nobody in that column)',
      actual: '"Alice"',
    });
    // The JSON's list of parties naming the actor otherwise than its rows, said at its first row
    const aboutTheCall = { callId: 'c1', line: { accountId: 'acme', number: '15550100' }, lineOwner: null };
    const parties = [
      { partyId: 'alice', name: 'Alice' },
      { partyId: 'bob', name: 'Robert' },
    ];
    const parsed = parseAuditExport(JSON.stringify({ ...aboutTheCall, entries: named, parties }));
    expect('names' in parsed && verifyNames(parsed.names!)).toEqual({
      index: 0,
      field: 'parties[1].name',
      expected: '"Bob" (as row 0\'s actorName names bob)',
      actual: '"Robert"',
    });
    // And the log's names, when they differ from names that agree among themselves
    const log = (partyId: string): string | null => ({ bob: 'Bob', alice: 'Alicia' })[partyId] ?? null;
    expect('names' in parsed && compareNamesWithLog(parsed.names!, log)).toMatchObject({
      index: 2,
      field: 'onBehalfOfName',
      expected: '"Alicia"',
      actual: '"Alice"',
    });
  });

  it("Given a JSON export, When what it says of the call beside its entries is edited, Then it fails on that field, as the call's first entry says otherwise", () => {
    const rows = chained([
      { ...step(0, 'IncomingCallReceived', { callId: 'c1', from: '+15550199', owner: 'alice' }) },
      answered,
    ]);
    const projectors = {
      callId: 'c1',
      line: { accountId: 'acme', number: '15550100' },
      lineOwner: 'alice',
      entries: rows,
      parties: [],
    };
    expect(parseAuditExport(JSON.stringify(projectors))).toEqual({ rows });
    expect(parseAuditExport(JSON.stringify({ callId: 'c1', entries: rows }))).toEqual({ rows });
    const edits: [string, unknown, string][] = [
      ['lineOwner', 'bob', '"alice" (as the first entry says)'],
      ['callId', 'c2', '"c1" (as the first entry says)'],
      [
        'line',
        { accountId: 'acme', number: '15550199' },
        '{"accountId":"acme","number":"15550100"} (as the first entry says)',
      ],
      // The projector's export says whose line it was: taking the field away is an edit too
      ['lineOwner', undefined, '"alice" (as the first entry says)'],
    ];
    for (const [field, value, expected] of edits) {
      const edited = { ...projectors, [field]: value };
      expect(parseAuditExport(JSON.stringify(edited))).toEqual({
        failure: {
          index: 0,
          field,
          expected,
          actual: value === undefined ? 'nothing' : JSON.stringify(value),
        },
      });
    }
  });

  it('reads an export saved with a byte order mark (as spreadsheet programs save UTF-8 CSV)', () => {
    // Given the same trail with a BOM before its JSON or its CSV header, Then it reads the same
    const rows = trail();
    expect(parseAuditExport(`\uFEFF${JSON.stringify({ callId: 'c1', entries: rows })}`)).toEqual({ rows });
    expect(parseAuditExport(`\uFEFF${auditCsv(rows)}`)).toEqual({ rows });
  });

  it('names the first row whose field was edited, whose row was dropped, or which was moved', () => {
    // An edited actor: the row's own hash no longer matches
    const edited = trail();
    edited[2] = { ...edited[2]!, actor: 'mallory' };
    expect(verifyChain(edited)).toMatchObject({
      index: 2,
      field: 'chainHash',
      actual: trail()[2]!.chainHash,
    });
    // A dropped row: the next one chains to a hash that is no longer before it
    const dropped = trail().filter((_, i) => i !== 1);
    expect(verifyChain(dropped)).toMatchObject({ index: 1, field: 'chainHash' });
    // Two rows swapped
    const [a, b, c, d] = trail();
    expect(verifyChain([a!, c!, b!, d!])).toMatchObject({ index: 1 });
    // An edit in a CSV export is found the same way
    const csv = auditCsv(trail()).replace(
      '"{""callId"":""c1"",""reason"":""hungUp""}"',
      '"{""callId"":""c1"",""reason"":""dropped""}"',
    );
    const parsed = parseAuditExport(csv);
    expect('rows' in parsed && verifyChain(parsed.rows)).toMatchObject({ index: 3, field: 'chainHash' });
  });

  it('names the row and field of an entry that is not a trail row, and refuses a file that is no trail', () => {
    const rows: unknown[] = trail();
    rows[1] = { ...(rows[1] as object), revision: 1 };
    expect(parseAuditExport(JSON.stringify({ entries: rows }))).toEqual({
      failure: { index: 1, field: 'revision', expected: 'a string', actual: '1' },
    });
    expect(() => parseAuditExport('{"callId": "c1"}')).toThrow(AuditFileError);
    expect(() => parseAuditExport('a,b\r\n1,2\r\n')).toThrow(/header/);
  });

  it('names a row or field nested deeper than JSON can write back, instead of a RangeError', () => {
    // Given a trail whose row, or a field of a row, is a list nested 200,000 deep (JSON.parse reads it)
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const rows = trail();
    const withField = JSON.stringify({ entries: [{ ...rows[0], revision: 0 }] }).replace(
      '"revision":0',
      `"revision":${deep}`,
    );
    // When it is parsed, Then the failure names the row and field and says what it found
    expect(parseAuditExport(`[${deep}]`)).toEqual({
      failure: { index: 0, field: 'row', expected: 'an object', actual: 'a list nested too deep to show' },
    });
    expect(parseAuditExport(withField)).toEqual({
      failure: {
        index: 0,
        field: 'revision',
        expected: 'a string',
        actual: 'a list nested too deep to show',
      },
    });
  });

  it('says an empty file is empty and where a trail comes from', () => {
    // Given the file a failed `audit call ID --json > FILE` leaves behind
    for (const empty of ['', '\n', '\uFEFF']) {
      // Then it is refused as empty, not as a CSV whose header is nothing
      expect(() => parseAuditExport(empty)).toThrow(
        new AuditFileError(
          'the file is empty; export a trail with `switchboard audit call ID --json` (or --csv)',
        ),
      );
    }
  });

  it('compares an exported trail with the log field by field, and counts missing rows', () => {
    const log = trail();
    expect(compareWithLog(log, log)).toBeUndefined();
    // A whole trail rewritten with a valid chain still differs from the log
    const rewritten = chained(log.map((row, i) => (i === 2 ? { ...row, onBehalfOf: null } : row)));
    expect(verifyChain(rewritten)).toBeUndefined();
    expect(compareWithLog(rewritten, log)).toEqual({
      index: 2,
      field: 'onBehalfOf',
      expected: '"alice"',
      actual: 'null',
    });
    expect(compareWithLog(log.slice(0, 3), log)).toEqual({
      index: 3,
      field: 'row',
      expected: 'CallEnded at revision 3',
      actual: 'no row',
    });
  });
});
