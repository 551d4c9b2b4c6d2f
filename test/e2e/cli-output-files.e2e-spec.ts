import { jest } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CLI, cliSuite, runCli, type CliRun } from '../support/cli.js';

// Starting the stack and the CLI processes takes seconds each on a loaded machine.
jest.setTimeout(120_000);

/**
 * The files the CLI writes (history export --out, load --out, --record, --stats-file) replace an
 * earlier file only once whole: a command that fails or is stopped used to truncate it as it opened
 * it (and an export then removed it), so an auditor's earlier, good export was lost to a store that
 * could not be reached.
 */
describe('switchboard CLI output files', () => {
  const suite = cliSuite('switchboard-cli-output-files-');
  const NOWHERE = 'esdb://127.0.0.1:1?tls=false';
  const EARLIER = '{"an":"earlier, whole file"}\n';
  let n = 0;

  /** A directory of its own holding one earlier file per name, as a previous command left them. */
  const earlierFiles = async (...names: string[]): Promise<{ dir: string; paths: string[] }> => {
    const dir = join(suite.dir, String(n++));
    await mkdir(dir);
    const paths = names.map((name) => join(dir, name));
    for (const path of paths) await writeFile(path, EARLIER);
    return { dir, paths };
  };

  /** That each file is still the earlier one, byte for byte, and that nothing else is beside them. */
  const leftAsTheyWere = async (dir: string, paths: readonly string[]): Promise<void> => {
    for (const path of paths) expect(await readFile(path, 'utf8')).toBe(EARLIER);
    expect((await readdir(dir)).sort()).toEqual(paths.map((path) => path.slice(dir.length + 1)).sort());
  };

  /** The built CLI run with files limited to `kib` KiB (ulimit -f): a full disk's ENOSPC, as EFBIG. */
  const runCliLimited = (kib: number, args: readonly string[]): Promise<CliRun> =>
    new Promise((done) => {
      execFile(
        '/bin/sh',
        ['-c', `ulimit -f ${kib} && exec "$@"`, 'sh', process.execPath, CLI, ...args],
        { maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  /** A load run of this suite's stack for `duration`, in an account of its own, with `more` options. */
  const loadRun = (runId: string, duration: string, ...more: string[]): string[] =>
    ['load', 'run', ...suite.endpoints, '--rate', '10', '--duration', duration].concat([
      '--run-id',
      runId,
      '--no-progress',
      ...more,
    ]);

  it('history export: leaves an earlier --out as it was when the store cannot be reached', async () => {
    // Given an earlier export, When an export to it cannot reach its store
    const { dir, paths } = await earlierFiles('history.ndjson');
    const run = await runCli(['history', 'export', '--store', NOWHERE, '--out', paths[0]!]);
    // Then it fails, saying the earlier export was left, and that export is there as it was
    expect(run.stderr).toMatch(
      new RegExp(
        `^switchboard history export: cannot reach the event store .*; ${paths[0]} left as it was: `,
      ),
    );
    expect(run.code).toBe(2);
    await leftAsTheyWere(dir, paths);
  });

  it('history export: leaves an earlier --out as it was when a Ctrl-C stops the export', async () => {
    // Given a store that takes the export's calls and never answers them
    const sessions = new Set<ServerHttp2Session>();
    // The CLI killed mid-call resets its connection: the session and its call then emit ECONNRESET,
    // which, unheard, failed the whole file. A reset is what this test causes, not a failure.
    const server = createServer()
      .on('session', (session) => sessions.add(session.on('error', () => undefined)))
      .on('stream', (stream) => stream.on('error', () => undefined));
    const called = once(server, 'stream');
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const store = `esdb://127.0.0.1:${(server.address() as AddressInfo).port}?tls=false`;
    const { dir, paths } = await earlierFiles('history.ndjson');
    try {
      // When an export to the earlier file is interrupted once it called the store (its file was
      // opened before: a path that cannot be written is said before the store is read)
      const child = spawn(process.execPath, [CLI, 'history', 'export', '--store', store, '--out', paths[0]!]);
      const exited = once(child, 'exit');
      await called;
      child.kill('SIGINT');
      // Then the export ends as a Ctrl-C ends it, and the earlier export is there as it was, alone
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' });
      await leftAsTheyWere(dir, paths);
    } finally {
      for (const session of sessions) session.destroy();
      await new Promise((closed) => server.close(closed));
    }
  });

  it('history export: leaves an earlier --out as it was when the disk takes no more, and replaces it once whole', async () => {
    // Given a store holding the events of a load run, and an earlier export only its owner may read
    expect((await runCli(loadRun('events', '2s'))).code).toBe(0);
    const { dir, paths } = await earlierFiles('history.ndjson');
    const out = paths[0]!;
    await chmod(out, 0o600);
    const exportTo = [
      'history',
      'export',
      '--store',
      suite.stack.store.address,
      '--out',
      out,
      '--no-progress',
    ];
    // When it is exported where files may hold no more than 16 KiB
    const full = await runCliLimited(16, exportTo);
    // Then it fails naming the option and the file, and the earlier export is there as it was
    expect(full.stderr).toBe(
      `switchboard history export: cannot write --out ${out} (EFBIG); the part written was removed, ${out} left as it was\n`,
    );
    expect(full.code).toBe(2);
    await leftAsTheyWere(dir, paths);
    // When it is exported with room to spare, Then the export replaces it whole, as private as it was
    const whole = await runCli(exportTo);
    expect(whole.code).toBe(0);
    const exported = Number(/^exported (\d+) events\n$/.exec(whole.stderr)![1]);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(exported);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['history.ndjson']);
  });

  it('load replay: leaves an earlier --record, --stats-file and --out as they were when provisioning is refused', async () => {
    // Given a recording whose setup registers a user in an account it never creates
    const account = 'never-created';
    const recording = join(suite.dir, 'unprovisionable.ndjson');
    const setup = {
      ...{ type: 'registerPhoneUser', actor: 'admin', commandId: 'setup-user-boss-1', accountId: account },
      ...{ partyId: 'boss-1', name: 'Delegator 1', numbers: ['+15557000001'], callingPlan: 'pro' },
    };
    const call = {
      ...{ type: 'receiveIncomingCall', actor: 'external:+15559006755', from: '+15559006755' },
      ...{ accountId: account, line: '+15557000001', callId: 'c0', commandId: 'c0-0' },
    };
    await writeFile(
      recording,
      [
        { recording: 1, manifest: {} },
        { seq: 0, offsetMs: 0, phase: 'setup', command: setup },
        { seq: 1, offsetMs: 0, phase: 'load', call: 0, flow: 'ring-answer', step: 0, command: call },
      ]
        .map((entry) => `${JSON.stringify(entry)}\n`)
        .join(''),
    );
    const { dir, paths } = await earlierFiles('run.ndjson', 'stats.csv', 'summary.json');
    const [record, stats, out] = paths as [string, string, string];
    // When it is replayed onto the earlier files
    const run = await runCli(
      ['load', 'replay', recording, ...suite.endpoints, '--no-progress'].concat([
        '--record',
        record,
        '--stats-file',
        stats,
        '--out',
        out,
      ]),
    );
    // Then it is refused, and the earlier files are there as they were, with nothing beside them
    expect(run.stderr).toMatch(
      /^switchboard load replay: provisioning failed at registerPhoneUser .*ACCOUNT_NOT_FOUND/,
    );
    expect(run.code).toBe(2);
    await leftAsTheyWere(dir, paths);
  });

  it('load run: leaves an earlier --out as it was when the disk takes no more of the summary', async () => {
    // Given an earlier summary, When a run ends where files may hold no more than 1 KiB
    const { dir, paths } = await earlierFiles('summary.json');
    const run = await runCliLimited(1, loadRun('summary', '1s', '--out', paths[0]!));
    // Then it fails naming the option and the file, and the earlier summary is there as it was
    expect(run.stderr).toContain(
      `switchboard load: cannot write --out ${paths[0]} (EFBIG); the part written was removed, ${paths[0]} left as it was\n`,
    );
    expect(run.code).toBe(2);
    await leftAsTheyWere(dir, paths);
  });

  it('load run: a run stopped by Ctrl-C replaces an earlier --record and --stats-file with what it recorded', async () => {
    // Given earlier files, and a run planned for a minute
    const { dir, paths } = await earlierFiles('run.ndjson', 'stats.ndjson');
    const [record, stats] = paths as [string, string];
    const child = spawn(process.execPath, [
      CLI,
      ...loadRun('cut', '60s', '--stats-interval', '200ms', '--record', record),
      ...['--stats-file', stats],
    ]);
    let stderr = '';
    // When it is interrupted once a live line says its measured phase has begun (its files were
    // opened before it was provisioned, and the run takes its first Ctrl-C itself)
    const measuring = new Promise<void>((begun) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('commands/s')) begun();
      }),
    );
    const exited = once(child, 'exit');
    await Promise.race([measuring, exited]);
    child.kill('SIGINT');
    const [code] = await exited;
    // Then it ends as an interrupted run (exit code 1: no threshold passes), and its files hold what
    // it recorded, in place of the earlier ones, with nothing beside them
    expect(code).toBe(1);
    const recorded = (await readFile(record, 'utf8')).trim().split('\n');
    expect(JSON.parse(recorded[0]!)).toMatchObject({ recording: 1, manifest: { command: 'load run' } });
    expect(recorded.some((line) => (JSON.parse(line) as { phase?: string }).phase === 'load')).toBe(true);
    expect(JSON.parse((await readFile(stats, 'utf8')).split('\n')[0]!)).toHaveProperty('elapsedMs');
    expect((await readdir(dir)).sort()).toEqual(['run.ndjson', 'stats.ndjson']);
  });
});
