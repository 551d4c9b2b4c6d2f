import { jest } from '@jest/globals';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cliSuite, runCli } from '../support/cli.js';

// Starting the stack and the CLI processes takes seconds each on a loaded machine.
jest.setTimeout(120_000);

/**
 * The CLI writing to a disk that fills up: Linux's /dev/full takes no byte (ENOSPC), as a full disk
 * does. Each write used to end the CLI with an unhandled 'error' event's stack trace.
 */
describe('switchboard CLI on a full disk', () => {
  const suite = cliSuite('switchboard-cli-full-disk-');
  const FULL = '/dev/full';

  const noStackTrace = (stderr: string): void => expect(stderr).not.toMatch(/\n\s+at |Unhandled 'error'/);

  /** A short load run of this suite's stack in the account `runId` makes, with `files` among its options. */
  const loadRun = (runId: string, ...files: string[]) =>
    runCli([
      'load',
      'run',
      ...suite.endpoints,
      '--rate',
      '10',
      '--duration',
      '2s',
      '--run-id',
      runId,
      '--no-progress',
      ...files,
    ]);

  /** That a path is still the device it was: removing the export's file must spare a device. */
  const stillADevice = async (): Promise<void> => {
    expect((await stat(FULL)).isCharacterDevice()).toBe(true);
  };

  it('stops a load run whose --record cannot be written, saying so, and writes no --out summary', async () => {
    // Given a load run recording onto a full disk
    const summary = join(suite.dir, 'record-summary.json');
    // When it runs
    const run = await loadRun('record', '--record', FULL, '--out', summary);
    // Then it ends with exit code 2, naming the option and the file, without a stack trace
    expect(run.stderr).toContain(`switchboard load: cannot write --record ${FULL} (ENOSPC)\n`);
    noStackTrace(run.stderr);
    expect(run.code).toBe(2);
    // And no summary says it ran whole
    await expect(stat(summary)).rejects.toMatchObject({ code: 'ENOENT' });
    await stillADevice();
  });

  it('stops a load run whose --stats-file cannot be written, saying so', async () => {
    // Given a load run writing its periodic stats onto a full disk, When it runs
    const run = await loadRun('stats', '--stats-file', FULL, '--stats-interval', '200ms');
    // Then it ends with exit code 2, naming the option and the file, without a stack trace
    expect(run.stderr).toContain(`switchboard load: cannot write --stats-file ${FULL} (ENOSPC)\n`);
    noStackTrace(run.stderr);
    expect(run.code).toBe(2);
  });

  it('stops a history export whose --out cannot be written, saying so, and leaves the device be', async () => {
    // Given a store holding the events of a load run
    expect((await loadRun('events', '--out', join(suite.dir, 'events.json'))).code).toBe(0);
    // When its history is exported onto a full disk
    const exported = await runCli(['history', 'export', '--store', suite.stack.store.address, '--out', FULL]);
    // Then it ends with exit code 2, naming the option and the file, without a stack trace
    expect(exported.stderr).toMatch(
      new RegExp(
        `^switchboard history export: cannot write --out ${FULL} \\(ENOSPC\\); the \\d+ events written to ${FULL} are not the whole history\\n$`,
      ),
    );
    expect(exported.code).toBe(2);
    // And the device, not a file of the export's making, is not removed
    await stillADevice();
  });
});
