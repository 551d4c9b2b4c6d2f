import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventStoreDBClient } from '@eventstore/db-client';
import { DEFAULT_ACCOUNT_POLICY } from '#domain';
import { createEventStoreClient } from '#eventstore';
import { readAllEvents } from '../../../apps/cli/src/history/history-event.js';
import { CLI } from '../../support/cli.js';
import { ownEmbeddedStore } from '../../support/embedded-eventstore.js';
import { scratchDirForSuite } from '../../support/for-suite.js';

/**
 * `history import` and `replay` of a history given as a path that can be read only once: the
 * `/dev/fd/N` of a shell's process substitution, `switchboard replay <(ssh host switchboard history
 * export)`, as a named pipe is. A history is read whole to check it, then again to append
 * it: the second read of a pipe found it drained, so the import said "imported 0 events" and the
 * replay replayed none, both with exit code 0.
 */
describe('history import and replay of a history piped to a path', () => {
  let client: EventStoreDBClient;
  const target = ownEmbeddedStore(() => client?.dispose());
  const dir = scratchDirForSuite('history-pipe-');

  beforeAll(() => {
    client = createEventStoreClient(target.server.connectionString);
  });

  /** An account's first events, as the api writes them: created, then two parties provisioned. */
  const event = (revision: number, type: string, data: object): string =>
    JSON.stringify({
      id: `7a2d4c10-3b5e-4f61-9a7b-0c1d2e3f40${String(revision).padStart(2, '0')}`,
      stream: 'account-piped',
      revision: String(revision),
      position: String(100 + revision),
      type,
      created: '2026-01-05T09:00:00.000Z',
      data: { ...data, by: 'admin', at: '2026-01-05T09:00:00.000Z' },
      metadata: {
        $correlationId: `piped-${revision}`,
        $causationId: `piped-${revision}`,
        commandId: `piped-${revision}`,
        actor: 'admin',
        onBehalfOf: null,
        permission: null,
        simulatedTime: '2026-01-05T09:00:00.000Z',
        schemaVersion: 1,
      },
    });
  const party = (partyId: string, directNumber: string) => ({
    partyId,
    name: partyId,
    directNumbers: [directNumber],
    callingPlan: 'pro',
    powerPack: false,
    assistantEnabled: false,
    desktopClient: null,
  });
  const history = `${[
    event(0, 'AccountCreated', {
      accountId: 'piped',
      name: 'Piped',
      admins: ['admin'],
      policy: DEFAULT_ACCOUNT_POLICY,
    }),
    event(1, 'PhoneUserProvisioned', party('alice', '+15550000001')),
    event(2, 'PhoneUserProvisioned', party('bob', '+15550000002')),
  ].join('\n')}\n`;

  /**
   * The CLI run by bash with `args` and, last, `<(cat FILE)`: a pipe carrying `text`, named by its
   * `/dev/fd/N` path (Node's own child stdin is a socket, which `/dev/stdin` cannot open).
   */
  const piped = async (args: readonly string[], text: string) => {
    const file = join(dir(), 'history.ndjson');
    await writeFile(file, text);
    return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        'bash',
        ['-c', 'exec "$0" "$@" <(cat "$HISTORY_FILE")', process.execPath, CLI, ...args],
        { env: { ...process.env, HISTORY_FILE: file } },
        (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  };

  it('history import appends every event of a history read from a pipe path', async () => {
    // Given a history of three events, written into a pipe whose path the import is given
    // When it is imported from that path
    const run = await piped(
      ['history', 'import', '--store', target.server.connectionString, '--no-progress'],
      history,
    );

    // Then all three are appended, as from the same file on disk
    expect(run.stderr).toBe('imported 3 events, skipped 0 already present\n');
    expect(run.code).toBe(0);
    const appended: string[] = [];
    for await (const e of readAllEvents(client)) appended.push(`${e.stream}@${e.revision}`);
    expect(appended).toEqual(['account-piped@0', 'account-piped@1', 'account-piped@2']);
  });

  it('replay replays every event of a history read from a pipe path', async () => {
    // Given the same history, written into a pipe whose path the replay is given
    // When it is replayed (into a fresh store of its own) from that path
    const run = await piped(['replay', '--no-progress'], history);

    // Then its three events are replayed and the read models hold the account's two parties
    expect(run.stderr).toMatch(/^replayed 3 events \(3 appended, 0 already there\) in /);
    expect(run.code).toBe(0);
    const replayed = JSON.parse(run.stdout) as {
      eventCount: number;
      state: { accounts: { parties: Record<string, unknown> } };
    };
    expect(replayed.eventCount).toBe(3);
    expect(Object.keys(replayed.state.accounts.parties)).toHaveLength(2);
  });
});
