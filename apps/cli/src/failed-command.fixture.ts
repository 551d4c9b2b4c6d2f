import type { Command } from 'commander';
import { jest } from '@jest/globals';
import { EXIT_ERROR } from './options.js';

/**
 * Runs a CLI command that must fail (exit code EXIT_ERROR) and gives the last line it wrote on stderr:
 * the one message a user reads. The exit code is put back for the next test.
 */
export const failureOf = async (command: Command, argv: readonly string[]): Promise<string> => {
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await command.parseAsync([...argv], { from: 'user' });
    expect(process.exitCode).toBe(EXIT_ERROR);
    return String(stderr.mock.calls.at(-1)?.[0]);
  } finally {
    stderr.mockRestore();
    process.exitCode = undefined;
  }
};
