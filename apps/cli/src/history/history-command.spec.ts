import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filterOf, readHistory } from './history-command.js';
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

const read = async (lines: readonly object[]): Promise<unknown[]> => {
  const file = join(await mkdtemp(join(tmpdir(), 'history-')), 'h.ndjson');
  await writeFile(file, lines.map((line) => JSON.stringify(line)).join('\n'));
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

  it('refuses an account id no account can have, before reading the store', () => {
    expect(() => filterOf({ stream: [], category: [], account: ['a.b'] })).toThrow(
      /--account "a\.b": an account id/,
    );
  });
});
