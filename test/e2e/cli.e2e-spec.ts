import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsv } from '#http';
import { chained } from '#read-models';
import { cliSuite, runCli, verifyStack } from '../support/cli.js';

/**
 * The built `switchboard` CLI against real processes: the embedded store in memory, the api and the
 * projector, each on a free port. A short closed-model load run with thresholds, then `verify` over
 * the log it wrote, `audit` of one of its calls and a dry-run replay of its recording.
 */
describe('switchboard CLI end to end', () => {
  const suite = cliSuite('switchboard-cli-e2e-');

  /** Where the first test's load records what it sent: a header line, then one entry a command. */
  const firstRunRecording = () => join(suite.dir, 'run.ndjson');
  /** `load replay` of the first test's recording, with `options`. */
  const replayFirstRun = (...options: string[]) =>
    runCli(['load', 'replay', firstRunRecording(), ...options]);

  /** A call the first test's load rang and answered, from its recording. */
  const answeredCallId = async (): Promise<string> => {
    const recording = (await readFile(firstRunRecording(), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l));
    return recording.find((entry) => entry.flow === 'ring-answer').command.callId as string;
  };

  it('runs a seeded load, meets its thresholds, and records what it sent', async () => {
    const recording = firstRunRecording();
    const summaryFile = join(suite.dir, 'summary.json');
    const result = await runCli([
      'load',
      ...suite.endpoints,
      '--concurrency',
      '2',
      '--max-calls',
      '30',
      '--lines',
      '8',
      '--seed',
      'e2e',
      '--run-id',
      'one',
      '--threshold',
      'errors<=0',
      '--threshold',
      'lag.p99.9<10s',
      '--record',
      recording,
      '--out',
      summaryFile,
      '--stats-file',
      join(suite.dir, 'stats.csv'),
      '--stats-interval',
      '200ms',
      '--no-progress',
    ]);
    // The table on stdout: counts, each threshold's verdict with its figure, the overall verdict
    expect(result.stdout).toMatch(/^load run: closed model, 2 parties, account load-e2e-one\n/);
    expect(result.stdout).toContain('  calls .............. 30 started, 30 completed, 0 failed\n');
    expect(result.stdout).toMatch(/\n {4}PASS {2}errors<=0 +0\n/);
    expect(result.stdout).toMatch(/\nPASS: all 2 thresholds hold\n$/);
    // And a live line per --stats-interval on stderr
    expect(result.stderr).toMatch(/^\[ *[\d.]+ m?s\] +[\d.,]+ commands\/s {2}p50 /m);
    expect(result.code).toBe(0);
    const summary = JSON.parse(await readFile(summaryFile, 'utf8'));
    expect(summary.calls).toEqual({ started: 30, completed: 30, failed: 0 });
    expect(summary.outcomes).toEqual({ ok: summary.commands.completed });
    expect(summary.lag.count).toBe(summary.commands.completed);
    expect(summary.manifest).toMatchObject({ seed: 'e2e', runId: 'one', machine: { node: process.version } });
    expect(Object.keys(summary.latency.byFlow).sort()).toEqual(
      expect.arrayContaining(['place', 'ring-answer']),
    );
    const lines = (await readFile(recording, 'utf8')).trim().split('\n');
    expect(JSON.parse(lines[0]!).recording).toBe(1);
    const recorded = lines.slice(1).map((line) => JSON.parse(line));
    expect(recorded.filter((entry) => entry.phase === 'load')).toHaveLength(summary.commands.sent);
    expect(recorded[0].command.type).toBe('createAccount');
  }, 120_000);

  it('finds the api and the projector where API_HOST/API_PORT and PROJECTOR_HOST/PROJECTOR_PORT put them, as --help says', async () => {
    // Given the variables `npm start` moves the stack with, the stack bound to every address
    const api = new URL(suite.stack.api.address);
    const projector = new URL(suite.stack.projector.address);
    const env = {
      API_HOST: '0.0.0.0',
      API_PORT: api.port,
      PROJECTOR_HOST: '0.0.0.0',
      PROJECTOR_PORT: projector.port,
    };
    // When a load run is given neither --api nor --projector
    const result = await runCli(
      [
        'load',
        '--concurrency',
        '1',
        '--max-calls',
        '3',
        '--lines',
        '8',
        '--seed',
        'env',
        '--no-progress',
        '--json',
      ],
      env,
    );
    // Then it reached both: every command answered, and the lag measured on the projector
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.calls).toMatchObject({ started: 3, completed: 3 });
    expect(summary.lag.count).toBe(summary.commands.completed);
    // And --help shows those defaults, and where they come from
    const help = (await runCli(['load', 'run', '--help'], env)).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(
      `--api <url> api base url (by default from SWITCHBOARD_API_URL, else API_HOST and API_PORT) (default: "http://127.0.0.1:${api.port}")`,
    );
    expect(help).toContain(
      `(by default from SWITCHBOARD_PROJECTOR_URL, else PROJECTOR_HOST and PROJECTOR_PORT) (default: "http://127.0.0.1:${projector.port}")`,
    );
  });

  it('sets exit code 1 when a threshold fails', async () => {
    const result = await runCli([
      'load',
      ...suite.endpoints,
      '--concurrency',
      '1',
      '--max-calls',
      '2',
      '--run-id',
      'two',
      '--threshold',
      'p99<0.001ms',
      '--threshold',
      'p95<1s',
      '--no-lag',
      '--no-progress',
      '--json',
    ]);
    // With --json the JSON summary is stdout, verdicts and all, and the table goes to stderr
    const summary = JSON.parse(result.stdout);
    expect(summary.passed).toBe(false);
    expect(summary.thresholds.map((t: { passed: boolean }) => t.passed)).toEqual([false, true]);
    expect(summary.latency.all.p95).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/\n {4}FAIL {2}p99<0\.001ms +[\d.]+ m?s\n/);
    expect(result.stderr).toContain('\nFAIL: 1 of 2 thresholds failed\n');
    expect(result.code).toBe(1);
  }, 60_000);

  it('warms up unmeasured with --warm-up: the summary shows it apart and counts only the measured calls', async () => {
    // Given the stack, When an open-model run warms up for 1 s before 10 measured calls
    const result = await runCli([
      'load',
      ...suite.endpoints,
      '--rate',
      '20',
      '--warm-up',
      '1s',
      '--max-calls',
      '10',
      '--lines',
      '8',
      '--seed',
      'e2e',
      '--run-id',
      'warm',
      '--no-lag',
      '--no-progress',
      '--json',
    ]);
    expect(result.code).toBe(0);
    // Then the JSON summary keeps the warm-up's 12 calls (5, 10, 15, 20 calls/s for 250 ms each) apart
    const summary = JSON.parse(result.stdout);
    expect(summary.warmUp).toMatchObject({ durationMs: 1_000, calls: { started: 12 } });
    expect(summary.warmUp.commands.completed).toBeGreaterThanOrEqual(12);
    expect(summary.model).toMatchObject({ kind: 'open', rate: 20, warmUpMs: 1_000 });
    // And the measured counts are the 10 calls after it
    expect(summary.calls.started).toBe(10);
    expect(summary.latency.all.count).toBe(summary.commands.completed);
    // And the table on stderr has the warm-up on a line of its own, before the measured window's
    expect(result.stderr).toMatch(
      /\n {2}warm-up \.+ 1\.00 s not measured: 12 calls, [\d,]+ commands, \d+ errors.*\n {2}elapsed /,
    );
    expect(result.stderr).toContain('  calls .............. 10 started');
  }, 60_000);

  it('verifies the log the load wrote: metadata, revisions, state machine, projector digest', async () => {
    const result = await verifyStack(suite.stack);
    const { report } = result;
    expect(report.problems).toEqual([]);
    expect(report.checks).toEqual({
      parse: 'passed',
      metadata: 'passed',
      schema: 'passed',
      revisions: 'passed',
      positions: 'passed',
      stateMachine: 'passed',
      digest: 'passed',
    });
    expect(report.lineStreams).toBeGreaterThan(0);
    expect(result.code).toBe(0);
  }, 120_000);

  it("prints a call's audit trail from the projector and from the store alike, hash chain included", async () => {
    const callId = await answeredCallId();
    const fromProjector = await runCli([
      'audit',
      'call',
      callId,
      '--projector',
      suite.stack.projector.address,
      '--source',
      'projector',
      '--json',
    ]);
    const fromStore = await runCli([
      'audit',
      'call',
      callId,
      '--store',
      suite.stack.store.address,
      '--source',
      'store',
      '--json',
    ]);
    const projectorEntries = JSON.parse(fromProjector.stdout).entries as {
      type: string;
      chainHash: string;
    }[];
    expect(projectorEntries.map((e) => e.type)).toEqual([
      'IncomingCallReceived',
      'CallRang',
      'CallAnswered',
      'CallEnded',
    ]);
    // The store path runs the projector's own trail code: the same entries, chained to the same hashes.
    expect(projectorEntries.every((e) => /^[0-9a-f]{64}$/.test(e.chainHash))).toBe(true);
    expect(JSON.parse(fromStore.stdout).entries).toEqual(projectorEntries);
    const table = await runCli(['audit', 'call', callId, '--projector', suite.stack.projector.address]);
    expect(table.stdout).toContain(`call ${callId}`);
    // Each step says what happened, in the table and beside the event data in the JSON
    const [received, rang, answered] = JSON.parse(fromProjector.stdout).entries;
    expect(received).toMatchObject({ what: expect.stringMatching(/^call from \+\d+ on /), data: { callId } });
    expect(rang.what).toMatch(new RegExp(`^alerted ${rang.data.alerted.join(', ')}`));
    expect(answered.what).toContain(`${answered.data.by}`);
    expect(table.stdout).toContain(rang.what);
    // One CSV writer: the CLI's export, from either source, is the projector's cell for cell, but for
    // the projector's names of who acted and for whom, after the trail's own columns.
    const projectorCsv = await (
      await fetch(`${suite.stack.projector.address}/calls/${callId}/audit?format=csv`)
    ).text();
    expect(projectorCsv.split('\r\n')[0]).toMatch(/,chainHash,actorName,onBehalfOfName$/);
    const unnamed = parseCsv(projectorCsv).map((row) => row.slice(0, -2));
    for (const source of ['projector', 'store']) {
      const csv = await runCli([
        'audit',
        'call',
        callId,
        '--projector',
        suite.stack.projector.address,
        '--store',
        suite.stack.store.address,
        '--source',
        source,
        '--csv',
      ]);
      expect(parseCsv(csv.stdout)).toEqual(unnamed);
    }
  }, 60_000);

  it('audit verify: an exported trail (JSON or CSV) is intact and matches the log; an edit names its row and field', async () => {
    const callId = await answeredCallId();
    const exported = async (format: 'json' | 'csv'): Promise<string> => {
      const file = join(suite.dir, `trail.${format}`);
      const args = ['audit', 'call', callId, '--projector', suite.stack.projector.address, `--${format}`];
      await writeFile(file, (await runCli(args)).stdout);
      return file;
    };
    const store = ['--store', suite.stack.store.address];
    const [jsonFile, csvFile] = [await exported('json'), await exported('csv')];
    for (const file of [jsonFile, csvFile]) {
      const intact = await runCli(['audit', 'verify', file, ...store]);
      expect(intact.stdout).toMatch(
        /: 4 rows, hash chain intact \(last [0-9a-f]{64}\); every row matches the log/,
      );
      expect(intact.code).toBe(0);
    }
    // One cell of the CSV edited: the chain breaks at that row
    const csv = await readFile(csvFile, 'utf8');
    const lines = csv.split('\r\n');
    lines[3] = lines[3]!.replace(/,CallAnswered,([^,]*),([^,]*),([^,]+),/, ',CallAnswered,$1,$2,mallory,');
    const tampered = join(suite.dir, 'tampered.csv');
    await writeFile(tampered, lines.join('\r\n'));
    const broken = await runCli(['audit', 'verify', tampered]);
    expect(broken.stderr).toMatch(
      /fails at row 2 \(0 = the first entry\), field chainHash: expected [0-9a-f]{64}, found /,
    );
    expect(broken.code).toBe(1);
    // With the log to compare against, the same edit is named by its field
    const named = await runCli(['audit', 'verify', tampered, ...store]);
    expect(named.stderr).toContain('fails at row 2 (0 = the first entry), field actor: expected "');
    expect(named.stderr).toContain('found "mallory"');
    expect(named.code).toBe(1);
    // A trail rewritten with a fresh, valid chain passes on its own and fails against the log
    const json = JSON.parse(await readFile(jsonFile, 'utf8'));
    const rewritten = join(suite.dir, 'rewritten.json');
    const entries = json.entries.map(({ chainHash: _, ...entry }: { chainHash: string }, i: number) =>
      i === 2 ? { ...entry, actor: 'mallory' } : entry,
    );
    await writeFile(rewritten, JSON.stringify({ entries: chained(entries) }));
    expect((await runCli(['audit', 'verify', rewritten])).code).toBe(0);
    const against = await runCli(['audit', 'verify', rewritten, ...store]);
    expect(against.stderr).toContain(`fails at row 2 (0 = the first entry), field actor: expected "`);
    expect(against.stderr).toContain('found "mallory"');
    expect(against.code).toBe(1);
    // Dropping the last row keeps the chain and loses a step of the log
    const cut = join(suite.dir, 'cut.json');
    await writeFile(cut, JSON.stringify({ entries: json.entries.slice(0, 3) }));
    const short = await runCli(['audit', 'verify', cut, ...store]);
    expect(short.stderr).toContain(
      'fails at row 3 (0 = the first entry), field row: expected CallEnded at revision',
    );
    expect(short.code).toBe(1);
  }, 180_000);

  it("history export --account, then replay: --at refuses a point outside the history and takes the original log's positions; --diff shows what each viewer sees change", async () => {
    const file = join(suite.dir, 'account.ndjson');
    const exported = await runCli([
      'history',
      'export',
      '--store',
      suite.stack.store.address,
      '--account',
      'load-e2e-one',
      '--out',
      file,
      '--no-progress',
    ]);
    expect(exported.code).toBe(0);
    const events = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { stream: string; position: string });
    // Only the account's own streams
    expect(
      events.every((e) => e.stream === 'account-load-e2e-one' || e.stream.startsWith('line-load-e2e-one.')),
    ).toBe(true);
    const past = await runCli(['replay', file, '--no-progress', '--at', String(events.length + 1)]);
    expect(past.stderr).toContain(
      `the history has ${events.length} events, so there is no point ${events.length + 1}`,
    );
    expect(past.code).toBe(2);
    const last = events.at(-1)!.position;
    const atOriginal = await runCli(['replay', file, '--no-progress', '--at', `@${last}`]);
    expect(JSON.parse(atOriginal.stdout)).toMatchObject({ point: `@${last}`, eventCount: events.length });
    const diff = await runCli(['replay', file, '--no-progress', '--diff', '0', String(events.length)]);
    const { changes } = JSON.parse(diff.stdout) as {
      changes: Record<string, Record<string, Record<string, unknown>>>;
    };
    const viewers = Object.keys(changes);
    expect(viewers.length).toBeGreaterThan(0);
    expect(viewers.every((viewer) => viewer.startsWith('load-e2e-one/'))).toBe(true);
    const lines = Object.values(changes[viewers[0]!]!);
    expect(Object.keys(lines[0]!)).toEqual(expect.arrayContaining(['lamp.state']));
  }, 180_000);

  it('selects recorded commands for a replay by offset and type without sending them (--dry-run)', async () => {
    const result = await replayFirstRun('--dry-run', '--filter', 'answerCall', '--account', 'replayed');
    const entries = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(new Set(entries.filter((e) => e.phase === 'load').map((e) => e.command.type))).toEqual(
      new Set(['answerCall']),
    );
    expect(entries.every((e) => e.command.accountId === 'replayed')).toBe(true);
    expect(result.code).toBe(0);
  }, 30_000);

  it('replays a recording into a fresh account, measuring its load commands and not its setup', async () => {
    const summaryFile = join(suite.dir, 'replay-summary.json');
    const result = await replayFirstRun(...suite.endpoints, '--out', summaryFile, '--no-progress');
    expect(result.code).toBe(0);
    const summary = JSON.parse(await readFile(summaryFile, 'utf8'));
    // Every selected command is sent, unless an earlier step of its call failed. Replay keeps each
    // call's order but not the order of calls on one line: on a loaded machine a call can reach its
    // line before the previous one there hung up (409 CALL_ENDED, LINE_BUSY), so errors are counted,
    // not ruled out: each failed call fails exactly one command and skips the rest of its steps.
    expect(summary.commands.completed).toBe(summary.commands.sent);
    expect(summary.commands.errors).toBe(summary.calls.failed);
    expect(summary.commands.sent).toBeLessThanOrEqual(summary.model.loadCommands);
    if (summary.calls.failed === 0) expect(summary.commands.sent).toBe(summary.model.loadCommands);
    expect(summary.calls.started).toBe(30);
    expect(summary.calls.completed + summary.calls.failed).toBe(30);
    expect(summary.latency.byFlow).not.toHaveProperty('setup');
    // Its calls are counted as the run counted them: the 30 recorded, all completed
    expect(summary.rate.achievedCallsPerSecond).toBeGreaterThan(0);
    expect(result.stdout).toContain(
      `  calls .............. 30 started, ${summary.calls.completed} completed, ${summary.calls.failed} failed\n`,
    );
  }, 60_000);

  it("ends a scenario run with its totals, and exit code 1 when a step fails, saying the api's reason", async () => {
    const scenario = (name: string, secondCallExpect: string) =>
      [
        `name: ${name}`,
        'account: e2e',
        'parties:',
        "  - { id: alice, numbers: ['+15550000001'], plan: pro }",
        'steps:',
        "  - command: { type: placeCall, actor: alice, line: '+15550000001', callId: c1, to: '+15550100' }",
        '    expect: { ok: true }',
        "  - command: { type: placeCall, actor: alice, line: '+15550000001', callId: c2, to: '+15550101' }",
        `    expect: ${secondCallExpect}`,
      ].join('\n');
    const passing = join(suite.dir, 'busy.yaml');
    const failing = join(suite.dir, 'not-busy.yaml');
    await writeFile(passing, scenario('a busy line refuses a second call', '{ rejected: LINE_BUSY }'));
    await writeFile(failing, scenario('expects the busy line to take a second call', '{ ok: true }'));
    const result = await runCli(['scenario', 'run', ...suite.endpoints, passing, failing]);
    expect(result.stdout.trim().split('\n').at(-1)).toBe(
      '2 scenarios: 1 passed, 1 failed; 4 steps, 1 failed',
    );
    expect(result.stdout).toMatch(
      /expected success, got 409 LINE_BUSY: Line \+15550000001 is busy with call /,
    );
    expect(result.code).toBe(1);
  }, 30_000);

  it('says once, before running, that timeline scenarios need a virtual clock on a realtime stack', async () => {
    // Given a realtime stack and two timeline scenarios (an `at`, an advance) beside a plain one
    const timeline = (name: string, step: string) =>
      [
        `name: ${name}`,
        `account: ${name}`,
        'parties:',
        "  - { id: alice, numbers: ['+15550000001'], plan: pro }",
        'steps:',
        step,
      ].join('\n');
    const at = join(suite.dir, 'at.yaml');
    const advance = join(suite.dir, 'advance.yaml');
    const plain = join(suite.dir, 'plain.yaml');
    await writeFile(
      at,
      timeline(
        'at',
        "  - command: { type: placeCall, actor: alice, line: '+15550000001', callId: c1, to: '+15550100', at: +10s }",
      ),
    );
    await writeFile(advance, timeline('advance', '  - advance: { seconds: 30 }'));
    await writeFile(
      plain,
      timeline(
        'plain',
        "  - command: { type: placeCall, actor: alice, line: '+15550000001', callId: c1, to: '+15550100' }",
      ),
    );
    // When they run under one run id
    const result = await runCli([
      'scenario',
      'run',
      ...suite.endpoints,
      '--run-id',
      'rt',
      plain,
      at,
      advance,
    ]);
    // Then the note names the timelines, once, and each run ends with its account and panel
    expect(result.stderr).toBe(
      `note: the api's clock is realtime; timeline scenarios (${at}, ${advance}) need a stack started ` +
        'with CLOCK_MODE=virtual to move simulated time and to give the same events on every run (R21)\n',
    );
    expect(result.stdout).toContain(
      `  account plain-rt, panel ${suite.stack.projector.address}/panel?account=plain-rt&viewer=alice\n`,
    );
    expect(result.stdout).toContain('run id rt: --run-id rt on a fresh virtual-clock stack');
    // And a second run under the same run id is refused: its commands would be answered as resends
    const again = await runCli(['scenario', 'run', ...suite.endpoints, '--run-id', 'rt', plain]);
    expect(again.stdout).toContain(
      'ERROR account plain-rt already exists on this stack: give another --run-id or --account',
    );
    expect(again.code).toBe(1);
  }, 30_000);
});
