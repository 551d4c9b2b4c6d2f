import { InvalidArgumentError } from 'commander';
import { parseDurationMs } from './load/think-time.js';

/** Commander argument parsers that fail with a message saying what to write instead. */
export const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number >= 1');
  return n;
};

export const duration = (value: string): number => {
  try {
    return parseDurationMs(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export const DEFAULT_API_URL =
  process.env.SWITCHBOARD_API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? 3000}`;
export const DEFAULT_PROJECTOR_URL =
  process.env.SWITCHBOARD_PROJECTOR_URL ?? `http://127.0.0.1:${process.env.PROJECTOR_PORT ?? 3001}`;

/** Exit codes: 0 all good, 1 a check failed (threshold, expectation, verification), 2 could not run. */
export const EXIT_FAILED = 1;
export const EXIT_ERROR = 2;
