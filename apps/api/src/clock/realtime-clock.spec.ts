import { jest } from '@jest/globals';
import { RealtimeClock } from './realtime-clock.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('R21 realtime clock', () => {
  afterEach(() => jest.useRealTimers());

  it('R21: given a timer due further ahead than setTimeout holds (24.8 days), when time passes, then it fires at its due time and not before', async () => {
    // Given a timer due in 30 days, beyond the 2^31 - 1 ms Node fires after 1 ms instead
    jest.useFakeTimers({ now: new Date('2026-01-05T09:00:00Z') });
    const fired: Date[] = [];
    const clock = new RealtimeClock(() => undefined);
    const dueAt = new Date(Date.now() + 30 * DAY_MS);
    clock.schedule({ key: 'far', dueAt, fire: async () => void fired.push(new Date()) });

    // When 29 days and 23 hours pass, Then it has not fired
    await jest.advanceTimersByTimeAsync(30 * DAY_MS - 60 * 60 * 1000);
    expect(fired).toEqual([]);
    // When its due time comes, Then it fires, once, at that time
    await jest.advanceTimersByTimeAsync(60 * 60 * 1000);
    expect(fired).toEqual([dueAt]);
    clock.stop();
  });

  it('R21: given a far timer, when it is cancelled while it waits past setTimeout’s longest delay, then it never fires', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-05T09:00:00Z') });
    const fired: string[] = [];
    const clock = new RealtimeClock(() => undefined);
    clock.schedule({
      key: 'far',
      dueAt: new Date(Date.now() + 60 * DAY_MS),
      fire: async () => void fired.push('far'),
    });
    await jest.advanceTimersByTimeAsync(40 * DAY_MS);
    clock.cancel('far');
    await jest.advanceTimersByTimeAsync(30 * DAY_MS);
    expect(fired).toEqual([]);
  });
});
