import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Every shipped scenario (`scenarios/*.yaml`) through the built CLI against a virtual-clock stack,
 * twice: the scenarios are the rules' documentation, so they must keep passing, and a second run on
 * the same stack (same clock, same store) shows that runs are isolated from each other.
 */
const cli = resolve(process.cwd(), 'dist/apps/cli/src/main.js');
const dir = resolve(process.cwd(), 'scenarios');

interface Run {
  readonly code: number;
  readonly results: Record<
    string,
    { step: string; passed: boolean; problems: string[] }[] | { error: string }
  >;
  readonly stderr: string;
}

const runScenarios = (files: readonly string[], stack: Stack): Promise<Run> =>
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
      : result.filter((r) => !r.passed).map((r) => `${file} ${r.step}: ${r.problems.join('; ')}`),
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

  it('cover every SPEC rule R1-R21 and the seed troubleshooting cases', async () => {
    const { parse } = await import('yaml');
    const { readFile } = await import('node:fs/promises');
    const covered = new Set<string>();
    for (const file of files) {
      const scenario = parse(await readFile(file, 'utf8')) as { rules?: string[]; description?: string };
      expect(typeof scenario.description).toBe('string');
      for (const rule of scenario.rules ?? []) covered.add(rule);
    }
    const all = Array.from({ length: 21 }, (_, i) => `R${i + 1}`);
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
