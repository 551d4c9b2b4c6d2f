import type { ClockSettings } from '#events';
import type { ReadModels } from '../engine/read-models.js';
import { virtualClockTime } from '../projections/clock.projection.js';

/** The time a diagnosis is made at, and where it comes from: the question names both. */
export interface DiagnosisTime {
  readonly at: string;
  readonly source: string;
}

/**
 * The time the api would decide a command at, for a diagnosis of the read models `readModels` (R20,
 * R21): the time asked for (`asOfTime`); else in virtual mode the virtual clock's time, which an
 * advance moves without any other event; in realtime mode the wall clock's, or for read models as of a
 * past position (`asOf`) the time of the last event they reflect.
 */
export const diagnosisTime = (
  readModels: ReadModels,
  clock: ClockSettings,
  asked: { readonly asOf?: string; readonly asOfTime?: string },
  wallClock: Date = new Date(),
): DiagnosisTime => {
  if (asked.asOfTime !== undefined) {
    return { at: new Date(asked.asOfTime).toISOString(), source: 'the time asked for' };
  }
  if (clock.mode === 'virtual') {
    // As the api's clock on start: its last advance, unless a later start moved it on (it never goes back).
    const advanced = virtualClockTime(readModels);
    const at =
      advanced !== undefined && Date.parse(advanced) > clock.virtualStart.getTime()
        ? advanced
        : clock.virtualStart.toISOString();
    return { at, source: "the virtual clock's time" };
  }
  if (asked.asOf !== undefined && readModels.lastSimulatedTime !== undefined) {
    return {
      at: readModels.lastSimulatedTime,
      source: `the time of the last event up to position ${asked.asOf}`,
    };
  }
  return { at: wallClock.toISOString(), source: "the wall clock's time" };
};
