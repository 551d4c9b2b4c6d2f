import { VirtualClock, ClockCannotGoBackError } from './virtual-clock.js';

const at = (time: string): Date => new Date(`2026-01-05T${time}Z`);

describe('R21 virtual clock', () => {
  it('R21: given timers, when time passes them, then they fire in due order at their due time', async () => {
    const clock = new VirtualClock(at('09:00:00'));
    const fired: string[] = [];
    const record = (key: string) => async () => void fired.push(`${key}@${clock.now().toISOString()}`);
    clock.schedule({ key: 'b', dueAt: at('09:00:30'), fire: record('b') });
    clock.schedule({ key: 'a', dueAt: at('09:00:30'), fire: record('a') });
    clock.schedule({ key: 'c', dueAt: at('09:00:10'), fire: record('c') });
    clock.schedule({ key: 'late', dueAt: at('09:05:00'), fire: record('late') });

    await clock.advanceTo(at('09:01:00'));

    expect(fired).toEqual([
      'c@2026-01-05T09:00:10.000Z',
      'a@2026-01-05T09:00:30.000Z',
      'b@2026-01-05T09:00:30.000Z',
    ]);
    expect(clock.now()).toEqual(at('09:01:00'));
    expect(clock.pending().map((timer) => timer.key)).toEqual(['late']);
  });

  it('R21: a timer scheduled by a firing timer fires in the same advance when it is due', async () => {
    const clock = new VirtualClock(at('09:00:00'));
    const fired: string[] = [];
    clock.schedule({
      key: 'transfer',
      dueAt: at('09:00:05'),
      fire: async () => {
        fired.push('transfer');
        clock.schedule({ key: 'recall', dueAt: at('09:00:20'), fire: async () => void fired.push('recall') });
      },
    });
    await clock.advanceTo(at('09:00:30'));
    expect(fired).toEqual(['transfer', 'recall']);
  });

  it('R21: time does not move without an explicit advance, and a rescheduled key replaces the old timer', async () => {
    const clock = new VirtualClock(at('09:00:00'));
    const fired: string[] = [];
    clock.schedule({ key: 'ring', dueAt: at('09:00:30'), fire: async () => void fired.push('first') });
    clock.schedule({ key: 'ring', dueAt: at('09:00:40'), fire: async () => void fired.push('second') });
    expect(clock.now()).toEqual(at('09:00:00'));
    await clock.advanceTo(at('09:00:35'));
    expect(fired).toEqual([]);
    await clock.advanceTo(at('09:00:40'));
    expect(fired).toEqual(['second']);
  });

  it('R21: the virtual clock refuses to go back', async () => {
    const clock = new VirtualClock(at('09:00:00'));
    await expect(clock.advanceTo(at('08:59:59'))).rejects.toBeInstanceOf(ClockCannotGoBackError);
  });

  it('R21: the same schedule replayed twice fires identically', async () => {
    const run = async (): Promise<string[]> => {
      const clock = new VirtualClock(at('09:00:00'));
      const fired: string[] = [];
      for (const key of ['x', 'y', 'z']) {
        clock.schedule({ key, dueAt: at('09:00:10'), fire: async () => void fired.push(key) });
      }
      await clock.advanceTo(at('09:00:10'));
      return fired;
    };
    expect(await run()).toEqual(await run());
  });
});
