import { formatDurationMs, parseDurationMs } from './think-time.js';

describe('durations', () => {
  it('writes milliseconds in the largest whole unit, which the parser reads back to the same value', () => {
    // Given durations in ms, When written, Then each carries its unit and parses back unchanged
    const written = [5, 1.5, 1_000, 1_500, 10_000, 90_000, 120_000, 7_200_000].map(formatDurationMs);
    expect(written).toEqual(['5ms', '1.5ms', '1s', '1500ms', '10s', '90s', '2m', '2h']);
    expect(written.map(parseDurationMs)).toEqual([5, 1.5, 1_000, 1_500, 10_000, 90_000, 120_000, 7_200_000]);
  });

  it('refuses a number without a unit, which a load tester means in seconds as often as in milliseconds, but reads 0', () => {
    // Given durations written without a unit, When parsed, Then each is refused naming the units to choose from
    expect(() => parseDurationMs('30')).toThrow('"30" needs a unit: write 30s, 30ms or 30m');
    expect(() => parseDurationMs(' 1.5 ')).toThrow('"1.5" needs a unit: write 1.5s, 1.5ms or 1.5m');
    // And zero, the same in every unit, needs none
    expect(parseDurationMs('0')).toBe(0);
  });
});
