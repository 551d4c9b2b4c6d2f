import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli } from '../support/cli.js';

// Starting a store, an api or the CLI can take longer than Jest's 5 s default on a busy machine.
jest.setTimeout(60_000);

/**
 * User mistakes with the built `switchboard` CLI that need no running stack (each test starts CLI
 * processes, which on a loaded machine take seconds, hence the 30 s per test): each gets a message and
 * exit code, never a stack trace, and is caught before any work is done (the stores named here
 * listen nowhere, so a check made after connecting would fail on the connection instead).
 */
const NOWHERE = 'esdb://127.0.0.1:1?tls=false';

const noStackTrace = (stderr: string): void => {
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe('switchboard CLI usage errors', () => {
  let dir: string;
  let history: string;
  let recording: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-cli-usage-'));
    history = join(dir, 'history.ndjson');
    await writeFile(
      history,
      `${JSON.stringify({
        id: '91340c1b-a6e4-54e5-bb33-a85a586be3e5',
        stream: 'account-acme',
        revision: '0',
        position: '16',
        type: 'AccountCreated',
        created: '2026-01-05T09:00:00.000Z',
        data: {},
        metadata: {},
      })}\n`,
    );
    recording = join(dir, 'recording.ndjson');
    const command = { type: 'answerCall', actor: 'boss-1', accountId: 'acme', line: '+15557000001' };
    const entries = Array.from({ length: 5000 }, (_, seq) => ({
      seq,
      phase: 'load',
      offsetMs: seq,
      command: { ...command, callId: `c${seq}` },
    }));
    await writeFile(
      recording,
      [{ recording: 1, manifest: {} }, ...entries].map((e) => JSON.stringify(e)).join('\n'),
    );
  });

  it('stops quietly when the reader of its output goes away (| head)', async () => {
    // Given a dry-run replay whose output is far larger than a pipe holds
    const child = spawn(process.execPath, [CLI, 'load', 'replay', recording, '--dry-run'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // When the reader closes the pipe after the first chunk
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.once('close', done));
    // Then the CLI ends without an EPIPE stack trace
    expect(stderr).not.toContain('EPIPE');
    noStackTrace(stderr);
    expect(code).toBe(0);
  }, 30_000);

  it('says a bad --rate is a bad option', async () => {
    // Given a negative rate, When the run is started, Then commander reports the option
    const result = await runCli(['load', 'run', '--rate', '-5', '--duration', '1s']);
    expect(result.stderr).toContain(`option '--rate <n/s>' argument '-5' is invalid`);
    noStackTrace(result.stderr);
    expect(result.code).toBe(1);
  }, 30_000);

  it('says an export file cannot be written, before reading the store', async () => {
    // Given an --out in a directory that does not exist, When exporting, Then the file is named
    const result = await runCli([
      'history',
      'export',
      '--store',
      NOWHERE,
      '--out',
      join(dir, 'no/such/dir.ndjson'),
    ]);
    expect(result.stderr).toMatch(/^switchboard history export: ENOENT: .*no\/such\/dir\.ndjson'\n$/);
    expect(result.code).toBe(2);
  }, 30_000);

  it('checks replay points and selections before replaying the history', async () => {
    // Given a mistyped point, an unknown read model and a zero speed
    // When replaying, Then each is refused before the store is touched
    const at = await runCli(['replay', history, '--store', NOWHERE, '--at', 'abc']);
    expect(at.stderr).toBe(
      'switchboard replay: "abc" is neither an event count (120), a position of the original log (@4096) nor an ISO-8601 time\n',
    );
    const select = await runCli(['replay', history, '--store', NOWHERE, '--select', 'cals']);
    expect(select.stderr).toMatch(/^switchboard replay: --select: no read model cals \(use accounts, /);
    const speed = await runCli(['replay', history, '--store', NOWHERE, '--speed', '0']);
    expect(speed.stderr).toBe('switchboard replay: --speed must be a positive number or "max", not "0"\n');
    for (const result of [at, select, speed]) expect(result.code).toBe(2);
  }, 30_000);

  it('refuses to replay a recording that holds no commands', async () => {
    // Given a recording with its header alone, When replayed, Then it is refused before the api is called
    const empty = join(dir, 'empty.ndjson');
    await writeFile(empty, `${JSON.stringify({ recording: 1, manifest: {} })}\n`);
    const result = await runCli(['load', 'replay', empty, '--api', 'http://127.0.0.1:1']);
    expect(result.stderr).toBe(
      `switchboard load replay: ${empty} holds no recorded commands: record one with \`load run --record\`\n`,
    );
    expect(result.code).toBe(2);
  }, 30_000);

  it('refuses --account for more than one scenario file, before calling the api', async () => {
    // Given two scenario files and one --account, When run, Then the account is refused for the two
    const result = await runCli([
      'scenario',
      'run',
      '--api',
      'http://127.0.0.1:1',
      '--account',
      'demo',
      join(dir, 'a.yaml'),
      join(dir, 'b.yaml'),
    ]);
    expect(result.stderr).toBe(
      'switchboard scenario run: --account names one account: give one scenario file (2 given), or use --run-id\n',
    );
    expect(result.code).toBe(2);
  }, 30_000);

  it('refuses audit --json with --csv, and a --line that names no line', async () => {
    // Given conflicting formats, When auditing, Then commander says so instead of printing JSON
    const both = await runCli(['audit', 'call', 'c1', '--store', NOWHERE, '--json', '--csv']);
    expect(both.stderr).toContain(`option '--json' cannot be used with option '--csv'`);
    expect(both.code).toBe(1);
    // Given a malformed line, When auditing from the store, Then the line is refused, not "no events"
    const line = await runCli([
      'audit',
      'call',
      'c1',
      '--source',
      'store',
      '--store',
      NOWHERE,
      '--line',
      'acme',
    ]);
    expect(line.stderr).toBe(
      'switchboard audit: --line must be <accountId>.<number>, e.g. acme.15550000001 or acme.+15550000001, not "acme"\n',
    );
    expect(line.code).toBe(2);
  }, 30_000);

  it('audit verify: a file that is no trail fails (exit 1), a file it cannot read is no verdict (exit 2)', async () => {
    const missing = await runCli(['audit', 'verify', join(dir, 'nowhere.json')]);
    expect(missing.stderr).toMatch(/^switchboard audit verify: .*nowhere\.json: ENOENT/);
    expect(missing.code).toBe(2);
    noStackTrace(missing.stderr);
    const notATrail = join(dir, 'not-a-trail.csv');
    await writeFile(notATrail, 'a,b\r\n1,2\r\n');
    const refused = await runCli(['audit', 'verify', notATrail]);
    expect(refused.stderr).toContain("a CSV trail's header is position,stream,revision,type,");
    expect(refused.code).toBe(1);
    const empty = join(dir, 'empty.json');
    await writeFile(empty, '{"entries": []}');
    expect(await runCli(['audit', 'verify', empty])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        'fails at row 0 (0 = the first entry), field row: expected an entry, found no rows',
      ),
    });
  }, 30_000);
});
