import { lateStartProblem, MAX_START_AHEAD_MS, parseStartAt, startAtProblem } from './start-at.js';

describe('load run --start-at', () => {
  const now = Date.parse('2026-05-01T12:00:00Z');

  it('reads an ISO-8601 instant with its zone, and refuses one without a zone or not a real date', () => {
    // Given instants as a load tester writes them, When parsed, Then they are the same ms on every machine
    expect(parseStartAt('2026-05-01T12:00:30Z')).toBe(now + 30_000);
    expect(parseStartAt('2026-05-01T14:00:30.250+02:00')).toBe(now + 30_250);
    expect(parseStartAt('2026-05-01T12:01Z')).toBe(now + 60_000);
    // And a local time (read in each machine's own zone), a date alone or a day that does not exist is refused
    for (const bad of [
      '2026-05-01T12:00:30',
      '2026-05-01',
      '2026-02-30T12:00:00Z',
      '2026-13-01T12:00:00Z',
      'now',
      '',
    ])
      expect(() => parseStartAt(bad)).toThrow(
        `"${bad}" is not an instant: write an ISO-8601 time with its zone, e.g. 2026-05-01T12:00:00Z`,
      );
  });

  it('refuses a start already past or further ahead than a day, saying which and what to give', () => {
    // Given the clock at noon, When a start is checked, Then one ahead within a day is waited for
    expect(startAtProblem(now + 1, now)).toBeUndefined();
    expect(startAtProblem(now + MAX_START_AHEAD_MS, now)).toBeUndefined();
    // And one now or before is past
    expect(startAtProblem(now, now)).toBe(
      '--start-at 2026-05-01T12:00:00.000Z is already past (it is 2026-05-01T12:00:00.000Z): ' +
        "give an instant ahead, far enough for every shard's setup and warm-up",
    );
    // And one more than a day ahead is taken for a mistyped date or zone
    expect(startAtProblem(now + MAX_START_AHEAD_MS + 3_600_000, now)).toBe(
      '--start-at 2026-05-02T13:00:00.000Z is 25.0 h ahead: at most 24h, check its date and zone',
    );
  });

  it('refuses to begin after the start, once setup and warm-up overran it, saying how long they took', () => {
    // Given a setup that began 4 s before the start
    const began = now - 4_000;
    // When it ends at or before the start, Then the run waits for it
    expect(lateStartProblem(now, now, began, false)).toBeUndefined();
    // And when it ends after, Then the run is refused rather than begun out of line with the other shards
    expect(lateStartProblem(now, now + 1_500, began, true)).toBe(
      'the setup and warm-up ended 1.50 s after --start-at 2026-05-01T12:00:00.000Z (it took 5.50 s): ' +
        'give an instant further ahead',
    );
    expect(lateStartProblem(now, now + 20, began, false)).toMatch(/^the setup ended 20\.0 ms after/);
  });
});
