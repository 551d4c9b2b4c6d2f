import { limitFor, parsePoint, type Replayed } from './replay-command.js';

/** Three events replayed into a fresh store at 10, 20, 30; they were at 4096, 5000, 7000 in the original log. */
const history: Replayed = {
  positions: [10n, 20n, 30n],
  originals: [4096n, 5000n, 7000n],
  times: { first: '2026-01-05T09:00:00.000Z', last: '2026-01-05T09:05:00.000Z' },
};
const at = (point: string) => limitFor(parsePoint(point), history);

describe('replay --at / --diff points', () => {
  it.each([
    ['a count of events, 0 to all of them', { '0': 0n, '2': 20n, '3': 30n }],
    [
      'a position of the original log (@P): the state after the last event at or before it',
      { '@4096': 10n, '@6999': 20n, '@7000': 30n },
    ],
  ])('takes %s', (_kind, untilPositions: Record<string, bigint>) => {
    for (const [point, untilPosition] of Object.entries(untilPositions))
      expect(at(point)).toEqual({ untilPosition });
  });

  it('refuses a count past the end, saying which counts and original positions the history has', () => {
    expect(() => at('4')).toThrow(
      'the history has 3 events, so there is no point 4 (counts run from 0 to 3; positions of the original log from @4096 to @7000)',
    );
  });

  it('refuses an original position before the first or after the last event', () => {
    expect(() => at('@4095')).toThrow(
      '@4095 is outside the replayed history, whose original positions run from @4096 to @7000',
    );
    expect(() => at('@7001')).toThrow(/^@7001 is outside the replayed history/);
  });

  it('takes a simulated time within the history and refuses one outside it', () => {
    expect(at('2026-01-05T09:01:00.000Z')).toEqual({ untilSimulatedTime: '2026-01-05T09:01:00.000Z' });
    expect(() => at('2026-01-05T10:00:00.000Z')).toThrow(
      '2026-01-05T10:00:00.000Z is outside the replayed history, whose simulated times run from 2026-01-05T09:00:00.000Z to 2026-01-05T09:05:00.000Z',
    );
  });
});
