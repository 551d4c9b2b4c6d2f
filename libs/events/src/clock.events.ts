import type { DomainEvent } from './event.js';

/** Stream of the simulation's virtual clock (R21): its time survives restarts and replays. */
export const VIRTUAL_CLOCK_STREAM = 'clock-virtual';

export type VirtualClockAdvanced = DomainEvent<'VirtualClockAdvanced', { from: string; to: string }>;

export type ClockEvent = VirtualClockAdvanced;

export const clockEventSchemaVersions: Record<ClockEvent['type'], number> = { VirtualClockAdvanced: 1 };
