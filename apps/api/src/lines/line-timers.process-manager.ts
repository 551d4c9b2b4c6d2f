import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import { DomainError, pendingLineTimers, type LineState, type LineTimer } from '#domain';
import { ID_PATTERN, LINE_STREAM_PREFIX, parseLineStream, type LineEvent } from '#events';
import {
  DeletedStreamError,
  EventStore,
  ForeignEventTally,
  type EventSubscription,
  type ForeignEventPolicy,
  type StoredEvent,
  type StreamDeletion,
  type SubscriptionItem,
} from '#eventstore';
import { ClockService } from '../clock/clock.service.js';
import type { CommandOrigin } from '../shared/command-metadata.js';
import { LineAppends } from './line-appends.js';
import { lineNumberOf } from './line-number.pipe.js';
import { ExecuteLineCommand } from './line.command.js';
import { LineRepository } from './line.repository.js';

const RESUBSCRIBE_AFTER_MS = 1_000;

/**
 * Timers fold past events that claim to be Switchboard's but cannot be read, where a person's
 * command is refused (ForeignEventPolicy). Refusing would stop time on that line for good: a ring
 * that never times out leaves a caller in silence, a transfer never recalled leaves them holding, and
 * no one is there to read a 422. A timer decides on timer facts: ExpireRing and RecallTransfer read
 * only the line's current call (its id, phase, ring or transfer attempt and due time), set by our own
 * events. Not quite only: EscalateVipRing also routes the call again from the account's delegations
 * (read under the same policy), and a skipped event may have been one of those facts (a future
 * version of an answer, say), in which case the timer acts on a call it cannot see was answered.
 * That is the trade: at worst one call is sent to voicemail or escalated wrongly, never a line whose
 * calls all ring forever. The skipped events are counted (`foreignEvents`, on /health and /metrics).
 */
const TIMER_FOREIGN_EVENTS: ForeignEventPolicy = 'skip';

/** A timer on the clock and the event that set it (its cause, in the command's metadata). */
interface ScheduledTimer {
  readonly timer: LineTimer;
  readonly setBy: StoredEvent<LineEvent>;
}

interface Waiter {
  readonly position: bigint;
  readonly resolve: () => void;
}

/**
 * The same timer always gets the same command id, so a timer fired twice (by two api processes, or
 * again after a restart) is answered as a duplicate instead of deciding twice. The due time makes it
 * unique even if a client reuses a call id much later.
 */
export const timerCommandId = (timer: LineTimer): string => {
  const readable = `timer-${timer.callId}-${timer.kind}-${Date.parse(timer.dueAt)}`;
  return ID_PATTERN.test(readable)
    ? readable
    : `timer-${createHash('sha256').update(readable).digest('hex').slice(0, 40)}`;
};

/**
 * Ring timeouts (R14), VIP escalations (R19) and transfer recalls (R16) as a process manager. It
 * follows every line event through a catch-up subscription to `$all` (filtered to line streams,
 * consumed with `for await` so events are handled in order), asks the line's state which timers it
 * wants (`pendingLineTimers`: timers are data), puts them on the clock, cancels those that vanished,
 * and when one falls due sends its command through the command bus as `system:timers`.
 *
 * An event it cannot read as Switchboard's (see decodeRecordedEvent) is skipped and counted in
 * `foreignEvents` (on `/health` and `/metrics`): no foreign event stops the timers of any line, that
 * line's included (see TIMER_FOREIGN_EVENTS).
 *
 * On start it catches up from the beginning, so pending timers survive a restart. The virtual clock
 * waits for it (`useSettle`) before each timer, so a scenario replayed in virtual time fires the same
 * timers at the same moments (R21).
 */
@Injectable()
export class LineTimersProcessManager implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('line-timers');
  /** Line events skipped because this build cannot read them as its own. */
  readonly foreignEvents = new ForeignEventTally();
  /** Timers on the clock, by line stream and then by clock key. */
  private readonly scheduled = new Map<string, Map<string, ScheduledTimer>>();
  /** The revision each line's timers were last computed from: later events of one append need no new look. */
  private readonly lookedAt = new Map<string, bigint>();
  /** Every line event up to this `$all` position has been seen and its timers are on the clock. */
  private processed = 0n;
  /** The first catch-up is done: timers that were pending before this process started are on the clock. */
  private ready = false;
  private waiters: Waiter[] = [];
  private subscription:
    EventSubscription<LineEvent, SubscriptionItem<LineEvent> | StreamDeletion> | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly lines: LineRepository,
    private readonly clock: ClockService,
    private readonly commands: CommandBus,
    private readonly appends: LineAppends,
  ) {}

  onApplicationBootstrap(): void {
    this.clock.useSettle(() => this.waitUntilProcessed(this.appends.lastPosition));
    this.running = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.subscription?.close();
    await this.running;
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters = [];
  }

  /**
   * Resolves once every line event up to `position`, and every timer pending before this process
   * started, has its timers on the clock.
   */
  waitUntilProcessed(position: bigint): Promise<void> {
    if (this.isProcessed(position) || this.stopping) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  private isProcessed(position: bigint): boolean {
    return this.ready && position <= this.processed;
  }

  /** Follows the line streams until shutdown; a dropped subscription resumes where it left off. */
  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.follow();
      } catch (error) {
        if (this.stopping) break;
        this.logger.error(
          `subscription to line events failed, resuming in ${RESUBSCRIBE_AFTER_MS} ms: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
        await new Promise<void>((resume) => {
          const timeout = setTimeout(resume, RESUBSCRIBE_AFTER_MS);
          this.wakeUp = () => {
            clearTimeout(timeout);
            resume();
          };
        });
      }
    }
  }

  private async follow(): Promise<void> {
    const subscription = this.store.subscribeToAll<LineEvent>({
      streamPrefixes: [LINE_STREAM_PREFIX],
      deletions: true,
      ...(this.processed > 0n ? { fromPosition: this.processed } : {}),
    });
    this.subscription = subscription;
    // While catching up only the newest state of each line matters: refresh each line once, at the end.
    const behind = new Map<string, StoredEvent<LineEvent>>();
    let live = false;
    let seen = this.processed;
    for await (const item of subscription) {
      if (item.kind === 'event') {
        seen =
          item.stored.position !== undefined && item.stored.position > seen ? item.stored.position : seen;
        // Every event keeps the repository's cached line folds current, during catch-up too.
        const fold = this.lines.observe(item.stored);
        if (!live) {
          behind.set(item.stored.stream, item.stored);
          continue;
        }
        await this.refresh(item.stored, fold);
      } else if (item.kind === 'foreign') {
        const { foreign } = item;
        this.foreignEvents.record(foreign);
        this.logger.warn(
          `skipped ${foreign.stream}@${foreign.revision}: ${foreign.reason}: ${foreign.detail}`,
        );
        // Keeps the cached fold's revision in step (or drops the fold); the line's timers are unchanged.
        this.lines.observeForeign(foreign);
        if (foreign.position !== undefined && foreign.position > seen) seen = foreign.position;
        if (!live) continue;
      } else if (item.kind === 'deleted') {
        if (item.position > seen) seen = item.position;
        this.forgetLine(item.stream);
        behind.delete(item.stream);
      } else if (item.kind === 'checkpoint') {
        if (item.position > seen) seen = item.position;
        if (!live) continue;
      } else {
        for (const stored of behind.values()) await this.refresh(stored);
        behind.clear();
        live = true;
        this.ready = true;
      }
      this.advanceTo(seen);
    }
  }

  /**
   * Puts the timers the line's current state wants on the clock and cancels the ones it no longer
   * wants. `fold` is the repository's cached fold after `setBy`, when it holds the line; else the
   * line is read.
   */
  private async refresh(
    setBy: StoredEvent<LineEvent>,
    fold?: { state: LineState; revision: bigint },
  ): Promise<void> {
    const stream = setBy.stream;
    if (setBy.revision <= (this.lookedAt.get(stream) ?? -1n)) return;
    let loaded: { state: LineState; revision: bigint | 'no_stream' };
    try {
      loaded = fold ?? (await this.lines.load(stream, TIMER_FOREIGN_EVENTS));
    } catch (error) {
      // Deleted in the store after this event: nothing on it is left to time (its deletion follows).
      if (error instanceof DeletedStreamError) return this.forgetLine(stream);
      throw error;
    }
    const { state, revision } = loaded;
    if (revision !== 'no_stream') this.lookedAt.set(stream, revision);
    const previous = this.scheduled.get(stream) ?? new Map<string, ScheduledTimer>();
    const next = new Map<string, ScheduledTimer>();
    for (const timer of pendingLineTimers(state)) {
      const key = `${stream}:${timer.key}`;
      const kept = previous.get(key);
      // A timer already on the clock for the same moment keeps the event that set it as its cause.
      const scheduled = kept && kept.timer.dueAt === timer.dueAt ? kept : { timer, setBy };
      next.set(key, scheduled);
      if (scheduled !== kept) this.put(stream, key, scheduled);
    }
    for (const key of previous.keys()) if (!next.has(key)) this.clock.cancel(key);
    if (next.size > 0) this.scheduled.set(stream, next);
    else this.scheduled.delete(stream);
  }

  /** A line deleted in the store: its fold is dropped and its timers leave the clock (nothing is left to time). */
  private forgetLine(stream: string): void {
    this.lines.forget(stream);
    for (const key of this.scheduled.get(stream)?.keys() ?? []) this.clock.cancel(key);
    this.scheduled.delete(stream);
    this.lookedAt.delete(stream);
  }

  private put(stream: string, key: string, scheduled: ScheduledTimer): void {
    const dueAt = new Date(scheduled.timer.dueAt);
    this.clock.schedule({ key, dueAt, fire: () => this.fire(stream, key, scheduled, dueAt) });
  }

  private async fire(stream: string, key: string, scheduled: ScheduledTimer, dueAt: Date): Promise<void> {
    // A wall-clock timer may wake a moment early; the line would refuse it (TIMER_NOT_DUE).
    if (this.clock.now().getTime() < dueAt.getTime()) return this.put(stream, key, scheduled);
    const { timer, setBy } = scheduled;
    const line = parseLineStream(stream);
    if (!line) {
      // Line events in a stream Switchboard would not name so (written by another tool): no line
      // command can reach that stream, so its timers have nothing to fire.
      this.logger.warn(`timer ${key} was dropped: ${stream} is not a line's stream`);
      this.scheduled.get(stream)?.delete(key);
      return;
    }
    const commandId = timerCommandId(timer);
    const origin: CommandOrigin = {
      commandId,
      correlationId: setBy.metadata.$correlationId ?? commandId,
      causationId: setBy.id,
    };
    try {
      // Sent for no `at`: the clock already stands at (or past) the due time, and the command is
      // decided at its now (asking it to advance from inside the advance that fires this timer could
      // not work, and realtime clocks refuse `at`).
      await this.commands.execute(
        new ExecuteLineCommand(
          line.accountId,
          lineNumberOf(line.number),
          { command: timer.command, origin },
          TIMER_FOREIGN_EVENTS,
        ),
      );
    } catch (error) {
      // A line that changed under the timer (number removed, call gone, its account or itself deleted
      // in the store) is not the clock's failure.
      if (error instanceof DeletedStreamError) this.logger.warn(`timer ${key} was dropped: ${error.message}`);
      else if (error instanceof DomainError)
        this.logger.warn(`timer ${key} was refused: ${error.code} ${error.message}`);
      else throw error;
    } finally {
      // Forget it, so that the next look at the line puts it back on the clock if it is still wanted.
      const timers = this.scheduled.get(stream);
      if (timers?.get(key) === scheduled) timers.delete(key);
    }
  }

  private advanceTo(position: bigint): void {
    if (position > this.processed) this.processed = position;
    const [done, waiting] = partition(this.waiters, (waiter) => this.isProcessed(waiter.position));
    this.waiters = waiting;
    for (const waiter of done) waiter.resolve();
  }
}

const partition = <T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] => [
  items.filter(test),
  items.filter((item) => !test(item)),
];
