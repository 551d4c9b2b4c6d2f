import { parseBound, parseIsoTime } from './history-event.js';

describe('history bounds (--from / --to)', () => {
  it('reads digits as a $all position and ISO-8601 dates or date-times as simulated times', () => {
    // Given bounds as an architect writes them, When parsed, Then each means what it says
    expect(parseBound('500000')).toEqual({ position: 500000n });
    expect(parseBound('2026-01-05T09:00:30Z')).toEqual({ time: Date.parse('2026-01-05T09:00:30Z') });
    expect(parseBound('2026-01-05T09:00:30.250+02:00')).toEqual({
      time: Date.parse('2026-01-05T09:00:30.250+02:00'),
    });
    expect(parseBound('2026-01-05')).toEqual({ time: Date.parse('2026-01-05') });
  });

  it('refuses what is neither, where Date.parse would have read a year or a date in words', () => {
    // Given a negative "position" (Date.parse: the year -5) and other non-ISO text
    // When parsed, Then each is refused instead of selecting every event or none
    for (const bad of ['-5', '5.5', 'March 3 2026', 'yesterday', '2026-13-45T00:00:00Z']) {
      expect(parseIsoTime(bad)).toBeUndefined();
      expect(() => parseBound(bad)).toThrow(`"${bad}" is neither a $all position nor an ISO-8601 time`);
    }
  });
});
