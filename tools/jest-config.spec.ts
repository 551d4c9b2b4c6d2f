import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from 'jest';

/**
 * How `npm test` runs its ~200 test files. In one process (Jest's `--runInBand`) the heap grows by every
 * finished file's modules, which Jest's ESM mode keeps reachable, and late files ran many times slower
 * than alone; a worker Jest replaces once its heap passed a limit starts each stretch of files fresh.
 */
const root = resolve(import.meta.dirname, '..');
// By its path: jest.config.js is plain JavaScript, without types to import it by name with.
const config = ((await import(resolve(root, 'jest.config.js'))) as { default: Config }).default;
const scripts = (
  JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;
const jestScripts = Object.entries(scripts).filter(([, command]) => /\bjest\b/.test(command));

describe('the test run', () => {
  it('runs one test file at a time, as the suites sharing one store and starting servers expect', () => {
    expect(config.maxWorkers).toBe(1);
  });

  it('runs the files in a worker that Jest replaces once its heap passed a limit after a file', () => {
    expect(config.workerIdleMemoryLimit).toBe('1GB');
  });

  it('lets the last worker exit with its heap before Jest calls it leaking and kills it', () => {
    expect(config.workerGracefulExitTimeout).toBe(5_000);
  });

  it('has no script that runs the files in Jest’s own process, where Jest ignores the worker’s limit', () => {
    expect(jestScripts.map(([name]) => name)).toEqual(
      expect.arrayContaining(['test', 'test:unit', 'test:integration', 'test:e2e']),
    );
    for (const [name, command] of jestScripts)
      expect({ name, inBand: /\s(--runInBand|-i)(\s|$)/.test(command) }).toEqual({ name, inBand: false });
  });
});
