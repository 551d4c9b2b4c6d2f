import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Every shipped scenario (`scenarios/*.yaml`) through the built CLI against a virtual-clock stack,
 * twice: the scenarios are the rules' documentation, so they must keep passing, and a second run on
 * the same stack (same clock, same store) shows that runs are isolated from each other. Then once
 * each on two fresh stacks under one run id: the same events and the same digest (R21).
 */
const cli = resolve(process.cwd(), 'dist/apps/cli/src/main.js');
const dir = resolve(process.cwd(), 'scenarios');

interface Run {
  readonly code: number;
  readonly results: Record<
    string,
    | { accountId: string; panel: string; steps: { step: string; passed: boolean; problems: string[] }[] }
    | { error: string }
  >;
  readonly stderr: string;
}

const runScenarios = (files: readonly string[], stack: Stack, extra: readonly string[] = []): Promise<Run> =>
  new Promise((done) => {
    execFile(
      process.execPath,
      [
        cli,
        'scenario',
        'run',
        '--json',
        '--api',
        stack.api.address,
        '--projector',
        stack.projector.address,
        ...extra,
        ...files,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, results: JSON.parse(stdout || '{}'), stderr }),
    );
  });

/** The failing steps of a run, readable in a test failure. */
const failures = (run: Run): string[] =>
  Object.entries(run.results).flatMap(([file, result]) =>
    'error' in result
      ? [`${file}: ${result.error}`]
      : result.steps.filter((r) => !r.passed).map((r) => `${file} ${r.step}: ${r.problems.join('; ')}`),
  );

describe('shipped scenarios', () => {
  let stack: Stack;
  let files: string[];

  beforeAll(async () => {
    stack = await startStack({ CLOCK_MODE: 'virtual' });
    files = (await readdir(dir))
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.json'))
      .sort()
      .map((f) => join(dir, f));
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  it('cover every SPEC rule R1-R23 and the seed troubleshooting cases', async () => {
    const { parse } = await import('yaml');
    const { readFile } = await import('node:fs/promises');
    const covered = new Set<string>();
    for (const file of files) {
      const scenario = parse(await readFile(file, 'utf8')) as { rules?: string[]; description?: string };
      expect(typeof scenario.description).toBe('string');
      for (const rule of scenario.rules ?? []) covered.add(rule);
    }
    const all = Array.from({ length: 23 }, (_, i) => `R${i + 1}`);
    expect(all.filter((rule) => !covered.has(rule))).toEqual([]);
    const names = files.map((f) => f.slice(dir.length + 1));
    expect(names).toEqual(
      expect.arrayContaining([
        'troubleshooting-delegate-not-ringing.yaml',
        'troubleshooting-line-busy.yaml',
        'troubleshooting-answer-calls-unavailable.yaml',
        'troubleshooting-recordings-voicemail-missing.yaml',
      ]),
    );
  });

  it('all pass, and pass again on the same stack', async () => {
    for (const round of [1, 2]) {
      const run = await runScenarios(files, stack);
      expect({ round, failures: failures(run), stderr: run.stderr }).toEqual({
        round,
        failures: [],
        stderr: '',
      });
      expect(Object.keys(run.results)).toHaveLength(files.length);
      expect(run.code).toBe(0);
    }
  }, 240_000);
});

/**
 * An event of the CLI's export as this test reads it: the fields it picks out by name. The rest are
 * compared whole, so the format is the CLI's own (HistoryEvent), not restated here.
 */
interface ExportedEvent {
  readonly position: string;
  readonly created: string;
  readonly [field: string]: unknown;
}

/** Every event of the stack's store, through the CLI's own export. */
const exportEvents = (stack: Stack): Promise<ExportedEvent[]> =>
  new Promise((done, fail) => {
    execFile(
      process.execPath,
      [cli, 'history', 'export', '--store', stack.store.address, '--no-progress'],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) =>
        error
          ? fail(error)
          : done(
              stdout
                .trim()
                .split('\n')
                .map((line) => JSON.parse(line) as ExportedEvent),
            ),
    );
  });

/**
 * The projector's digest once it has applied the log up to `position` (timer events included), waited
 * for 30 s at most: a projector process on a busy machine's shared cores may lag seconds behind.
 */
const digestAt = async (stack: Stack, position: string): Promise<{ digest: string; eventCount: number }> => {
  for (const giveUpAt = Date.now() + 30_000; Date.now() < giveUpAt;) {
    const answer = (await (await fetch(`${stack.projector.address}/digest`)).json()) as {
      position: string | null;
      digest: string;
      eventCount: number;
    };
    if (answer.position === position) return answer;
    await new Promise((resume) => setTimeout(resume, 25));
  }
  throw new Error(`the projector did not reach position ${position}`);
};

describe('a scenario run on a fresh store (R21)', () => {
  it('writes the same events and reaches the same digest every time under one run id', async () => {
    const files = (await readdir(dir))
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => join(dir, f));
    const runs: { events: ExportedEvent[]; digest: { digest: string; eventCount: number } }[] = [];
    for (const round of [1, 2]) {
      // Given a fresh virtual-clock stack
      const stack = await startStack({ CLOCK_MODE: 'virtual' });
      try {
        // When every shipped scenario runs on it under the run id "repro"
        const run = await runScenarios(files, stack, ['--run-id', 'repro']);
        expect({ round, failures: failures(run) }).toEqual({ round, failures: [] });
        const events = await exportEvents(stack);
        runs.push({ events, digest: await digestAt(stack, events.at(-1)!.position) });
      } finally {
        await stack.stop();
      }
    }
    const [first, second] = runs as [(typeof runs)[0], (typeof runs)[0]];
    // Then both logs hold the same events: ids, streams, revisions, positions, data and metadata
    // (command, correlation and causation ids, simulated times). Only `created` differs: the store
    // stamps each record with the wall-clock time it was written, as EventStoreDB does.
    const withoutCreated = (events: ExportedEvent[]) =>
      events.map(({ created: _created, ...event }) => event);
    expect(first.events.length).toBeGreaterThan(300);
    expect(withoutCreated(second.events)).toEqual(withoutCreated(first.events));
    // And the projector's read models reach the same digest
    expect(second.digest).toEqual(first.digest);
  }, 240_000);
});
