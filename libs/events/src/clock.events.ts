import type { DomainEvent } from './event.js';

export type VirtualClockAdvanced = DomainEvent<'VirtualClockAdvanced', { from: string; to: string }>;

export type ClockEvent = VirtualClockAdvanced;

export const clockEventSchemaVersions: Record<ClockEvent['type'], number> = { VirtualClockAdvanced: 1 };

/** `realtime`: timers run on the wall clock; `virtual`: time moves only along `clock-virtual` (R21). */
export type ClockMode = 'realtime' | 'virtual';

/** How the simulation's time is kept; the api decides and the projector diagnoses (R20) by the same. */
export interface ClockSettings {
  readonly mode: ClockMode;
  /** Where a fresh virtual clock starts: a Monday morning, inside default business hours. */
  readonly virtualStart: Date;
}

/** `CLOCK_MODE` and `VIRTUAL_CLOCK_START`, read the same way by every process that needs the time. */
export const clockSettingsFromEnv = (env: Readonly<Record<string, string | undefined>>): ClockSettings => {
  const mode = env.CLOCK_MODE ?? 'realtime';
  if (mode !== 'realtime' && mode !== 'virtual') {
    throw new Error(`CLOCK_MODE must be "realtime" or "virtual", not "${mode}"`);
  }
  const virtualStart = new Date(env.VIRTUAL_CLOCK_START ?? '2026-01-05T09:00:00.000Z');
  if (Number.isNaN(virtualStart.getTime())) throw new Error('VIRTUAL_CLOCK_START must be an ISO-8601 time');
  return { mode, virtualStart };
};
