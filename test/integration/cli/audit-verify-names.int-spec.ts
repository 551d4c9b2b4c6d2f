import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { eventSchemas, type AccountEvent } from '#events';
import { auditCommand } from '../../../apps/cli/src/audit/audit-command.js';
import { accountEvents, delegatorOf, lineEvents } from '../../../bench/replay/workload.js';
import { serveAccount, type ServedAccount } from '../../support/account-projector.js';
import { connectToSharedStore, testMetadata } from '../../support/shared-store.js';
import { scratchDirForSuite } from '../../support/for-suite.js';

/**
 * The projector's exports name who acted beside the ids (`actorName`, `onBehalfOfName`, the JSON's
 * `parties`), outside the hash chain; they are what an auditor reads. `audit verify` used to read past
 * them, so a trail saying another party acted passed as exported, even checked against the store.
 */
describe("audit verify of the projector's exports, whose names of the parties are outside the chain", () => {
  const { store } = connectToSharedStore(eventSchemas);
  // A delegator whose name holds a comma, quotes and a leading formula character, as the api takes it.
  const BOSS = '=Boss, "Zero"';
  const accountId = `names${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const options = { seed: 5, accountId, lines: 1, callsPerLine: 3 };
  let served: ServedAccount;
  const dir = scratchDirForSuite('audit-verify-names-');
  let callId: string;
  const connection = process.env.EVENTSTORE_CONNECTION_STRING!;

  beforeAll(async () => {
    // Given an account whose delegator acted on every step of its line's calls
    const account = accountEvents(options);
    const named = account.events.map((event) =>
      'name' in event.data && event.data.name === 'Boss 0'
        ? ({ ...event, data: { ...event.data, name: BOSS } } as AccountEvent)
        : event,
    );
    await store.append(account.stream, named, 'any', testMetadata({ actor: 'system:test' }));
    const line = lineEvents(options, 0);
    await store.append(line.stream, line.events, 'any', testMetadata({ actor: delegatorOf(0) }));
    served = await serveAccount(store, accountId);
    await served.caughtUp();
    const history = (await (
      await fetch(
        `${served.url}/lines/${accountId}/${line.stream.split('.')[1]}/history?viewer=${delegatorOf(0)}`,
      )
    ).json()) as { calls: { callId: string }[] };
    callId = history.calls[0]!.callId;
  }, 60_000);

  afterAll(async () => {
    await served?.close();
  });

  /** The projector's export of the call's trail. */
  const exported = async (format: 'json' | 'csv'): Promise<string> =>
    (await fetch(`${served.url}/calls/${callId}/audit?format=${format}`)).text();

  /** `switchboard audit verify` of `text` (with `--store` when asked): its exit code and last message. */
  const verify = async (text: string, withStore: boolean): Promise<{ code: number; said: string }> => {
    const file = join(dir(), `${randomUUID()}.txt`);
    await writeFile(file, text);
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const args = ['verify', file, ...(withStore ? ['--store', connection] : [])];
      await auditCommand().parseAsync(args, { from: 'user' });
      const said = [...out.mock.calls, ...err.mock.calls].map(([text]) => String(text)).join('');
      return { code: Number(process.exitCode ?? 0), said };
    } finally {
      out.mockRestore();
      err.mockRestore();
      process.exitCode = undefined;
    }
  };

  it('passes the exports as the projector wrote them, with and without the store', async () => {
    for (const format of ['json', 'csv'] as const) {
      const text = await exported(format);
      expect(text).toContain(format === 'csv' ? '"\'=Boss, ""Zero"""' : JSON.stringify(BOSS));
      for (const withStore of [false, true]) {
        await expect(verify(text, withStore)).resolves.toMatchObject({ code: 0 });
      }
    }
  });

  it('fails a CSV or JSON export in which one step names another party as the actor, and says which row', async () => {
    // When one row's actorName is changed to another name (its id, in the chain, left alone)
    const csv = (await exported('csv')).split('\r\n');
    const row = csv.findIndex((line, i) => i > 1 && line.includes('"\'=Boss, ""Zero"""'));
    csv[row] = csv[row]!.replace('"\'=Boss, ""Zero"""', 'Mallory');
    const json = JSON.parse(await exported('json')) as { entries: { actorName: string | null }[] };
    json.entries[row - 1]!.actorName = 'Mallory';
    for (const text of [csv.join('\r\n'), JSON.stringify(json)]) {
      // Then the file fails at that row's actorName, with or without the log to compare against
      for (const withStore of [false, true]) {
        const { code, said } = await verify(text, withStore);
        expect(code).toBe(1);
        expect(said).toContain(`fails at row ${row - 1} (0 = the first entry), field actorName: expected `);
        expect(said).toContain('found "Mallory"');
      }
    }
  });

  it('fails, against the store, an export whose party was renamed in every place alike', async () => {
    // When every mention of the delegator's name is changed alike: consistent, so the file alone cannot tell
    const renamed = (await exported('csv')).replaceAll('"\'=Boss, ""Zero"""', 'Mallory');
    const json = (await exported('json')).replaceAll(JSON.stringify(BOSS), '"Mallory"');
    for (const text of [renamed, json]) {
      await expect(verify(text, false)).resolves.toMatchObject({ code: 0 });
      // Then the log, which names the party, finds it
      const { code, said } = await verify(text, true);
      expect(code).toBe(1);
      expect(said).toContain(`field actorName: expected ${JSON.stringify(BOSS)}, found "Mallory"`);
    }
  });

  it('fails, against the store, a JSON export naming the line otherwise than it was named when the call started', async () => {
    // When the line's name (R23), which no entry holds, is changed
    const json = JSON.parse(await exported('json')) as { lineName: string | null };
    expect(json.lineName).toBeNull();
    const renamed = JSON.stringify({ ...json, lineName: 'Sales' });
    // Then the file alone cannot tell, and the log can
    await expect(verify(renamed, false)).resolves.toMatchObject({ code: 0 });
    const { code, said } = await verify(renamed, true);
    expect(code).toBe(1);
    expect(said).toContain(
      'fails at row 0 (0 = the first entry), field lineName: expected null, found "Sales"',
    );
  });

  it('fails a CSV whose name was put back into a formula, its quote mark taken away', async () => {
    // When the ' before "=Boss…" is removed from one cell: it reads back as the same name, but opens as a formula
    const csv = (await exported('csv')).replace('"\'=Boss, ""Zero"""', '"=Boss, ""Zero"""');
    const { code, said } = await verify(csv, false);
    expect(code).toBe(1);
    expect(said).toContain('field actorName: expected a cell a spreadsheet shows as text');
    expect(said).toContain('found "=Boss, \\"Zero\\""');
  });
});
