import type { CommandBus } from '@nestjs/cqrs';
import { initialLineState, type LineState } from '#domain';
import type { LineEvent } from '#events';
import type { StoredEvent, SubscriptionItem, SystemRecord } from '#eventstore';
import { fedStore, repairRecord } from '../../../../libs/eventstore/src/fed-store.fixture.js';
import type { ClockService } from '../clock/clock.service.js';
import type { AccountAppends } from '../accounts/account-appends.js';
import type { LineAppends } from './line-appends.js';
import { TIMER_COMMAND_ID_PREFIX } from '../shared/command-metadata.js';
import { LineTimersProcessManager } from './line-timers.process-manager.js';
import type { ExecuteLineCommand } from './line.command.js';
import type { LineRepository } from './line.repository.js';

type Item = SubscriptionItem<LineEvent>;

const STREAM = 'line-acme.15550000001';
/** A ringing call whose ring times out at `dueAt`: one timer on the clock. */
const ringing = (dueAt: string): LineState =>
  ({
    ...initialLineState,
    call: { callId: 'c1', phase: 'ringing', ring: { ringTimeoutAt: dueAt } },
  }) as unknown as LineState;

/** The line event at `$all` position `position`, revision 0 of the line. */
const eventAt = (position: bigint): Item => ({
  kind: 'event',
  stored: {
    id: `e${position}`,
    stream: STREAM,
    revision: 0n,
    position,
    metadata: { $correlationId: 'k1' },
  } as unknown as StoredEvent<LineEvent>,
});

/**
 * The process manager over a store, line repository and clock the spec controls. `connectionLost`
 * loses its newest subscription, the store coming back with `repair` if one is named, and waits for
 * the next; `timerBackOnClock` waits for the one timer it puts back on the clock.
 */
function timersOver() {
  const { store, subscriptions, kept } = fedStore<LineEvent>((position) => `e${position}`);
  const onClock = new Set<string>();
  const forgotten: string[] = [];
  const manager = new LineTimersProcessManager(
    store,
    {
      cachedFold: () => undefined,
      load: async () => ({ state: ringing('2030-01-01T00:00:00.000Z'), revision: 0n }),
      forget: (stream: string) => forgotten.push(stream),
    } as unknown as LineRepository,
    {
      useSettle: () => undefined,
      now: () => new Date('2029-01-01T00:00:00.000Z'),
      schedule: ({ key }: { key: string }) => onClock.add(key),
      cancel: (key: string) => onClock.delete(key),
    } as unknown as ClockService,
    {} as CommandBus,
    { listen: () => undefined } as unknown as LineAppends,
    { listen: () => undefined } as unknown as AccountAppends,
  );
  manager.onApplicationBootstrap();
  const connectionLost = async (repair?: SystemRecord): Promise<void> => {
    if (repair) kept.repairs = [repair];
    const next = subscriptions.length + 1;
    subscriptions.at(-1)!.subscription.push(new Error('connection lost'));
    await subscribed(subscriptions, next);
  };
  const timerBackOnClock = async (): Promise<void> => {
    for (let waited = 0; onClock.size === 0 && waited < 2_000; waited += 20)
      await new Promise((poll) => setTimeout(poll, 20));
    expect(onClock.size).toBe(1);
  };
  return { manager, subscriptions, kept, onClock, forgotten, connectionLost, timerBackOnClock };
}

/** Until the manager has opened `count` subscriptions (a lost one is reopened after a second). */
async function subscribed(subscriptions: readonly unknown[], count: number): Promise<void> {
  for (let waited = 0; subscriptions.length < count && waited < 5_000; waited += 20)
    await new Promise((poll) => setTimeout(poll, 20));
  expect(subscriptions).toHaveLength(count);
}

/** A line whose ring timer is on the clock, set by the event at position 100, and the manager live. */
async function timerSetByEventAt100() {
  const given = timersOver();
  await subscribed(given.subscriptions, 1);
  given.subscriptions[0]!.subscription.push(eventAt(100n), { kind: 'caughtUp' });
  await given.manager.settled();
  expect(given.onClock.size).toBe(1);
  return given;
}

describe('line timers after a lost subscription', () => {
  it('Given an event handled and a server checkpoint past it, when the subscription is lost, then it resumes from the event', async () => {
    // Given a line whose ring timer is on the clock, and a checkpoint past its event
    const { manager, subscriptions, onClock, connectionLost } = await timerSetByEventAt100();
    subscriptions[0]!.subscription.push({ kind: 'checkpoint', position: 900n });
    await manager.settled();
    // When the connection is lost
    await connectionLost();
    // Then the next subscription starts at the event: what lay past it may be cut and written again
    expect(subscriptions[1]!.from).toBe(100n);
    expect(onClock.size).toBe(1);
    await manager.onApplicationShutdown();
  });

  it('Given timers set by an event repair then cut, when the subscription is lost, then they leave the clock and it starts over from the first event', async () => {
    // Given a line whose ring timer is on the clock, set by the event at position 100
    const { manager, subscriptions, kept, onClock, forgotten, connectionLost, timerBackOnClock } =
      await timerSetByEventAt100();
    // When the connection is lost, and the store comes back without that event
    kept.cutFrom = 100n;
    await connectionLost();
    // Then the timer leaves the clock, the line's fold is forgotten, and the subscription starts over
    expect(subscriptions[1]!.from).toBeUndefined();
    expect(onClock.size).toBe(0);
    expect(forgotten).toEqual([STREAM]);
    // And a new event written in its place is looked at, though the line's revision is the same
    subscriptions[1]!.subscription.push(eventAt(100n), { kind: 'caughtUp' });
    await timerBackOnClock();
    await manager.onApplicationShutdown();
  });

  it('Given timers set by an event after one a repair then dropped, when the subscription is lost, then they leave the clock and it starts over from the first event', async () => {
    // Given a line whose ring timer is on the clock, set by the event at position 100
    const { manager, subscriptions, onClock, forgotten, connectionLost } = await timerSetByEventAt100();
    // When the store comes back repaired: the event at 100 is kept, but positions 40..80 were dropped
    await connectionLost(repairRecord(500n, 40, 80));
    // Then the timer leaves the clock, the line's fold is forgotten, and the subscription starts over
    expect(subscriptions[1]!.from).toBeUndefined();
    expect(onClock.size).toBe(0);
    expect(forgotten).toEqual([STREAM]);
    await manager.onApplicationShutdown();
  });

  it("Given timers scheduled again after a repair dropped events before theirs, when the subscription is lost again before the repair's record, then it resumes: it starts over once per repair", async () => {
    // Given a start over because a repair dropped positions 40..80, before the event at 100
    const { manager, subscriptions, onClock, forgotten, connectionLost, timerBackOnClock } =
      await timerSetByEventAt100();
    await connectionLost(repairRecord(500n, 40, 80));
    expect(subscriptions[1]!.from).toBeUndefined();
    // And the event at 100 read again, from the repaired store, its timer back on the clock
    subscriptions[1]!.subscription.push(eventAt(100n), { kind: 'caughtUp' });
    await timerBackOnClock();
    // When the connection is lost again before the repair's record at 500
    await connectionLost();
    // Then the next subscription resumes from the event, the timer stays, and the line was forgotten once
    expect(subscriptions[2]!.from).toBe(100n);
    expect(onClock.size).toBe(1);
    expect(forgotten).toEqual([STREAM]);
    await manager.onApplicationShutdown();
  });

  it('Given timers set by an event, when a repair dropped only records after it, then it resumes from the event', async () => {
    // Given a line whose ring timer is on the clock, set by the event at position 100
    const { manager, subscriptions, onClock, connectionLost } = await timerSetByEventAt100();
    // When the store comes back from a repair that dropped only positions after it
    await connectionLost(repairRecord(500n, 200, 300));
    // Then the timer stays, and the next subscription starts at the event
    expect(subscriptions[1]!.from).toBe(100n);
    expect(onClock.size).toBe(1);
    await manager.onApplicationShutdown();
  });
});

describe('a timer whose command does not reach the line', () => {
  it('Given the virtual clock and a store that is not answering, when the ring timer fires, then the advance fails and the timer stays due for the next one', async () => {
    // Given a ringing line's timer on a virtual clock past its due time, and a command bus whose store is down
    const { store, subscriptions } = fedStore<LineEvent>((position) => `e${position}`);
    const onClock = new Map<string, { dueAt: Date; fire: () => Promise<void> }>();
    const unavailable = new Error('14 UNAVAILABLE: No connection established');
    const manager = new LineTimersProcessManager(
      store,
      {
        cachedFold: () => undefined,
        load: async () => ({ state: ringing('2030-01-01T00:00:00.000Z'), revision: 0n }),
        forget: () => undefined,
      } as unknown as LineRepository,
      {
        mode: 'virtual',
        useSettle: () => undefined,
        now: () => new Date('2030-01-01T00:00:01.000Z'),
        schedule: (timer: { key: string; dueAt: Date; fire: () => Promise<void> }) =>
          onClock.set(timer.key, timer),
        cancel: (key: string) => onClock.delete(key),
      } as unknown as ClockService,
      { execute: () => Promise.reject(unavailable) } as unknown as CommandBus,
      { listen: () => undefined } as unknown as LineAppends,
      { listen: () => undefined } as unknown as AccountAppends,
    );
    manager.onApplicationBootstrap();
    await subscribed(subscriptions, 1);
    subscriptions[0]!.subscription.push(eventAt(100n), { kind: 'caughtUp' });
    await manager.settled();
    const [key, timer] = [...onClock.entries()][0]!;
    // When the clock takes it off to fire it, and its command fails
    onClock.delete(key);
    // Then the advance firing it fails with the store's error
    await expect(timer.fire()).rejects.toBe(unavailable);
    // And the timer is on the clock again at its own due time, for the next advance
    expect(onClock.get(key)?.dueAt.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    await manager.onApplicationShutdown();
  });
});

describe('a transfer this process requested (R16)', () => {
  /**
   * The manager live over a line at revision 3 whose commands go to `execute`, told that this process
   * appended Alice's transfer of c1 (attempt 2) to Bob as event `transfer-event` under command k9.
   */
  async function transferAppended(execute: (command: ExecuteLineCommand) => Promise<unknown>) {
    const { store, subscriptions } = fedStore<LineEvent>((position) => `e${position}`);
    const manager = new LineTimersProcessManager(
      store,
      {
        cachedFold: () => undefined,
        load: async () => ({ state: initialLineState, revision: 3n }),
      } as unknown as LineRepository,
      {
        useSettle: () => undefined,
        schedule: () => undefined,
        cancel: () => undefined,
      } as unknown as ClockService,
      { execute } as unknown as CommandBus,
      { listen: () => undefined } as unknown as LineAppends,
      { listen: () => undefined } as unknown as AccountAppends,
    );
    manager.onApplicationBootstrap();
    await subscribed(subscriptions, 1);
    subscriptions[0]!.subscription.push({ kind: 'caughtUp' });

    manager.appended(
      {
        stream: STREAM,
        events: [
          {
            type: 'CallTransferRequested',
            data: { callId: 'c1', attempt: 2, by: 'alice', to: 'bob' },
          } as unknown as LineEvent,
        ],
        revision: 3n,
        position: 300n,
        duplicate: false,
        eventIds: ['transfer-event'],
      },
      { commandId: 'k9', correlationId: 'k9', causationId: 'k9' },
    );
    return manager;
  }

  it('Given an account change that reached this process while the transfer was being appended, when the transfer is appended, then it is checked against the account at once, under an id naming the transfer and its request', async () => {
    const sent: ExecuteLineCommand[] = [];
    const manager = await transferAppended(async (command) => {
      sent.push(command);
      return undefined;
    });
    await manager.settled();

    expect(sent.map(({ accountId, sent: { command, origin } }) => ({ accountId, command, origin }))).toEqual([
      {
        accountId: 'acme',
        command: { type: 'RecheckTransferTarget', callId: 'c1', attempt: 2, actor: 'system:timers' },
        origin: {
          commandId: `${TIMER_COMMAND_ID_PREFIX}c1-transferTarget-2-transfer-event`,
          correlationId: 'k9',
          causationId: 'transfer-event',
        },
      },
    ]);
    await manager.onApplicationShutdown();
  });

  it('Given the check the transfer started still under way, when the virtual clock settles, then it waits for the check (R21: a recall it makes lands before the clock answers or moves)', async () => {
    let decided!: () => void;
    const checked = new Promise<undefined>((resolve) => (decided = () => resolve(undefined)));
    const manager = await transferAppended(() => checked);

    let settled = false;
    const settling = manager.settled().then(() => (settled = true));
    await new Promise((turn) => setImmediate(turn));
    expect(settled).toBe(false);

    decided();
    await settling;
    expect(settled).toBe(true);
    await manager.onApplicationShutdown();
  });
});
