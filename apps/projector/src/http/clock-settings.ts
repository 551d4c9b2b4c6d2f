import type { ClockSettings } from '../queries/diagnosis-time.js';

/**
 * The clock settings the api reads (apps/api/src/clock/clock.service.ts, same variables, defaults and
 * refusals), so the projector asks diagnostics at the time the api would decide at.
 */
export const clockSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): ClockSettings => {
  const mode = env.CLOCK_MODE ?? 'realtime';
  if (mode !== 'realtime' && mode !== 'virtual') {
    throw new Error(`CLOCK_MODE must be "realtime" or "virtual", not "${mode}"`);
  }
  const virtualStart = new Date(env.VIRTUAL_CLOCK_START ?? '2026-01-05T09:00:00.000Z');
  if (Number.isNaN(virtualStart.getTime())) throw new Error('VIRTUAL_CLOCK_START must be an ISO-8601 time');
  return { mode, virtualStart: virtualStart.toISOString() };
};
