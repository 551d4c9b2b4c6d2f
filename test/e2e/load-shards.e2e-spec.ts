import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addEncoded } from '#load';
import { CLI, cliSuite, runCli } from '../support/cli.js';
import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';

/**
 * How far ahead a test's --start-at is: both shards' setups (accounts, parties and delegations over
 * HTTP, each a CLI process starting) must end before it, one after the other, on a machine whose 2
 * cores the stack, Jest and the CLIs share. A budget, not a measured bound: nothing asserts on time.
 */
const SETUP_BUDGET_MS = 20_000;

/**
 * Load from several generators: `load run --shard i/n` processes against one stack, their `--out`
 * files merged by `load merge`, compared with one unsharded run of the same seed.
 */
describe('load run --shard and load merge', () => {
  const suite = cliSuite('switchboard-shards-e2e-');

  // Every call on a line of its own: what a call meets does not depend on how the generators interleave.
  const workload = [
    '--rate',
    '40',
    '--max-calls',
    '48',
    '--lines',
    '48',
    '--delegators',
    '4',
    '--seed',
    'shards',
  ];
  const options = ['--threshold', 'errors<=0', '--threshold', 'p99<30s', '--no-progress'];
  /** Where shard `i` of the first test writes its summary. */
  const shardSummary = (i: number): string => join(suite.dir, `shard-${i}.json`);
  /** `load merge` of the named shards' summaries. */
  const merge = (shards: readonly number[], ...more: string[]) =>
    runCli(['load', 'merge', ...shards.map(shardSummary), ...more]);
  /**
   * `load` with `args`, started in the background: what it printed so far, a promise of the first
   * moment its stderr says `said` (which fails, naming what it said, if it exits before), and its end.
   */
  const startLoad = (args: readonly string[]) => {
    const run = spawn(process.execPath, [CLI, 'load', ...suite.endpoints, ...args]);
    const printed = { stdout: '', stderr: '' };
    run.stdout.on('data', (chunk: Buffer) => (printed.stdout += chunk.toString()));
    run.stderr.on('data', (chunk: Buffer) => (printed.stderr += chunk.toString()));
    const exited = once(run, 'exit') as Promise<[number | null]>;
    const says = (said: string) =>
      new Promise<void>((seen, failed) => {
        const read = () => printed.stderr.includes(said) && seen();
        run.stderr.on('data', read);
        void exited.then(() => failed(new Error(`load exited before saying "${said}":\n${printed.stderr}`)));
        read();
      });
    return { run, printed, says, exited };
  };
  /**
   * `load` with `args`, given a Ctrl-C (SIGINT) once its stderr says `said`: what it printed and its
   * exit code. Each caller's `said` is a state the run stays in for far longer than a signal takes to
   * land (a wait for an instant an hour ahead, a measured phase of a minute), so the signal reaches it
   * there however loaded the machine is.
   */
  const interruptedOnceItSays = async (said: string, args: readonly string[]) => {
    const { run, printed, says, exited } = startLoad(args);
    await says(said);
    run.kill('SIGINT');
    const [code] = await exited;
    return { code, ...printed };
  };

  it('merges 2 shards into the command and outcome counts of 1 run of the same seed, histograms added', async () => {
    // Given one whole run of the seed
    const whole = await runCli([
      'load',
      ...suite.endpoints,
      ...workload,
      ...options,
      '--run-id',
      'whole',
      '--out',
      join(suite.dir, 'whole.json'),
    ]);
    expect(whole.stderr).toBe('');
    expect(whole.code).toBe(0);
    // When 2 shards of the same seed run at the same time, each on its own account part, then merge
    const shards = await Promise.all(
      [1, 2].map((i) =>
        runCli([
          'load',
          ...suite.endpoints,
          ...workload,
          ...options,
          '--run-id',
          'split',
          '--shard',
          `${i}/2`,
          '--out',
          shardSummary(i),
        ]),
      ),
    );
    for (const shard of shards) expect(shard.code).toBe(0);
    expect(shards[0]!.stdout).toMatch(
      /^load run: open model, 40 calls\/s, shard 1\/2, account load-shards-split\n/,
    );
    const merged = await merge([1, 2], '--out', join(suite.dir, 'merged.json'));
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    expect(merged.stdout).toMatch(
      /^load merge: open model, 40 calls\/s, 2 shards merged, account load-shards-split\n/,
    );
    expect(merged.stdout).toMatch(/\nPASS: all 2 thresholds hold\n$/);

    // Then the merged counts are the whole run's
    const read = async (name: string) => JSON.parse(await readFile(join(suite.dir, name), 'utf8'));
    const [wholeSummary, one, two, sum] = await Promise.all(
      ['whole.json', 'shard-1.json', 'shard-2.json', 'merged.json'].map(read),
    );
    expect(one.commands.completed).toBeGreaterThan(0);
    expect(two.commands.completed).toBeGreaterThan(0);
    expect(sum.calls).toEqual(wholeSummary.calls);
    expect(sum.commands).toEqual(wholeSummary.commands);
    expect(sum.outcomes).toEqual(wholeSummary.outcomes);
    expect(sum.merge.scheduledCalls).toBe(48);
    expect(
      Object.fromEntries(
        Object.entries(sum.latency.byType).map(([t, p]) => [t, (p as { count: number }).count]),
      ),
    ).toEqual(
      Object.fromEntries(
        Object.entries(wholeSummary.latency.byType).map(([t, p]) => [t, (p as { count: number }).count]),
      ),
    );
    // And the merged histogram is the sum of the two shards'
    expect(sum.merge.histograms.all).toBe(
      encodeIntoCompressedBase64(addEncoded([one.merge.histograms.all, two.merge.histograms.all])),
    );
    expect(sum.latency.all.count).toBe(one.latency.all.count + two.latency.all.count);
    expect(sum.lag.count).toBe(one.lag.count + two.lag.count);
    expect(sum.passed).toBe(true);
  }, 180_000);

  it(
    'starts 2 shards launched apart together at --start-at, so that the merged window is theirs',
    async () => {
      // Given an instant far enough ahead for one shard's setup and then the other's on a loaded machine
      // (a shard set up after it is refused, saying how late it was)
      const startAt = Date.now() + SETUP_BUDGET_MS;
      const instant = new Date(startAt).toISOString();
      const shard = (i: number) =>
        startLoad([
          '--rate',
          '10',
          '--duration',
          '3s',
          '--lines',
          '48',
          '--delegators',
          '4',
          '--seed',
          'together',
          '--run-id',
          'together',
          '--no-progress',
          '--shard',
          `${i}/2`,
          '--start-at',
          instant,
          '--out',
          join(suite.dir, `together-${i}.json`),
        ]);
      // When shard 1 is launched, and shard 2 only once shard 1 is set up and waiting: launched apart by
      // a whole setup, however fast the machine is, where a sleep between the launches may be overtaken
      const first = shard(1);
      await first.says('set up, waiting for --start-at');
      const second = shard(2);
      for (const { printed, exited } of [first, second]) {
        const [code] = await exited;
        expect(printed.stderr).toBe(`set up, waiting for --start-at ${instant}\n`);
        expect(code).toBe(0);
      }
      const merged = await runCli([
        'load',
        'merge',
        join(suite.dir, 'together-1.json'),
        join(suite.dir, 'together-2.json'),
        '--json',
      ]);
      expect(merged.code).toBe(0);
      const sum = JSON.parse(merged.stdout);
      // Then both measured phases began at the agreed instant, not when each was set up
      const shards = await Promise.all(
        [1, 2].map(
          async (i) =>
            JSON.parse(await readFile(join(suite.dir, `together-${i}.json`), 'utf8')) as {
              elapsedMs: number;
              merge: { startedAtMs: number };
            },
        ),
      );
      for (const { merge } of shards) expect(Math.abs(merge.startedAtMs - startAt)).toBeLessThan(50);
      // And the merged window is the shards' own, from the instant to the last answer, with no warning
      // that they started apart: the merged rates are those of one run of the target's 30 calls. (How
      // close the achieved rate comes to the target depends on how fast a loaded machine answers the
      // last calls, which is not what this test is about.)
      expect(sum.merge.scheduledCalls).toBe(30);
      expect(sum.calls.started).toBe(30);
      expect(sum.rate.targetCallsPerSecond).toBe(10);
      expect(Math.abs(sum.elapsedMs - Math.max(...shards.map(({ elapsedMs }) => elapsedMs)))).toBeLessThan(
        50,
      );
      expect(sum.warnings).toEqual([]);
    },
    SETUP_BUDGET_MS + 60_000,
  );

  it('ends a wait for --start-at at the first Ctrl-C, rather than begin at the instant only to stop', async () => {
    // Given a shard set up and waiting for an instant an hour ahead: a wait that ran on to the instant
    // fails this test by Jest's limit, with no bound on how fast a loaded machine exits
    const instant = new Date(Date.now() + 3_600_000).toISOString();
    // When it is interrupted while it waits
    const { code, stderr } = await interruptedOnceItSays('waiting for --start-at', [
      '--rate',
      '10',
      '--lines',
      '8',
      '--delegators',
      '4',
      '--seed',
      'interrupted',
      '--run-id',
      'interrupted',
      '--no-progress',
      '--shard',
      '1/2',
      '--start-at',
      instant,
    ]);
    // Then it ends then, saying that nothing was measured, with the exit code of a run that could not run
    expect(stderr).toBe(
      `set up, waiting for --start-at ${instant}\n` +
        `switchboard load: interrupted while waiting for --start-at ${instant}: nothing was measured\n`,
    );
    expect(code).toBe(2);
  }, 60_000);

  it('says a run stopped by Ctrl-C was interrupted, and passes no threshold with it', async () => {
    // Given a run planned for a minute, its measured phase begun
    const out = join(suite.dir, 'interrupted.json');
    // When it is interrupted once a live line per interval says the measured phase has begun
    const { code, stdout } = await interruptedOnceItSays('commands/s', [
      '--rate',
      '5',
      '--duration',
      '60s',
      '--lines',
      '8',
      '--delegators',
      '4',
      '--seed',
      'cut',
      '--run-id',
      'cut',
      '--no-progress',
      '--stats-interval',
      '500ms',
      '--threshold',
      'p99<30s',
      '--out',
      out,
    ]);
    // Then its summary says so first, it passes no threshold though its one held, and the file says so
    const summary = JSON.parse(await readFile(out, 'utf8')) as {
      interrupted: boolean;
      passed: boolean;
      thresholds: { passed: boolean }[];
    };
    expect(summary).toMatchObject({ interrupted: true, passed: false, thresholds: [{ passed: true }] });
    expect(stdout.split('\n')[1]).toMatch(/^ {2}warning \.+ stopped by Ctrl-C before its planned end/);
    expect(code).toBe(1);
  }, 60_000);

  it('sets the exit code from the merged verdict, and refuses an incomplete set of shards', async () => {
    const strict = await merge([1, 2], '--threshold', 'p99<0.001ms');
    expect(strict.stdout).toMatch(/\n {4}FAIL {2}p99<0\.001ms +[\d.,]+ m?s\n/);
    expect(strict.code).toBe(1);
    const partial = await merge([1]);
    expect(partial.stderr).toBe(
      'switchboard load merge: shard 2/2 is missing: merging without it would not be the whole run\n',
    );
    expect(partial.code).toBe(2);
  }, 60_000);
});
