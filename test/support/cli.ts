import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startStack, type Stack } from './stack.js';

/** The built `switchboard` CLI (`npm run build` writes it). */
export const CLI = resolve(process.cwd(), 'dist/apps/cli/src/main.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI to its end, with `env` added to the environment; a non-zero exit is an answer,
 * not a failure.
 */
export const runCli = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
  new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      // A load's or an export's output can run to megabytes.
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

/** What a suite running the CLI against a stack uses: the stack, a scratch directory, `--api`/`--projector`. */
export interface CliSuite {
  readonly stack: Stack;
  readonly dir: string;
  readonly endpoints: string[];
}

/**
 * A stack started before the suite's first test and stopped after its last, with a fresh scratch
 * directory named from `dirPrefix`. Called inside a `describe`; filled in by its `beforeAll`.
 */
export function cliSuite(dirPrefix: string): CliSuite {
  const suite = {} as { stack: Stack; dir: string; endpoints: string[] };
  beforeAll(async () => {
    suite.stack = await startStack();
    suite.dir = await mkdtemp(join(tmpdir(), dirPrefix));
    suite.endpoints = ['--api', suite.stack.api.address, '--projector', suite.stack.projector.address];
  }, 60_000);
  afterAll(async () => {
    await suite.stack?.stop();
    if (suite.dir) await rm(suite.dir, { recursive: true, force: true });
  });
  return suite;
}

/** The report of `switchboard verify --json`, as far as the specs read it. */
export interface VerifyReport {
  readonly checks: Record<string, string>;
  readonly problems: { check: string; reason?: string; stream?: string; position?: string }[];
  readonly digest: { equal: boolean; parked: number };
  readonly lineStreams: number;
}

/** `switchboard verify --json` over a stack's store and projector: the run and its report. */
export async function verifyStack(
  stack: Stack,
  extra: readonly string[] = [],
): Promise<CliRun & { report: VerifyReport }> {
  const run = await runCli([
    'verify',
    '--store',
    stack.store.address,
    '--projector',
    stack.projector.address,
    '--json',
    ...extra,
  ]);
  return { ...run, report: JSON.parse(run.stdout) as VerifyReport };
}
