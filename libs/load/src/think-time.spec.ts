import { formatDurationMs, parseDurationMs } from './think-time.js';

describe('durations', () => {
  it('writes milliseconds in the largest whole unit, which the parser reads back to the same value', () => {
    // Given durations in ms, When written, Then each carries its unit and parses back unchanged
    const written = [5, 1.5, 1_000, 1_500, 10_000, 90_000, 120_000, 7_200_000].map(formatDurationMs);
    expect(written).toEqual(['5ms', '1.5ms', '1s', '1500ms', '10s', '90s', '2m', '2h']);
    expect(written.map(parseDurationMs)).toEqual([5, 1.5, 1_000, 1_500, 10_000, 90_000, 120_000, 7_200_000]);
  });
});
