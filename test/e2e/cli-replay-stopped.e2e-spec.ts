import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI } from '../support/cli.js';
import { scratchDirForSuite } from '../support/for-suite.js';

// A CLI process and the store it starts take seconds each on a loaded 2-core machine.
jest.setTimeout(60_000);

/** The pids of the processes whose parent is `pid` and whose command line holds `script` (Linux). */
const childrenOf = async (pid: number, script: string): Promise<number[]> => {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // `pid (comm) state ppid …`: the command name may hold spaces and parentheses.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== pid) continue;
      if ((await readFile(`/proc/${entry}/cmdline`, 'utf8')).includes(script)) found.push(Number(entry));
    } catch {
      // The process ended while it was being read.
    }
  }
  return found;
};

const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `replay` stopped by a signal before its end (Ctrl-C, `timeout`, a cancelled CI job): the fresh
 * in-memory store it started for the replay is a process of its own, which Node's default handling
 * of the signal left running with nobody to stop it, holding the replayed history in memory.
 */
describe('switchboard replay stopped by a signal', () => {
  const dir = scratchDirForSuite('switchboard-replay-stopped-');

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops the store it started and exits as %s would, saying it was stopped',
    async (signal) => {
      // Given a history of two events recorded an hour apart, replayed at the original pace, so the
      // replay waits an hour after its first event
      const history = join(dir(), 'slow.ndjson');
      const event = (revision: number, created: string) =>
        JSON.stringify({
          id: `5c0f8a2e-6d1b-4e3a-9f70-2b4c6d8e0a1${revision}`,
          stream: 'notes-slow',
          revision: String(revision),
          position: String(100 + revision),
          type: 'Noted',
          created,
          data: { note: `n${revision}` },
          metadata: {},
        });
      await writeFile(
        history,
        `${event(0, '2026-01-05T09:00:00.000Z')}\n${event(1, '2026-01-05T10:00:00.000Z')}\n`,
      );
      const cli = spawn(process.execPath, [CLI, 'replay', history, '--speed', '1', '--no-progress'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
        cli.once('exit', (code, signal) => done({ code, signal })),
      );
      let stores: number[] = [];
      try {
        // When its store has started and it is sent the signal
        while (stores.length === 0) {
          stores = await childrenOf(cli.pid!, 'apps/eventstore/src/main.js');
          if (stores.length === 0) await new Promise((wait) => setTimeout(wait, 50));
        }
        cli.kill(signal);

        // Then it says so, exits with 128 + the signal's number, and its store is stopped
        const exit = await exited;
        expect(stderr).toContain(`switchboard replay: stopped by ${signal} before the end of the replay\n`);
        expect(exit).toEqual({ code: signal === 'SIGTERM' ? 143 : 130, signal: null });
        expect(stores.filter(running)).toEqual([]);
      } finally {
        // Whatever the outcome, nothing of the test is left running.
        for (const pid of stores.filter(running)) process.kill(pid, 'SIGKILL');
        if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
      }
    },
  );
});
