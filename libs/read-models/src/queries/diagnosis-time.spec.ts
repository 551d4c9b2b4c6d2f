import { VIRTUAL_CLOCK_STREAM, clockSettingsFromEnv, type ClockEvent, type ClockSettings } from '#events';
import { storedLog } from '../engine/engine.fixture.js';
import { ReadModels } from '../engine/read-models.js';
import { PROJECTIONS } from '../projections/index.js';
import { diagnosisTime } from './diagnosis-time.js';

/** R21: a diagnosis is asked at the time the api would decide a command at. */
const MONDAY = '2026-01-05T09:00:00.000Z';
const EVENING = '2026-01-05T18:00:00.000Z';
const virtual: ClockSettings = { mode: 'virtual', virtualStart: new Date(MONDAY) };
const realtime: ClockSettings = { mode: 'realtime', virtualStart: new Date(MONDAY) };
const wallClock = new Date('2026-03-01T12:34:56.000Z');

const advancedTo = (...times: string[]): ReadModels => {
  const readModels = new ReadModels(PROJECTIONS);
  const log = times.map((to, i): [string, ClockEvent] => [
    VIRTUAL_CLOCK_STREAM,
    { type: 'VirtualClockAdvanced', data: { from: times[i - 1] ?? MONDAY, to } },
  ]);
  for (const stored of storedLog(log)) readModels.apply(stored);
  return readModels;
};

describe('the time a diagnosis is asked at (R20, R21)', () => {
  it("virtual: the virtual clock's last advance, though no event followed it", () => {
    expect(diagnosisTime(advancedTo('2026-01-05T10:00:00.000Z', EVENING), virtual, {}, wallClock)).toEqual({
      at: EVENING,
      source: "the virtual clock's time",
    });
  });

  it('virtual: where the clock starts, before any advance or when it starts after the last one, as the api does', () => {
    expect(diagnosisTime(advancedTo(), virtual, {}, wallClock).at).toBe(MONDAY);
    const laterStart = { ...virtual, virtualStart: new Date('2026-01-06T09:00:00.000Z') };
    expect(diagnosisTime(advancedTo(EVENING), laterStart, {}, wallClock).at).toBe(
      laterStart.virtualStart.toISOString(),
    );
  });

  it("realtime: the wall clock's time, not the last event's; as of a past position, that position's last event", () => {
    const readModels = advancedTo(EVENING);
    expect(diagnosisTime(readModels, realtime, {}, wallClock)).toEqual({
      at: wallClock.toISOString(),
      source: "the wall clock's time",
    });
    expect(diagnosisTime(readModels, realtime, { asOf: '100' }, wallClock)).toEqual({
      at: readModels.lastSimulatedTime,
      source: 'the time of the last event up to position 100',
    });
  });

  it('asOfTime: the time asked for, in either mode', () => {
    for (const clock of [virtual, realtime]) {
      expect(
        diagnosisTime(advancedTo(EVENING), clock, { asOfTime: '2026-01-05T12:00:00Z' }, wallClock),
      ).toEqual({
        at: '2026-01-05T12:00:00.000Z',
        source: 'the time asked for',
      });
    }
  });

  it("reads the api's CLOCK_MODE and VIRTUAL_CLOCK_START, with its defaults and refusals", () => {
    expect(clockSettingsFromEnv({})).toEqual({ mode: 'realtime', virtualStart: new Date(MONDAY) });
    expect(
      clockSettingsFromEnv({ CLOCK_MODE: 'virtual', VIRTUAL_CLOCK_START: '2026-02-02T08:00:00Z' }),
    ).toEqual({
      mode: 'virtual',
      virtualStart: new Date('2026-02-02T08:00:00.000Z'),
    });
    expect(() => clockSettingsFromEnv({ CLOCK_MODE: 'fast' })).toThrow('CLOCK_MODE must be');
    expect(() => clockSettingsFromEnv({ VIRTUAL_CLOCK_START: 'soon' })).toThrow('VIRTUAL_CLOCK_START');
  });
});
