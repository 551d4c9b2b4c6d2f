import { DEFAULT_IDEMPOTENCY_WINDOW_MS, type RepositoryOptions } from '#eventstore';

export const IDEMPOTENCY_OPTIONS = Symbol('IDEMPOTENCY_OPTIONS');

/**
 * How long a command id is answered with its first result, from `IDEMPOTENCY_WINDOW_SECONDS`
 * (default 900: SPEC §2's 15 minutes). Real time, not the simulated clock: it covers clients
 * retrying after a lost answer. A value that is not a whole number of seconds stops the start.
 */
export const idempotencyOptionsFromEnv = (
  env: Readonly<Record<string, string | undefined>>,
): Required<Pick<RepositoryOptions, 'idempotencyWindowMs'>> => {
  const raw = env.IDEMPOTENCY_WINDOW_SECONDS;
  if (raw === undefined || raw === '') return { idempotencyWindowMs: DEFAULT_IDEMPOTENCY_WINDOW_MS };
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new Error(
      `IDEMPOTENCY_WINDOW_SECONDS must be a whole number of seconds (at least 1), not "${raw}"`,
    );
  return { idempotencyWindowMs: Number(raw) * 1000 };
};
