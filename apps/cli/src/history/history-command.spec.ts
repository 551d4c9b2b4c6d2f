import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHistory, filterOf, readHistory } from './history-command.js';
import { matchesFilter } from './history-event.js';

const event = {
  id: '91340c1b-a6e4-54e5-bb33-a85a586be3e5',
  stream: 'line-acc.15550000001',
  revision: '0',
  position: '16',
  type: 'IncomingCallReceived',
  created: '2026-01-05T09:00:00.000Z',
  data: { callId: 'c1' },
  metadata: {},
};

let dir: string;
let files = 0;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'history-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

const fileOf = async (lines: readonly (object | string | null)[]): Promise<string> => {
  files += 1;
  const file = join(dir, `${files}-h.ndjson`);
  const text = (line: object | string | null): string =>
    typeof line === 'string' ? line : JSON.stringify(line);
  await writeFile(file, lines.map(text).join('\n'));
  return file;
};

const read = async (lines: readonly (object | string | null)[]): Promise<unknown[]> => {
  const file = await fileOf(lines);
  const events: unknown[] = [];
  for await (const e of readHistory(file)) events.push(e);
  return events;
};

describe('reading a history file', () => {
  it('yields exported events as they are', async () => {
    // Given a file as `history export` writes it, When read, Then every event comes back unchanged
    await expect(read([event, { ...event, revision: '1' }])).resolves.toEqual([
      event,
      { ...event, revision: '1' },
    ]);
  });

  it('names the line of an event the store would refuse, instead of an empty error from the client', async () => {
    // Given hand-edited events: no type, an id that is no UUID, a system stream
    // When read, Then each is refused with its line and what is wrong
    await expect(read([event, { ...event, revision: '1', type: '' }])).rejects.toThrow(
      /h\.ndjson:2: event 91340c1b-a6e4-54e5-bb33-a85a586be3e5 has no type$/,
    );
    await expect(read([{ ...event, id: 'not-a-uuid' }])).rejects.toThrow(
      /h\.ndjson:1: event id "not-a-uuid" is not a UUID$/,
    );
    await expect(read([{ ...event, stream: '$sys' }])).rejects.toThrow(
      /h\.ndjson:1: "\$sys" is not a stream a history can hold$/,
    );
  });

  it('refuses bytes it cannot decode as they are, where bad base64 was appended as other bytes', async () => {
    // Given events exported as bytes (base64), then hand-edited
    const bytes = { ...event, data: 'AAEC/w==', dataEncoding: 'base64' };
    // When read, Then base64 as exported comes back unchanged, and bytes that are not base64 text,
    // or an encoding no export writes, are refused with their line
    await expect(read([bytes])).resolves.toEqual([bytes]);
    await expect(read([{ ...bytes, data: '!!!' }])).rejects.toThrow(
      /h\.ndjson:1: event 91340c1b-a6e4-54e5-bb33-a85a586be3e5 has dataEncoding base64 but data that is not base64 text$/,
    );
    await expect(read([{ ...bytes, data: 'AAEC/w' }])).rejects.toThrow(/h\.ndjson:1: .* not base64 text$/);
    await expect(read([{ ...event, metadata: { a: 1 }, metadataEncoding: 'base64' }])).rejects.toThrow(
      /h\.ndjson:1: .* has metadataEncoding base64 but metadata that is not base64 text$/,
    );
    await expect(read([{ ...bytes, dataEncoding: 'hex' }])).rejects.toThrow(
      /h\.ndjson:1: .* has dataEncoding "hex": the only encoding of a history is base64$/,
    );
  });
});

describe('reading a history file the client could not write', () => {
  it('names the line of an event without data, or with data or metadata too deep to serialise, instead of a stack trace', async () => {
    // Given hand-edited events the client serialises in a stream of its own, where an error it meets
    // ends the process: no data at all, data or metadata nested 200,000 levels deep
    const { data: _data, ...noData } = event;
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const withDeep = (member: 'data' | 'metadata'): string =>
      JSON.stringify({ ...event, [member]: 0 }).replace(`"${member}":0`, `"${member}":${deep}`);
    // When read, Then each is refused with its line and what is wrong
    await expect(read([noData])).rejects.toThrow(/h\.ndjson:1: not a history event \(needs id, /);
    await expect(read([withDeep('data')])).rejects.toThrow(
      /h\.ndjson:1: event 91340c1b-a6e4-54e5-bb33-a85a586be3e5 has data nested too deep to write as JSON$/,
    );
    await expect(read([withDeep('metadata')])).rejects.toThrow(
      /h\.ndjson:1: event 91340c1b-a6e4-54e5-bb33-a85a586be3e5 has metadata nested too deep to write as JSON$/,
    );
  });

  it('refuses a stream or type holding half of a surrogate pair, which the store would keep as another name', async () => {
    // Given events whose stream or type escapes half a surrogate pair (UTF-8 has no form for it)
    // When read, Then each is refused with its line
    await expect(read([{ ...event, stream: 'line-acc.\ud800' }])).rejects.toThrow(
      /h\.ndjson:1: stream "line-acc\.\\ud800" is not Unicode text: it holds half of a surrogate pair$/,
    );
    await expect(read([{ ...event, type: 'Call\udc00' }])).rejects.toThrow(
      /h\.ndjson:1: type "Call\\udc00" is not Unicode text: it holds half of a surrogate pair$/,
    );
  });
});

describe('checking a whole history file before anything is appended', () => {
  const second = { ...event, id: '0b5b7c49-4a0f-4f7e-9a55-3c1b6f0f4e11', revision: '1', position: '40' };

  it('refuses a line that is JSON but no object, naming its line, where it was a TypeError', async () => {
    // Given a history whose second line is `null` (or a list), When read, Then its line is named
    await expect(read([event, null])).rejects.toThrow(/h\.ndjson:2: not a history event/);
    await expect(read([event, [event]])).rejects.toThrow(/h\.ndjson:2: not a history event/);
  });

  it('reads a file that starts with a byte order mark', async () => {
    await expect(read([`\uFEFF${JSON.stringify(event)}`])).resolves.toEqual([event]);
  });

  it("finds a bad last line, a stream's revision gap and an id given twice before the first event is used", async () => {
    // Given histories whose first lines are good and a later one is not
    // When checked, Then the later line is named
    await expect(checkHistory(await fileOf([event, second, '{"id": "cut sh']))).rejects.toThrow(
      /h\.ndjson:3: not JSON$/,
    );
    await expect(checkHistory(await fileOf([event, { ...second, revision: '2' }]))).rejects.toThrow(
      /h\.ndjson:2: stream line-acc\.15550000001 goes from revision 0 to 2/,
    );
    await expect(checkHistory(await fileOf([event, { ...second, id: event.id }]))).rejects.toThrow(
      /h\.ndjson:2: event id 91340c1b-a6e4-54e5-bb33-a85a586be3e5 is already the id of line 1$/,
    );
    // And a good history resolves with the number of its events
    await expect(checkHistory(await fileOf([event, second]))).resolves.toBe(2);
  });

  it('for a replay, needs every position, in log order', async () => {
    const positions = { positions: true };
    await expect(
      checkHistory(await fileOf([event, { ...second, position: 'x' }]), undefined, positions),
    ).rejects.toThrow(/h\.ndjson:2: event 0b5b7c49-4a0f-4f7e-9a55-3c1b6f0f4e11 has no \$all position/);
    await expect(
      checkHistory(await fileOf([event, { ...second, position: '3' }]), undefined, positions),
    ).rejects.toThrow(/h\.ndjson:2: position 3 does not follow 16; a history is in log order$/);
  });
});

describe('history export --account', () => {
  it("keeps the account's own stream and its lines' streams, nothing of another account or the clock", () => {
    // Given events of account acc, of account acc2 (whose id starts the same) and of the clock
    const filter = filterOf({ stream: [], category: [], account: ['acc'] });
    const on = (stream: string) => matchesFilter({ ...event, stream }, filter);
    // Then only acc's streams pass
    expect(on('account-acc')).toBe(true);
    expect(on('line-acc.15550000001')).toBe(true);
    expect(on('account-acc2')).toBe(false);
    expect(on('line-acc2.15550000001')).toBe(false);
    expect(on('clock-virtual')).toBe(false);
  });

  it('refuses a --from after its --to, which selected nothing after reading the whole log', () => {
    expect(() => filterOf({ stream: [], category: [], from: '900', to: '100' })).toThrow(
      '--from 900 is after --to 100: no event is in between',
    );
    expect(() =>
      filterOf({ stream: [], category: [], from: '2026-01-06', to: '2026-01-05T23:00:00Z' }),
    ).toThrow('--from 2026-01-06 is after --to 2026-01-05T23:00:00Z: no event is in between');
    expect(() => filterOf({ stream: [], category: [], from: '100', to: '100' })).not.toThrow();
  });

  it('refuses an account id no account can have, before reading the store', () => {
    expect(() => filterOf({ stream: [], category: [], account: ['a.b'] })).toThrow(
      /^--account "a\.b" is not an id the api accepts: it must be 1-64 letters/,
    );
  });
});
