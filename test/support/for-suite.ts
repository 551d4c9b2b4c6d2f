import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Something a suite starts before its first test and stops after its last, for a helper called inside
 * a `describe`: the suite's own `beforeAll` hooks, declared after the helper's, can use it. Returns how
 * to reach it, which throws, naming `what`, when it is reached before its `beforeAll` started it.
 */
export function startedForSuite<T>(
  what: string,
  start: () => Promise<T>,
  stop: (started: T) => Promise<void>,
): () => T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    if (started !== undefined) await stop(started);
  });
  return () => {
    if (started === undefined) throw new Error(`the suite’s ${what} is used before its beforeAll started it`);
    return started;
  };
}

/**
 * A fresh scratch directory named from `prefix`, made before the suite's first test and removed with
 * all it holds after its last. Called inside a `describe`.
 */
export const scratchDirForSuite = (prefix: string): (() => string) =>
  startedForSuite(
    'scratch directory',
    () => mkdtemp(join(tmpdir(), prefix)),
    (dir) => rm(dir, { recursive: true, force: true }),
  );
