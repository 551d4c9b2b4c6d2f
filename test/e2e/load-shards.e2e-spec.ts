import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { addEncoded } from '#load';
import { CLI, cliSuite, runCli } from '../support/cli.js';
import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';

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
   * `load` with `args`, given a Ctrl-C (SIGINT) once its stderr says `said`: what it printed, its exit
   * code, and how long it took to exit after the Ctrl-C. One that exits before saying it (refused) is
   * not interrupted, and the caller's checks say why.
   */
  const interruptedOnceItSays = async (said: string, args: readonly string[]) => {
    const run = spawn(process.execPath, [CLI, 'load', ...suite.endpoints, ...args]);
    let stdout = '';
    let stderr = '';
    run.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const saying = new Promise<void>((resolve) =>
      run.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes(said)) resolve();
      }),
    );
    const exited = once(run, 'exit');
    await Promise.race([saying, exited]);
    const interruptedAt = Date.now();
    run.kill('SIGINT');
    const [code] = await exited;
    return { code, stdout, stderr, exitedAfterMs: Date.now() - interruptedAt };
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

  it('starts 2 shards launched 1 s apart together at --start-at, so that the merged rate is the target', async () => {
    // Given an instant far enough ahead for both shards' setup on a loaded machine
    const startAt = Date.now() + 8_000;
    const instant = new Date(startAt).toISOString();
    const run = (i: number) =>
      runCli([
        'load',
        ...suite.endpoints,
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
    // When shard 1 is launched, and shard 2 a second later
    const first = run(1);
    await sleep(1_000);
    const shards = await Promise.all([first, run(2)]);
    for (const shard of shards) {
      expect(shard.stderr).toBe(`set up, waiting for --start-at ${instant}\n`);
      expect(shard.code).toBe(0);
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
    const starts = await Promise.all(
      [1, 2].map(async (i) => {
        const shard = JSON.parse(await readFile(join(suite.dir, `together-${i}.json`), 'utf8'));
        return shard.merge.startedAtMs as number;
      }),
    );
    for (const start of starts) expect(Math.abs(start - startAt)).toBeLessThan(50);
    // And the merged rate is the target's, within a tenth, with no warning that the shards started apart
    expect(sum.merge.scheduledCalls).toBe(30);
    expect(sum.rate.targetCallsPerSecond).toBe(10);
    expect(sum.rate.achievedCallsPerSecond).toBeGreaterThan(9);
    expect(sum.rate.achievedCallsPerSecond).toBeLessThan(11);
    expect(sum.warnings).toEqual([]);
  }, 60_000);

  it('ends a wait for --start-at at the first Ctrl-C, rather than begin at the instant only to stop', async () => {
    // Given a shard set up and waiting for an instant half a minute ahead
    const instant = new Date(Date.now() + 30_000).toISOString();
    // When it is interrupted while it waits
    const { code, stderr, exitedAfterMs } = await interruptedOnceItSays('waiting for --start-at', [
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
    // Then it ends at once, saying that nothing was measured, with the exit code of a run that could not run
    expect(exitedAfterMs).toBeLessThan(5_000);
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
