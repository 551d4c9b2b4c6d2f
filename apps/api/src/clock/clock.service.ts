import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { refuse } from '#domain';
import { VIRTUAL_CLOCK_STREAM, type ClockEvent, type ClockMode, type ClockSettings } from '#events';
import { EventStore, isStoreUnavailable } from '#eventstore';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandMetadata } from '../shared/command-metadata.js';
import type { Clock, Timer } from './clock.js';
import { RealtimeClock } from './realtime-clock.js';
import { VirtualClock } from './virtual-clock.js';

export const CLOCK_SETTINGS = Symbol('CLOCK_SETTINGS');

/** The last time the virtual clock can reach: the last one `toISOString` writes with a four-digit year. */
export const LAST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** How often the virtual clock asks again for its time while the store does not answer at start. */
const STORE_RETRY_MS = 1_000;

/** Lets the clock wait until process managers have seen everything appended so far. */
export type Settle = () => Promise<void>;

/**
 * The api's clock (R21). Virtual time is kept in the `clock-virtual` stream so that it survives a
 * restart and a replay shows when the simulation moved. Advances are serialised: two concurrent
 * advances would otherwise interleave timer firings and break determinism.
 */
@Injectable()
export class ClockService implements Clock, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('clock');
  private readonly clock: RealtimeClock | VirtualClock;
  private advancing: Promise<unknown> = Promise.resolve();
  private settle: Settle = async () => undefined;

  constructor(
    @Inject(CLOCK_SETTINGS) settings: ClockSettings,
    private readonly store: EventStore,
  ) {
    this.clock =
      settings.mode === 'virtual'
        ? new VirtualClock(settings.virtualStart)
        : new RealtimeClock((timer, error) =>
            this.logger.error(
              `timer ${timer.key} failed: ${error instanceof Error ? error.stack : String(error)}`,
            ),
          );
  }

  get mode(): ClockMode {
    return this.clock.mode;
  }

  async onModuleInit(): Promise<void> {
    if (!(this.clock instanceof VirtualClock)) return;
    // Every decision is made at the clock's time, so the api does not start before it has read it. A
    // store that does not answer yet (restarted after the api, after a crash of both) is waited for:
    // failing here ended the process at start with the client's stack trace.
    let last: Date | undefined;
    for (let waiting = false; ; waiting = true) {
      try {
        last = await this.persistedTime();
        if (waiting) this.logger.log("read the virtual clock's time: the event store answers");
        break;
      } catch (error) {
        if (!isStoreUnavailable(error)) throw error;
        if (!waiting)
          this.logger.warn(
            `waiting for the event store to read the virtual clock's time, trying every ${STORE_RETRY_MS} ms: ${error instanceof Error ? error.message : String(error)}`,
          );
        await sleep(STORE_RETRY_MS);
      }
    }
    // Time never goes back: a clock persisted before a later VIRTUAL_CLOCK_START starts at the start.
    if (last && last.getTime() > this.clock.now().getTime()) await this.clock.advanceTo(last);
  }

  /** The virtual time the `clock-virtual` stream last moved to, if it ever moved. */
  private async persistedTime(): Promise<Date | undefined> {
    let last: Date | undefined;
    for await (const item of this.store.readRecorded<ClockEvent>(VIRTUAL_CLOCK_STREAM)) {
      // Only the api moves the clock: an event this build cannot read never sets the time.
      if (item.kind === 'foreign') {
        const { foreign } = item;
        this.logger.warn(
          `skipped ${foreign.stream}@${foreign.revision}: ${foreign.reason}: ${foreign.detail}`,
        );
        continue;
      }
      last = new Date(item.stored.event.data.to);
    }
    return last;
  }

  onApplicationShutdown(): void {
    if (this.clock instanceof RealtimeClock) this.clock.stop();
  }

  /** Process managers register how to wait for them before timers fire. */
  useSettle(settle: Settle): void {
    this.settle = settle;
  }

  now(): Date {
    return this.clock.now();
  }

  schedule(timer: Timer): void {
    this.clock.schedule(timer);
  }

  cancel(key: string): void {
    this.clock.cancel(key);
  }

  pendingTimers(): readonly { key: string; dueAt: Date }[] {
    return this.clock instanceof VirtualClock ? this.clock.pending() : [];
  }

  /**
   * The pending timers once the process managers have put on the clock those of everything appended so
   * far: a reader that saw a ring in the log (the panel) then finds its ring timeout pending, not yet to come.
   * Only the virtual clock keeps timers to show: the realtime one answers at once, also while the store is
   * out of reach and the first catch-up has not ended.
   */
  async settledPendingTimers(): Promise<readonly { key: string; dueAt: Date }[]> {
    if (!(this.clock instanceof VirtualClock)) return [];
    await this.settle();
    return this.pendingTimers();
  }

  /** Moves virtual time to `target`, firing due timers; refused in realtime mode. */
  advanceTo(target: Date, actor: string): Promise<Date> {
    return this.move(async () => target, actor);
  }

  /**
   * Moves virtual time exactly to the earliest pending timer's due time, firing it (and any due at the
   * same moment); refused with NO_PENDING_TIMER when nothing is pending. The timer is looked up inside
   * the serialised advance, once the process managers have seen every append, so a ring just answered
   * is not taken for a pending timeout.
   */
  advanceToNextTimer(actor: string): Promise<Date> {
    return this.move(async (clock) => {
      await this.settle();
      const next = clock.pending()[0];
      if (!next) {
        refuse('NO_PENDING_TIMER', 'R21', {}, { now: clock.now().toISOString() });
      }
      return new Date(Math.max(next.dueAt.getTime(), clock.now().getTime()));
    }, actor);
  }

  /** One advance at a time, to the time `targetOf` picks once the advances before it are done. */
  private move(targetOf: (clock: VirtualClock) => Promise<Date>, actor: string): Promise<Date> {
    const clock = this.clock;
    if (!(clock instanceof VirtualClock)) {
      refuse('CLOCK_NOT_VIRTUAL', 'R21', {});
    }
    const run = this.advancing.then(async () => {
      const target = await targetOf(clock);
      if (!(target.getTime() <= LAST_TIME)) {
        // Past it, `toISOString` writes a six-digit year (`+010000-…`) that the event decoder, the
        // validators and every time comparison in the read side do not take: each event after it
        // would be parked. The clock stops here instead, timers due after it stay pending.
        refuse('INVALID_TIME', 'R21', {
          case: 'pastLastTime',
          time: Number.isNaN(target.getTime()) ? String(target) : target.toISOString(),
        });
      }
      const from = clock.now();
      await clock.advanceTo(target, this.settle);
      if (from.getTime() !== target.getTime()) {
        // Named by the move itself, not at random: the clock never goes back, so no two advances of one
        // log share it, and a scenario replayed on a fresh store writes the same event id (R21).
        const commandId = `clock-${from.getTime()}-${target.getTime()}`;
        await this.store.append(
          VIRTUAL_CLOCK_STREAM,
          [{ type: 'VirtualClockAdvanced', data: { from: from.toISOString(), to: target.toISOString() } }],
          'any',
          commandMetadata({ commandId, correlationId: commandId, causationId: commandId }, actor, target),
        );
      }
      return clock.now();
    });
    this.advancing = run.catch(() => undefined);
    return run;
  }

  /**
   * The time a command happens at: `now`, or its `at` (virtual mode only), to which the clock first
   * advances so that timers due before it fire first.
   */
  async timeFor(at: string | undefined, actor: string): Promise<Date> {
    if (at === undefined) return this.now();
    if (this.clock.mode !== 'virtual') {
      refuse('AT_REQUIRES_VIRTUAL_CLOCK', 'R21', {});
    }
    return this.advanceTo(new Date(at), actor);
  }
}
