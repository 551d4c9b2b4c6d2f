import {
  arrivalCount,
  arrivals,
  type OpenSchedule,
  parseRate,
  rateAt,
  scheduleEndMs,
  warmUpSchedule,
} from './schedule.js';

describe('open-model schedule', () => {
  it('spaces arrivals evenly at the rate and stops at the duration', () => {
    expect([...arrivals({ rate: 4, durationMs: 1000 })]).toEqual([0, 250, 500, 750]);
  });

  it('stops at max calls', () => {
    expect([...arrivals({ rate: 1000, maxCalls: 3 })]).toEqual([0, 1, 2]);
  });

  it('ramps the rate by step every interval up to the max', () => {
    const schedule = { rate: 10, rampStep: 10, rampIntervalMs: 1000, maxRate: 25, durationMs: 4000 };
    expect([0, 999, 1000, 2500, 3999].map((t) => rateAt(schedule, t))).toEqual([10, 10, 20, 25, 25]);
    const times = [...arrivals(schedule)];
    const perSecond = [0, 1, 2, 3].map(
      (s) => times.filter((t) => t >= s * 1000 && t < (s + 1) * 1000).length,
    );
    expect(perSecond).toEqual([10, 20, 25, 25]);
  });

  it('ends the arrivals where a ramp down reaches 0 calls/s, short of --max-calls', () => {
    // Given 2 calls/s ramping down by 1/s every second, for at most 10 calls
    const schedule = { rate: 2, rampStep: -1, rampIntervalMs: 1000, maxCalls: 10 };
    // Then its calls come at 2/s, then 1/s, and none once the rate is 0, from 2 s on
    expect([...arrivals(schedule)]).toEqual([0, 500, 1000]);
    expect(rateAt(schedule, 2000)).toBe(0);
  });

  it.each<[OpenSchedule, number]>([
    [{ rate: 4, durationMs: 1_000 }, 1_000],
    [{ rate: 20, maxCalls: 60 }, 3_000],
    [{ rate: 20, maxCalls: 60, durationMs: 2_000 }, 2_000],
    [{ rate: 10, rampStep: 10, rampIntervalMs: 1_000, durationMs: 2_500 }, 2_500],
    [{ rate: 10, rampStep: 10, rampIntervalMs: 1_000, maxCalls: 15 }, 1_250],
    [{ rate: 2, rampStep: -1, rampIntervalMs: 1_000, durationMs: 10_000 }, 2_000],
  ])('ends the schedule %j at %d ms: where one more arrival would come, or its duration', (schedule, end) => {
    // Then the end is one interval after the last arrival, at most the duration
    const last = [...arrivals(schedule)].at(-1)!;
    expect(Math.min(last + 1000 / rateAt(schedule, last), schedule.durationMs ?? Infinity)).toBeCloseTo(
      end,
      6,
    );
    expect(scheduleEndMs(schedule)).toBeCloseTo(end, 6);
  });

  it('warms up climbing to the rate in four stairs, and ends with the warm-up', () => {
    // Given a warm-up of 4 s to 40 calls/s
    const schedule = warmUpSchedule(40, 4_000);
    // When its arrivals are counted per second
    const times = [...arrivals(schedule)];
    const perSecond = [0, 1, 2, 3].map(
      (s) => times.filter((t) => t >= s * 1000 && t < (s + 1) * 1000).length,
    );
    // Then each stair is a quarter of the rate higher, the last one at the rate, and none come after 4 s
    expect(perSecond).toEqual([10, 20, 30, 40]);
    expect(arrivalCount(schedule)).toBe(100);
  });

  it('refuses a schedule that never ends or never starts', () => {
    expect(() => [...arrivals({ rate: 10 })]).toThrow(/--duration or --max-calls/);
    expect(() => [...arrivals({ rate: 0, durationMs: 10 })]).toThrow(/above 0/);
  });

  it('parses rates', () => {
    expect(parseRate('500')).toBe(500);
    expect(parseRate('500/s')).toBe(500);
    expect(parseRate('120/m')).toBe(2);
    expect(() => parseRate('fast')).toThrow(/not a rate/);
  });
});
