import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ID_RULE } from '#events';
import { CLI, runCli } from '../support/cli.js';
import { scratchDirForSuite } from '../support/for-suite.js';

// Starting a store, an api or the CLI can take longer than Jest's 5 s default on a busy machine: a
// CLI process took up to 4 s at load 9 on 2 cores, and a test of four of them 8.6 s.
jest.setTimeout(60_000);

/**
 * User mistakes with the built `switchboard` CLI that need no running stack (each test starts CLI
 * processes, which on a loaded machine take seconds, hence the 60 s per test): each gets a message and
 * exit code, never a stack trace, and is caught before any work is done (the store, api and projector
 * named here listen nowhere, so a check made after connecting would fail on the connection instead).
 */
const NOWHERE = 'esdb://127.0.0.1:1?tls=false';
const HTTP_NOWHERE = 'http://127.0.0.1:1';
/** A scenario file that exists: the checks of --account and --run-id come before it is read. */
const ANY_SCENARIO = 'scenarios/r12-line-busy.yaml';

const noStackTrace = (stderr: string): void => {
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe('switchboard CLI usage errors', () => {
  const dir = scratchDirForSuite('switchboard-cli-usage-');
  let history: string;
  let recording: string;
  /** A recording whose one command lacks its line. */
  const lineless = (): string => join(dir(), 'lineless.ndjson');

  beforeAll(async () => {
    history = join(dir(), 'history.ndjson');
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
    await writeFile(
      lineless(),
      [
        { recording: 1, manifest: {} },
        {
          seq: 0,
          phase: 'load',
          offsetMs: 0,
          command: { type: 'answerCall', actor: 'boss-1', accountId: 'acme', callId: 'c1' },
        },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    recording = join(dir(), 'recording.ndjson');
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
  });

  /**
   * Mistakes in the arguments alone: what stderr says and the exit code, 2 whether commander refuses
   * an option or the command does (1 would say a check failed). `args` is a function because the scratch directory and
   * `history` are made in beforeAll, after the table is read.
   */
  it.each([
    {
      name: 'says a bad --rate is a bad option',
      args: () => ['load', 'run', '--rate', '-5', '--duration', '1s'],
      stderr: expect.stringContaining(`option '--rate <n/s>' argument '-5' is invalid`),
      code: 2,
    },
    {
      name: 'says an unknown option is unknown, with the exit code of a command that could not run',
      args: () => ['load', 'merge', '--treshold', 'p99<50ms', recording],
      stderr: expect.stringContaining(`error: unknown option '--treshold'`),
      code: 2,
    },
    {
      name: 'says a missing value is missing, with the exit code of a command that could not run',
      args: () => ['load', 'run', '--rate'],
      stderr: expect.stringContaining(`error: option '--rate <n/s>' argument missing`),
      code: 2,
    },
    {
      name: 'shows the subcommands of a command given without one, with the exit code of a usage error',
      args: () => ['history'],
      stderr: expect.stringContaining('Usage: switchboard history [options] [command]'),
      code: 2,
    },
    {
      name: 'refuses a percentage threshold above 100%, which no run could fail, before calling the api',
      args: () => ['load', 'run', '--api', HTTP_NOWHERE, '--rate', '5', '--threshold', 'errors<200%'],
      stderr:
        'switchboard load: threshold "errors<200%": a percentage is between 0% and 100%, e.g. errors<1%\n',
      code: 2,
    },
    {
      name: 'refuses a threshold every run passes, before calling the api',
      args: () => ['load', 'run', '--api', HTTP_NOWHERE, '--rate', '5', '--threshold', 'errors<=100%'],
      stderr: 'switchboard load: threshold "errors<=100%" can never fail: errors is never above 100%\n',
      code: 2,
    },
    {
      name: 'refuses a threshold no run passes, before calling the api',
      args: () => ['load', 'run', '--api', HTTP_NOWHERE, '--rate', '5', '--threshold', 'errors<0%'],
      stderr: 'switchboard load: threshold "errors<0%" can never pass: errors is never below 0%\n',
      code: 2,
    },
    {
      name: 'refuses a --mix flow named twice, before calling the api',
      args: () => ['load', 'run', '--api', HTTP_NOWHERE, '--rate', '5', '--mix', 'place=1,place=2'],
      stderr:
        'switchboard load: call flow "place" is named twice in the mix "place=1,place=2": give each flow one weight\n',
      code: 2,
    },
    ...[
      {
        args: ['load', 'run', '--rate', '10', '--rate', '20'],
        flags: '--rate <n/s>',
        values: "'10' and '20'",
      },
      {
        args: ['load', 'run', '--api', HTTP_NOWHERE, '--rate', '5', '--seed', '1', '--seed=2'],
        flags: '--seed <seed>',
        values: "'1' and '2'",
      },
      {
        args: ['history', 'export', '--store', NOWHERE, '--out', 'a.ndjson', '--out', 'b.ndjson'],
        flags: '--out <file>',
        values: "'a.ndjson' and 'b.ndjson'",
      },
    ].map(({ args, flags, values }) => ({
      name: `refuses ${flags} given twice, naming both values, where the last was kept without a word`,
      args: () => args,
      stderr: expect.stringContaining(
        `error: option '${flags}' is given twice, as ${values}: give it once\n`,
      ),
      code: 2,
    })),
    {
      name: 'reads every --threshold of a command line, as one meant to repeat, before calling the api',
      args: () => [
        'load',
        'run',
        '--api',
        HTTP_NOWHERE,
        '--rate',
        '5',
        '--threshold',
        'p99<50ms',
        '--threshold',
        'errors<200%',
      ],
      stderr:
        'switchboard load: threshold "errors<200%": a percentage is between 0% and 100%, e.g. errors<1%\n',
      code: 2,
    },
    {
      name: 'refuses a --mix flow without its weight, before calling the api',
      args: () => ['load', 'run', '--api', HTTP_NOWHERE, '--rate', '5', '--mix', 'place'],
      stderr:
        'switchboard load: "place" in the mix has no weight: write flow=weight pairs, e.g. place=3,ring-answer=4\n',
      code: 2,
    },
    {
      name: 'says an export file cannot be written, before reading the store',
      args: () => ['history', 'export', '--store', NOWHERE, '--out', join(dir(), 'no/such/dir.ndjson')],
      stderr: expect.stringMatching(
        /^switchboard history export: cannot write --out \/.*no\/such\/dir\.ndjson \(ENOENT\)\n$/,
      ),
      code: 2,
    },
    ...[
      { command: 'load replay', args: () => ['load', 'replay', dir(), '--dry-run'] },
      { command: 'replay', args: () => ['replay', dir(), '--store', NOWHERE] },
      { command: 'history import', args: () => ['history', 'import', dir(), '--store', NOWHERE] },
    ].map(({ command, args }) => ({
      name: `says which path ${command} cannot read when it is a directory`,
      args,
      stderr: expect.stringMatching(
        new RegExp(`^switchboard ${command}: cannot read /.*switchboard-cli-usage-\\w+ \\(EISDIR\\)\n$`),
      ),
      code: 2,
    })),
    {
      name: 'refuses a mistyped replay point (--at) before replaying the history',
      args: () => ['replay', history, '--store', NOWHERE, '--at', 'abc'],
      stderr:
        'switchboard replay: "abc" is neither an event count (120), a position of the original log (@4096) nor an ISO-8601 time\n',
      code: 2,
    },
    {
      name: 'refuses an unknown read model (--select) before replaying the history',
      args: () => ['replay', history, '--store', NOWHERE, '--select', 'cals'],
      stderr: expect.stringMatching(/^switchboard replay: --select: no read model cals \(use accounts, /),
      code: 2,
    },
    {
      name: 'refuses a zero --speed before replaying the history',
      args: () => ['replay', history, '--store', NOWHERE, '--speed', '0'],
      stderr: 'switchboard replay: --speed must be a positive number or "max", not "0"\n',
      code: 2,
    },
    {
      name: 'refuses --account for more than one scenario file, before calling the api',
      args: () => [
        'scenario',
        'run',
        '--api',
        HTTP_NOWHERE,
        '--account',
        'demo',
        join(dir(), 'a.yaml'),
        join(dir(), 'b.yaml'),
      ],
      stderr:
        'switchboard scenario run: --account names one account: give one scenario file (2 given), or use --run-id\n',
      code: 2,
    },
    {
      name: 'refuses a replay --account the api would refuse, even in a dry run',
      args: () => ['load', 'replay', recording, '--dry-run', '--account', '__proto__'],
      stderr: `switchboard load replay: --account "__proto__" is not an id the api accepts: it ${ID_RULE}\n`,
      code: 2,
    },
    {
      name: 'refuses a recorded command without a member it is sent with, naming the line, even in a dry run',
      args: () => ['load', 'replay', lineless(), '--dry-run'],
      stderr: expect.stringMatching(
        /^switchboard load replay: \/.*\/lineless\.ndjson:2: answerCall needs line \(text\), found missing\n$/,
      ),
      code: 2,
    },
    {
      name: 'refuses a scenario --account the api would refuse, before calling the api',
      args: () => ['scenario', 'run', '--api', HTTP_NOWHERE, '--account', '../x', ANY_SCENARIO],
      stderr: `switchboard scenario run: --account "../x" is not an id the api accepts: it ${ID_RULE}\n`,
      code: 2,
    },
    {
      name: 'refuses a scenario --run-id that makes an account id the api would refuse, before calling the api',
      args: () => ['scenario', 'run', '--api', HTTP_NOWHERE, '--run-id', 'a/b', ANY_SCENARIO],
      stderr: `switchboard scenario run: --run-id "a/b" makes the account id "r12-a/b", which ${ID_RULE}\n`,
      code: 2,
    },
    {
      name: 'refuses audit --json with --csv instead of printing JSON',
      args: () => ['audit', 'call', 'c1', '--store', NOWHERE, '--json', '--csv'],
      stderr: expect.stringContaining(`option '--json' cannot be used with option '--csv'`),
      code: 2,
    },
    {
      name: 'refuses an audit --line that names no line instead of finding no events for it',
      args: () => ['audit', 'call', 'c1', '--source', 'store', '--store', NOWHERE, '--line', 'acme'],
      stderr:
        'switchboard audit: --line must be <accountId>.<number>, e.g. acme.15550000001 or acme.+15550000001, not "acme"\n',
      code: 2,
    },
  ])(
    '$name',
    async ({ args, stderr, code }) => {
      const result = await runCli(args());
      expect(result).toMatchObject({ stderr, code });
      noStackTrace(result.stderr);
    },
    30_000,
  );

  it('defaults --api and --projector to the host and port the stack was given, as --help shows', async () => {
    // Given a stack placed on one address and on every address
    const env = { API_HOST: '192.168.1.5', API_PORT: '4100', PROJECTOR_HOST: '::', PROJECTOR_PORT: '4101' };
    // When --help is asked for, Then it shows the addresses a client reaches them at
    const api = '(default: "http://192.168.1.5:4100")';
    const projector = '(default: "http://[::1]:4101")';
    const expected: [string[], string[]][] = [
      [
        ['load', 'run'],
        [api, projector],
      ],
      [
        ['scenario', 'run'],
        [api, projector],
      ],
      [['projector', 'parked'], [projector]],
      [['verify'], [projector]],
    ];
    for (const [command, defaults] of expected) {
      const help = (await runCli([...command, '--help'], env)).stdout.replace(/\s+/g, ' ');
      for (const shown of defaults) expect(help).toContain(shown);
    }
  });

  it('asks for --api and --projector when the environment places the stack on ports it cannot name', async () => {
    // Given API_PORT=0 (the api picks its port) and a PROJECTOR_PORT that is no port
    const env = { API_PORT: '0', PROJECTOR_PORT: 'abc' };
    // When a command that calls the api is given no --api
    const run = await runCli(['load', 'run', '--rate', '5', '--projector', HTTP_NOWHERE], env);
    // Then it stops before doing anything, saying why there is no default
    expect(run).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        'error: --api has no default, as API_PORT is 0, so the api listens on a port it picks itself: give --api\n',
      ),
    });
    noStackTrace(run.stderr);
    const parked = await runCli(['projector', 'parked'], env);
    expect(parked).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        'error: --projector has no default, as PROJECTOR_PORT must be a port number from 1 to 65535, not "abc": give --projector\n',
      ),
    });
    // And --help says there is none, and why
    const help = (await runCli(['load', 'run', '--help'], env)).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('(no default: API_PORT is 0, so the api listens on a port it picks itself)');
    // And a command that never calls the projector does not ask for it
    const noLag = await runCli(['load', 'run', '--rate', '5', '--api', HTTP_NOWHERE, '--no-lag'], env);
    expect(noLag.stderr).not.toContain('--projector has no default');
  });

  it('refuses a scenario with an unknown YAML tag in its own words, with no Node warning on stderr', async () => {
    // Given a scenario whose account is written with a tag the parser does not know
    const tagged = join(dir(), 'tagged.yaml');
    await writeFile(tagged, 'name: tagged\naccount: !foo r12\nparties: []\nsteps: []\n');
    // When it is run
    const result = await runCli(['scenario', 'run', '--api', HTTP_NOWHERE, tagged]);
    // Then the file is refused naming the line, and stderr holds no YAMLWarning from Node
    expect(result.stdout).toContain(`ERROR not valid YAML: Unresolved tag: !foo at line 2, column 10\n`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
  });

  it('says a --store that answers as some other HTTP/2 server is no EventStoreDB', async () => {
    // Given an HTTP/2 server that answers every call with 404, as a proxy or another service would
    const server = createServer((_request, response) => {
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const store = `esdb://127.0.0.1:${(server.address() as AddressInfo).port}?tls=false`;
    try {
      // When the CLI reads its history
      const result = await runCli(['history', 'export', '--store', store]);
      // Then it names the server and the mistake, with the exit code of a command that could not run
      expect(result.stderr).toBe(
        `switchboard history export: the server at ${store} is no EventStoreDB (it answers its calls with HTTP 404): name the store with --store or EVENTSTORE_CONNECTION_STRING\n`,
      );
      expect(result.code).toBe(2);
    } finally {
      await new Promise((closed) => server.close(closed));
    }
  });

  it('reads a load merge input past a byte order mark, to judge what the JSON holds', async () => {
    // Given a file an editor saved with a byte order mark before its JSON
    const marked = join(dir(), 'marked.json');
    await writeFile(marked, '\uFEFF{"merge": null}');
    // When it is merged
    const result = await runCli(['load', 'merge', marked]);
    // Then its JSON is read, and refused for what it holds, not as no JSON at all
    expect(result.stderr).toBe(
      `switchboard load merge: ${marked} holds no histogram encodings: it was not written by \`load run --out\` of this version\n`,
    );
    expect(result.code).toBe(2);
  });

  it.each([
    ['history import', ['history', 'import'], ['--store', NOWHERE]],
    ['replay', ['replay'], []],
  ] as const)(
    '%s refuses a history without events, from a closed or empty standard input or an empty file, where it exited 0',
    async (name, command, options) => {
      /** The command given `-` and `input` on its standard input, or none at all (closed, /dev/null). */
      const withStdin = (input: string | undefined) =>
        new Promise<{ code: number | null; stderr: string }>((done) => {
          const child = spawn(process.execPath, [CLI, ...command, '-', ...options], {
            stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
          });
          let stderr = '';
          child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          child.stdin?.end(input);
          child.once('close', (code) => done({ code, stderr }));
        });
      // Given standard input closed, a pipe closed with nothing written, and one of blank lines alone
      for (const input of [undefined, '', '\n\n']) {
        // When it is read, Then it is refused as a usage error, saying that nothing was read
        expect(await withStdin(input)).toEqual({
          code: 2,
          stderr:
            `switchboard ${name}: no events read from standard input (it was empty, or held only blank ` +
            `lines): pipe a history into it, e.g. switchboard history export | switchboard ${name} -\n`,
        });
      }
      // And an empty file is refused alike, naming it
      const empty = join(dir(), `empty-history-${command.at(-1)}.ndjson`);
      await writeFile(empty, '');
      expect(await runCli([...command, empty, ...options])).toMatchObject({
        code: 2,
        stderr: `switchboard ${name}: no events in ${empty} (it is empty, or holds only blank lines): give a history, as history export writes one\n`,
      });
    },
  );

  it('refuses to replay a recording that holds no commands', async () => {
    // Given a recording with its header alone, When replayed, Then it is refused before the api is called
    const empty = join(dir(), 'empty.ndjson');
    await writeFile(empty, `${JSON.stringify({ recording: 1, manifest: {} })}\n`);
    const result = await runCli(['load', 'replay', empty, '--api', HTTP_NOWHERE]);
    expect(result.stderr).toBe(
      `switchboard load replay: ${empty} holds no recorded commands: record one with \`load run --record\`\n`,
    );
    expect(result.code).toBe(2);
  });

  it('audit verify: a file that is no trail fails (exit 1), a file it cannot read is no verdict (exit 2)', async () => {
    const missing = await runCli(['audit', 'verify', join(dir(), 'nowhere.json')]);
    expect(missing.stderr).toMatch(/^switchboard audit verify: .*nowhere\.json: ENOENT/);
    expect(missing.code).toBe(2);
    noStackTrace(missing.stderr);
    const notATrail = join(dir(), 'not-a-trail.csv');
    await writeFile(notATrail, 'a,b\r\n1,2\r\n');
    const refused = await runCli(['audit', 'verify', notATrail]);
    expect(refused.stderr).toContain("a CSV trail's header is position,stream,revision,type,");
    expect(refused.code).toBe(1);
    const empty = join(dir(), 'empty.json');
    await writeFile(empty, '{"entries": []}');
    expect(await runCli(['audit', 'verify', empty])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        'fails at row 0 (0 = the first entry), field row: expected an entry, found no rows',
      ),
    });
  });
});
