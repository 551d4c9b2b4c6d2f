import type { EventStore } from '#eventstore';
import { ClockController } from './clock.controller.js';
import { ClockService } from './clock.service.js';

const at = (time: string): Date => new Date(`2026-01-05T${time}Z`);

describe('R21 GET /clock', () => {
  it('Given a ring whose timeout the process managers are still putting on the clock, When the clock is asked for its pending timers, Then it lists that timeout', async () => {
    // GET /clock reads nothing from the store: none is given.
    const clock = new ClockService({ mode: 'virtual', virtualStart: at('09:00:00') }, {} as EventStore);
    clock.useSettle(async () => {
      await Promise.resolve();
      clock.schedule({
        key: 'line-acme.15550100:ringTimeout:call-1',
        dueAt: at('09:00:30'),
        fire: async () => {},
      });
    });

    const view = await new ClockController(clock).clockNow();

    expect(view.pendingTimers).toEqual([
      { key: 'line-acme.15550100:ringTimeout:call-1', dueAt: '2026-01-05T09:00:30.000Z' },
    ]);
  });

  it('Given the realtime clock and a first catch-up that has not ended (the store out of reach), When the clock is asked, Then it answers at once with no pending timers', async () => {
    const clock = new ClockService({ mode: 'realtime', virtualStart: at('09:00:00') }, {} as EventStore);
    clock.useSettle(() => new Promise<void>(() => undefined));

    const view = await new ClockController(clock).clockNow();

    expect(view).toMatchObject({ mode: 'realtime', pendingTimers: [] });
  });
});
