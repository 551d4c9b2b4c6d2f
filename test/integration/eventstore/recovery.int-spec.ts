import { execFile } from 'node:child_process';
import { readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { NO_STREAM, StreamNotFoundError, WrongExpectedVersionError, jsonEvent } from '@eventstore/db-client';

import { repoRoot } from '#stack';
import { collect, ownServers, segmentRecords } from './support.js';

/** Several server processes per test: a larger budget on a loaded machine. Nothing asserts on time. */
const PROCESS_BUDGET_MS = 60_000;
const STREAMS = ['recovery-a', 'recovery-b', 'recovery-c'];
const SEGMENT = '00000000000000000000.log';
const CHECKPOINT = 'writer.chk';

/** Runs the built server's entry point to its end (no port is opened when it refuses or repairs). */
function runEventStore(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const main = resolve(repoRoot(), 'dist/apps/eventstore/src/main.js');
  return new Promise((done) => {
    execFile(process.execPath, [main, ...args], (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('embedded event store: a damaged log through the server process', () => {
  const own = ownServers('recovery');

  it(
    'refuses to start on a flipped bit in the middle, changes no byte, and starts again after `repair`',
    async () => {
      await own.session(async (client) => {
        for (let batch = 0; batch < 20; batch += 1)
          for (const stream of STREAMS)
            await client.appendToStream(
              stream,
              [0, 1].map((n) => jsonEvent({ type: 'Kept', data: { batch, n } })),
            );
      });

      const path = join(own.dataDir, SEGMENT);
      const file = await readFile(path);
      const { offsets } = segmentRecords(file);
      const middle = offsets[Math.floor(offsets.length / 2)]!;
      file[middle + 60]! ^= 0x08;
      await writeFile(path, file);

      const refused = await runEventStore(['--port', '0', '--data', own.dataDir]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`${path} is damaged at byte offset ${middle} (checksum mismatch)`);
      expect(refused.stderr).toMatch(/: \d+ valid event record\(s\) follow in this file/);
      // The operator is given the command to run as it is, for this directory.
      expect(refused.stderr).toContain(
        `\`npx switchboard-eventstore repair --data ${own.dataDir}\` copies the file aside`,
      );
      expect(refused.stdout).not.toContain('listening');
      expect(await readFile(path)).toEqual(file);
      expect((await readdir(own.dataDir)).sort()).toEqual([SEGMENT, CHECKPOINT]);

      const repaired = await runEventStore(['repair', '--data', own.dataDir]);
      expect(repaired.code).toBe(0);
      expect(repaired.stdout).toMatch(/copied as it was to .*\.log\.damaged-/);
      expect(repaired.stdout).toContain(`(file bytes ${middle}..`);
      const dropped = /dropped (\d+) intact event\(s\)/.exec(repaired.stdout);
      expect(dropped).not.toBeNull();
      // A reader's last record is still at its position (nothing moves) with dropped events before it:
      // repair leaves a record of what it dropped, which readers read before they resume.
      expect(repaired.stdout).toMatch(
        /appended the repair's record \(\$log-repair in \$log-repairs\) at position \d+: readers that resume/,
      );
      const names = (await readdir(own.dataDir)).sort();
      expect(names[0]).toBe(SEGMENT);
      expect(names).toHaveLength(3);
      expect(await readFile(join(own.dataDir, names[1]!))).toEqual(file);

      await own.session(async (reader) => {
        let total = 0;
        for (const stream of STREAMS) {
          const events = await collect(reader.readStream(stream));
          expect(events.map((resolved) => resolved.event!.revision)).toEqual(
            events.map((_, index) => BigInt(index)),
          );
          total += events.length;
        }
        // 120 appended: the damaged event and the intact ones repair listed are the only ones missing.
        expect(total).toBe(120 - 1 - Number(dropped![1]));
        // The repair's record, through the ordinary client, names the damaged bytes' range.
        const [record] = await collect(
          reader.readStream('$log-repairs', { direction: 'backwards', maxCount: 1 }),
        );
        expect(record!.event!.type).toBe('$log-repair');
        expect((record!.event!.data as { dropped: { fromPosition: number }[] }).dropped).toContainEqual(
          expect.objectContaining({ fromPosition: middle }),
        );
        const next = await reader.appendToStream(STREAMS[0]!, jsonEvent({ type: 'After', data: {} }));
        expect(next.success).toBe(true);
      });
    },
    PROCESS_BUDGET_MS,
  );

  it(
    'Given a stopped server whose newest segment was cut short, then it refuses to start saying what is missing, and `repair` accepts the loss',
    async () => {
      const lost = await own.session(async (client) => {
        await client.appendToStream(
          'tail-kept',
          [0, 1, 2].map((n) => jsonEvent({ type: 'Kept', data: { n } })),
        );
        await client.appendToStream(
          'tail-lost',
          [0, 1].map((n) => jsonEvent({ type: 'Lost', data: { n } })),
        );
        return collect(client.readStream('tail-lost'));
      });

      // Positions are byte offsets, and the first segment starts at 0: cut where the lost append begins.
      const cutAt = Number(lost[0]!.event!.position!.commit);
      const path = join(own.dataDir, SEGMENT);
      await truncate(path, cutAt);
      const file = await readFile(path);
      const checkpoint = await readFile(join(own.dataDir, CHECKPOINT));

      const refused = await runEventStore(['--port', '0', '--data', own.dataDir]);
      expect(refused.code).toBe(2);
      expect(refused.stdout).not.toContain('listening');
      const lines = refused.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^eventstore refuses to start: the log in ${own.dataDir} ends at position ${cutAt}, but writer.chk says ` +
            'it was durable up to position \\d+: \\d+ bytes holding 2 acknowledged event\\(s\\) are missing ' +
            `\\(the end of ${path} was cut off, or segment file\\(s\\) after it, from 0+${cutAt}\\.log on, were deleted\\)`,
        ),
      );
      expect(lines[0]).toContain(
        `Restore the missing files from a backup, or accept the loss with \`npx switchboard-eventstore repair --data ${own.dataDir}\``,
      );
      expect(await readFile(path)).toEqual(file);
      expect(await readFile(join(own.dataDir, CHECKPOINT))).toEqual(checkpoint);
      expect((await readdir(own.dataDir)).sort()).toEqual([SEGMENT, CHECKPOINT]);

      const repaired = await runEventStore(['repair', '--data', own.dataDir]);
      expect(repaired.code).toBe(0);
      expect(repaired.stdout).toMatch(
        new RegExp(
          `writer.chk said the log was durable up to position \\d+ \\(\\d+ events\\), but it ends at position ${cutAt} ` +
            '\\(\\d+ events\\): accepting the loss of \\d+ bytes and 2 acknowledged event\\(s\\)',
        ),
      );

      await own.session(async (reader) => {
        const kept = await collect(reader.readStream('tail-kept'));
        expect(kept.map((resolved) => resolved.event!.data)).toEqual([0, 1, 2].map((n) => ({ n })));
        await expect(collect(reader.readStream('tail-lost'))).rejects.toThrow(StreamNotFoundError);
        const again = await reader.appendToStream('tail-lost', jsonEvent({ type: 'After', data: {} }), {
          expectedRevision: NO_STREAM,
        });
        expect(again.nextExpectedRevision).toBe(0n);
      });
    },
    PROCESS_BUDGET_MS,
  );

  it(
    'refuses to start on a damaged segment header and deletes nothing',
    async () => {
      await own.session((client) => client.appendToStream('header', jsonEvent({ type: 'Kept', data: {} })));
      const path = join(own.dataDir, SEGMENT);
      const file = await readFile(path);
      file[0]! ^= 0xff;
      await writeFile(path, file);

      const refused = await runEventStore(['--port', '0', '--data', own.dataDir]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`${path} is damaged at byte offset 0 (bad segment magic)`);
      expect(await readFile(path)).toEqual(file);
    },
    PROCESS_BUDGET_MS,
  );
});

describe('embedded event store: idempotent re-appends after a restart', () => {
  const own = ownServers('idempotent-restart');

  it(
    'an append with no_stream or an exact revision is still recognised by the ids of the events it wrote',
    async () => {
      // EventStoreDB compares the ids with the events after the expectation, read from its index if
      // they are not in its id cache: a restart, or a long time, does not make the re-append a conflict.
      const same = jsonEvent({ type: 'Same', data: {} });
      const later = [0, 1].map((n) => jsonEvent({ type: 'Later', data: { n } }));
      const { copies, exact } = await own.session(async (client) => ({
        copies: await client.appendToStream('again', [same, same, same], { expectedRevision: NO_STREAM }),
        exact: await client.appendToStream('again', later, { expectedRevision: 2n }),
      }));

      await own.session(async (client) => {
        expect(
          await client.appendToStream('again', [same, same, same], { expectedRevision: NO_STREAM }),
        ).toEqual(copies);
        expect(await client.appendToStream('again', later, { expectedRevision: 2n })).toEqual(exact);
        await expect(
          client.appendToStream('again', [later[0]!, same], { expectedRevision: 2n }),
        ).rejects.toBeInstanceOf(WrongExpectedVersionError);
        expect(await collect(client.readStream('again'))).toHaveLength(5);
      });
    },
    PROCESS_BUDGET_MS,
  );
});

describe('embedded event store: repair given a directory that is not there', () => {
  it('says which directory to give in one line, with exit code 1, and creates nothing', async () => {
    // Given a mistyped --data
    const missing = resolve(repoRoot(), 'data', 'eventstroe-typo');
    // When repair runs
    const result = await runEventStore(['repair', '--data', missing]);
    // Then one sentence names it and says what to give instead
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `eventstore repair: there is no log directory ${missing}: give --data the store's data directory (npm start's is ./data/eventstore)\n`,
    });
    await expect(readdir(missing)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
