import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import {
  CHANGES_LINE_TIMERS,
  DomainError,
  LINE_TIMER_EVENT_TYPES,
  pendingLineTimers,
  TIMER_ACTOR,
  type LineCommand,
  type LineState,
  type LineTimer,
} from '#domain';
import { ID_PATTERN, LINE_STREAM_PREFIX, parseLineStream, type LineEvent } from '#events';
import {
  ReaderStoreCheck,
  whyStartOver,
  DeletedStreamError,
  EventStore,
  ForeignEventTally,
  type CommandOutcome,
  type EventSubscription,
  type ForeignEventPolicy,
  type ReaderPosition,
  type StoredEvent,
  type StreamDeletion,
  type SubscriptionItem,
} from '#eventstore';
import { AccountAppends, type AccountChange } from '../accounts/account-appends.js';
import { ClockService } from '../clock/clock.service.js';
import { TIMER_COMMAND_ID_PREFIX, type CommandOrigin } from '../shared/command-metadata.js';
import { LineAppends } from './line-appends.js';
import { lineNumberOf } from './line-number.pipe.js';
import { ExecuteLineCommand } from './line.command.js';
import { LineRepository } from './line.repository.js';

const RESUBSCRIBE_AFTER_MS = 1_000;
/** How long after a timer's command failed to reach the line it is sent again (realtime clock). */
const TIMER_RETRY_MS = 1_000;

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

/** The event that set a timer: the timer's command is caused by it and keeps its correlation. */
interface TimerCause {
  readonly eventId: string;
  readonly correlationId: string;
}

/** A timer on the clock and the event that set it. */
interface ScheduledTimer {
  readonly timer: LineTimer;
  readonly cause: TimerCause;
}

/** A readable command id of the api's own, hashed when it is too long or holds what ids may not. */
const idWithin = (readable: string): string =>
  ID_PATTERN.test(readable)
    ? readable
    : `${TIMER_COMMAND_ID_PREFIX}${createHash('sha256').update(readable).digest('hex').slice(0, 40)}`;

/**
 * The same timer always gets the same command id, so a timer fired twice (by two api processes, or
 * again after a restart) is answered as a duplicate instead of deciding twice. The due time makes it
 * unique even if a client reuses a call id much later.
 */
export const timerCommandId = (timer: LineTimer): string =>
  idWithin(`${TIMER_COMMAND_ID_PREFIX}${timer.callId}-${timer.kind}-${Date.parse(timer.dueAt)}`);

/**
 * Ring timeouts (R14), VIP escalations (R19) and transfer recalls (R16) as a process manager. A
 * line's state says which timers it wants (`pendingLineTimers`: timers are data); this puts them on
 * the clock, cancels those that vanished, and when one falls due sends its command through the
 * command bus as `system:timers`. It looks at a line again after every append that can change its
 * timers (CHANGES_LINE_TIMERS), from two sides:
 *
 * - this process's own appends, at once (`appended`, told by the line command handler through
 *   LineAppends before the command is answered), from the repository's fold, which already holds
 *   them: nothing is read;
 * - every other writer's (another api instance, a tool), through a catch-up subscription to `$all`
 *   filtered on the server to the event types that change timers (most of a busy line's events do
 *   not, and those never cross the wire), consumed with `for await` so events are handled in order.
 *   An event the fold already holds (this process appended it) needs nothing more; a newer one is
 *   read from the line, from the fold's revision on.
 *
 * The repository's folds are not kept current through this subscription: they hold this process's
 * own appends, and an append decided on a fold that another writer made stale is refused by the
 * store (expected revision), read up and decided again (see AggregateRepository).
 *
 * An event of a timer type it cannot read as Switchboard's (see decodeRecordedEvent) is skipped and
 * counted in `foreignEvents` (on `/health` and `/metrics`): no foreign event stops the timers of any
 * line, that line's included (see TIMER_FOREIGN_EVENTS).
 *
 * On start it catches up from the beginning, so pending timers survive a restart. The virtual clock
 * waits for it (`useSettle`) before each timer, and for any look at a line still reading and any
 * transfer check under way, so a scenario replayed in virtual time fires the same timers and recalls
 * the same transfers at the same moments (R21).
 */
@Injectable()
export class LineTimersProcessManager implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('line-timers');
  /** Line events of timer types skipped because this build cannot read them as its own. */
  readonly foreignEvents = new ForeignEventTally();
  /** Timers on the clock, by line stream and then by clock key. */
  private readonly scheduled = new Map<string, Map<string, ScheduledTimer>>();
  /** The revision each line's timers were last computed from: an older look changes nothing. */
  private readonly lookedAt = new Map<string, bigint>();
  /**
   * Where the subscription resumes: the last event handled, every one before it handled too. Not a
   * position server checkpoints moved past it: after a repair cut the log there, the store writes new
   * events at those positions, and a resume past them would never fire their timers.
   */
  private lastHandled: ReaderPosition | undefined;
  /** Whether the store still holds what it read, before each subscription; remembers repairs it started over after. */
  private readonly storeCheck = new ReaderStoreCheck();
  /** The first catch-up is done: timers that were pending before this process started are on the clock. */
  private caughtUp!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.caughtUp = resolve));
  /**
   * Work under way that the virtual clock waits for (see `settled`): looks at lines this process
   * appended to that had to read the line first (its fold was not cached), and transfer checks
   * (R16) that nothing awaits (a transfer's own, started after its append; one for an account change
   * seen in the log), so that a recall they make lands before the clock answers or moves (R21).
   */
  private readonly settling = new Set<Promise<void>>();
  private subscription:
    EventSubscription<LineEvent, SubscriptionItem<LineEvent> | StreamDeletion> | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  /**
   * Whether the subscription is being tried again after failing: said once when the tries begin and
   * once when one catches up, not every RESUBSCRIBE_AFTER_MS while the store is away.
   */
  private resubscribing = false;

  constructor(
    private readonly store: EventStore,
    private readonly lines: LineRepository,
    private readonly clock: ClockService,
    private readonly commands: CommandBus,
    private readonly appends: LineAppends,
    private readonly accountAppends: AccountAppends,
  ) {}

  onApplicationBootstrap(): void {
    this.clock.useSettle(() => this.settled());
    this.appends.listen((outcome, origin) => this.appended(outcome, origin));
    this.accountAppends.listen((change) => this.accountChanged(change));
    this.running = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    this.caughtUp();
    await this.subscription?.close();
    await this.running;
  }

  /**
   * Resolves once every timer pending before this process started is on the clock, every line
   * this process appended to has its timers on the clock, and every transfer check started so far
   * has been decided.
   */
  async settled(): Promise<void> {
    await this.ready;
    while (this.settling.size > 0) await Promise.all(this.settling);
  }

  /** Work the virtual clock waits for until it ends; it must not fail. */
  private settleAfter(work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => this.settling.delete(tracked));
    this.settling.add(tracked);
    return tracked;
  }

  /**
   * A command of this process appended to a line: its timers go on the clock before the command is
   * answered, from the fold that holds the append. `origin` is the command's: the first event of the
   * append that can change timers is the timers' cause.
   */
  appended(outcome: CommandOutcome<LineEvent>, origin: CommandOrigin): void {
    const { stream, events, revision, duplicate, eventIds } = outcome;
    if (duplicate || revision === undefined) return;
    const index = events.findIndex((event) => CHANGES_LINE_TIMERS[event.type]);
    if (index < 0) return;
    this.transfersRequested(stream, events, eventIds, origin);
    const setting = revision - BigInt(events.length - 1 - index);
    const cause = (): TimerCause => ({
      eventId: eventIds[index]!,
      correlationId: origin.correlationId,
    });
    const fold = this.lines.cachedFold(stream);
    if (fold && fold.revision >= revision) return this.schedule(stream, fold, cause);
    void this.settleAfter(
      this.refresh(stream, setting, cause).catch((error: unknown) =>
        this.logger.error(
          `timers of ${stream} not refreshed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      ),
    );
  }

  /**
   * R16: an account changed (through this process, told before its command is answered; or seen in
   * the log, whoever wrote it): every transfer under way on the account's lines that has its recall
   * timer here is checked again against the account as it now is, so that one whose target may no
   * longer take it goes back to its transferrer at once, not at its recall time. Every instance holds
   * every line's timers, so each checks; the command id names the transfer and the account event, so
   * of the instances checking one transfer for one change (and this process checking it twice, on
   * its own change and on seeing it in the log) one decides and the rest are answered as duplicates.
   * A change whose append held several events is seen in the log event by event: those before the
   * last are checks of their own, decided on the line as it then is (a transfer already recalled is
   * left alone). Never failing: a check that does not reach the line leaves the transfer to its
   * recall timer.
   */
  private async accountChanged({ accountId, eventId, correlationId }: AccountChange): Promise<void> {
    const checks: Promise<void>[] = [];
    for (const [stream, timers] of this.scheduled) {
      if (parseLineStream(stream)?.accountId !== accountId) continue;
      for (const { timer } of timers.values()) {
        if (timer.command.type !== 'RecallTransfer') continue;
        const { callId, attempt } = timer.command;
        checks.push(this.recheckTransfer(stream, callId, attempt, { eventId, correlationId }));
      }
    }
    await Promise.all(checks);
  }

  /**
   * R16: the transfers this process just requested are checked once against the account as it is
   * once they are appended: an account change that reached this process while the transfer was being
   * decided and appended found no recall timer to check (it was not on the clock yet), and the other
   * instances may have taken the change before they held the timer. Not awaited: the transfer's
   * answer does not wait for it (it checks the same line, behind it); the virtual clock does.
   */
  private transfersRequested(
    stream: string,
    events: readonly LineEvent[],
    eventIds: readonly string[],
    origin: CommandOrigin,
  ): void {
    events.forEach((event, index) => {
      if (event.type !== 'CallTransferRequested') return;
      const { callId, attempt } = event.data;
      const eventId = eventIds[index]!;
      void this.recheckTransfer(stream, callId, attempt, { eventId, correlationId: origin.correlationId });
    });
  }

  /**
   * Sends RecheckTransferTarget for a transfer, caused by `cause` (an account change, or the transfer's
   * own request). Its command id names the transfer and the cause, so every instance checking the same
   * transfer for the same cause sends the same command and all but the first are duplicates. Never
   * failing: a check that does not reach the line leaves the transfer to its recall timer. The virtual
   * clock waits for it, whoever started it (see `settling`).
   */
  private recheckTransfer(stream: string, callId: string, attempt: number, cause: TimerCause): Promise<void> {
    return this.settleAfter(this.sendRecheck(stream, callId, attempt, cause));
  }

  private async sendRecheck(
    stream: string,
    callId: string,
    attempt: number,
    cause: TimerCause,
  ): Promise<void> {
    const line = parseLineStream(stream);
    if (!line) return;
    const origin: CommandOrigin = {
      commandId: idWithin(`${TIMER_COMMAND_ID_PREFIX}${callId}-transferTarget-${attempt}-${cause.eventId}`),
      correlationId: cause.correlationId,
      causationId: cause.eventId,
    };
    const command: LineCommand = { type: 'RecheckTransferTarget', callId, attempt, actor: TIMER_ACTOR };
    try {
      await this.commands.execute(
        new ExecuteLineCommand(
          line.accountId,
          lineNumberOf(line.number),
          { command, origin },
          TIMER_FOREIGN_EVENTS,
        ),
      );
    } catch (error) {
      this.logger.warn(
        `transfer ${callId}/${attempt} on ${stream} not checked: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }

  /** Follows the line streams until shutdown; a dropped subscription resumes after the last event handled. */
  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.follow();
      } catch (error) {
        if (this.stopping) break;
        if (!this.resubscribing)
          this.logger.error(
            `subscription to line events failed (${
              error instanceof Error ? error.message : String(error)
            }); trying again every ${RESUBSCRIBE_AFTER_MS} ms until it follows again`,
          );
        this.resubscribing = true;
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
    if (this.lastHandled !== undefined) await this.checkAgainstStore(this.lastHandled);
    if (this.stopping) return;
    const subscription = this.store.subscribeToAll<LineEvent>({
      streamPrefixes: [LINE_STREAM_PREFIX],
      eventTypes: LINE_TIMER_EVENT_TYPES,
      deletions: true,
      ...(this.lastHandled === undefined ? {} : { fromPosition: this.lastHandled.position }),
    });
    this.subscription = subscription;
    // While catching up only the newest state of each line matters: look at each line once, at the end.
    const behind = new Map<string, StoredEvent<LineEvent>>();
    let live = false;
    // The last event the subscription brought; `lastHandled` follows only once what lies before is
    // handled (a subscription dropped during the catch-up starts it again, `behind` being lost with it).
    let seen = this.lastHandled;
    const reached = (event: { id: string; position: bigint | undefined } | undefined): void => {
      if (event?.position !== undefined) seen = { id: event.id, position: event.position };
      if (live) this.lastHandled = seen;
    };
    for await (const item of subscription) {
      if (item.kind === 'event') {
        const { stored } = item;
        if (live) await this.refresh(stored.stream, stored.revision, () => causeOf(stored));
        else behind.set(stored.stream, stored);
        reached(stored);
      } else if (item.kind === 'foreign') {
        const { foreign } = item;
        this.foreignEvents.record(foreign);
        this.logger.warn(
          `skipped ${foreign.stream}@${foreign.revision}: ${foreign.reason}: ${foreign.detail}`,
        );
        reached(foreign);
      } else if (item.kind === 'deleted') {
        this.forgetLine(item.stream);
        // A deletion, like a checkpoint, is no event to resume from: one seen again changes nothing.
        behind.delete(item.stream);
        reached(undefined);
      } else if (item.kind === 'checkpoint') {
        reached(undefined);
      } else {
        for (const stored of behind.values())
          await this.refresh(stored.stream, stored.revision, () => causeOf(stored));
        behind.clear();
        live = true;
        reached(undefined);
        if (this.resubscribing) this.logger.log('subscription to line events follows again, caught up');
        this.resubscribing = false;
        this.caughtUp();
      }
    }
  }

  /**
   * Before every subscription but the first: the last event handled must still be in the store (see
   * checkReaderAgainstStore), and no repair since may have dropped events before it. If a repair cut
   * it, or dropped events before it, the timers on the clock may stand for calls the
   * store no longer has, and the lines' revisions looked at may be reached again by new events: every
   * line is forgotten, its timers off the clock, and the subscription starts over from the first event.
   */
  private async checkAgainstStore(last: ReaderPosition): Promise<void> {
    const check = await this.storeCheck.check(this.store, last);
    if (check.kind === 'kept') return;
    this.logger.warn(
      `timers discarded (${whyStartOver(last, check)}); scheduling again from the first event`,
    );
    for (const stream of new Set([...this.scheduled.keys(), ...this.lookedAt.keys()]))
      this.forgetLine(stream);
    this.lastHandled = undefined;
  }

  /**
   * Puts the timers the line wants after revision `setting` on the clock: from the repository's
   * cached fold when it holds that revision (this process appended it, or read it already), else
   * read from the line.
   */
  private async refresh(stream: string, setting: bigint, cause: () => TimerCause): Promise<void> {
    if (setting <= (this.lookedAt.get(stream) ?? -1n)) return;
    const fold = this.lines.cachedFold(stream);
    if (fold && fold.revision >= setting) return this.schedule(stream, fold, cause);
    let loaded: { state: LineState; revision: bigint | 'no_stream' };
    try {
      loaded = await this.lines.load(stream, TIMER_FOREIGN_EVENTS);
    } catch (error) {
      // Deleted in the store after this event: nothing on it is left to time (its deletion follows).
      if (error instanceof DeletedStreamError) return this.forgetLine(stream);
      throw error;
    }
    const { state, revision } = loaded;
    if (revision !== 'no_stream') this.schedule(stream, { state, revision }, cause);
  }

  /**
   * Puts the timers the line's state at `revision` wants on the clock and cancels the ones it no
   * longer wants, unless a look at a later revision already did (an append of this process while
   * the line was being read).
   */
  private schedule(
    stream: string,
    { state, revision }: { state: LineState; revision: bigint },
    cause: () => TimerCause,
  ): void {
    if (revision <= (this.lookedAt.get(stream) ?? -1n)) return;
    this.lookedAt.set(stream, revision);
    const previous = this.scheduled.get(stream) ?? new Map<string, ScheduledTimer>();
    const next = new Map<string, ScheduledTimer>();
    let setBy: TimerCause | undefined;
    for (const timer of pendingLineTimers(state)) {
      const key = `${stream}:${timer.key}`;
      const kept = previous.get(key);
      // A timer already on the clock for the same moment keeps the event that set it as its cause.
      const scheduled =
        kept && kept.timer.dueAt === timer.dueAt ? kept : { timer, cause: (setBy ??= cause()) };
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
    const { timer, cause } = scheduled;
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
      correlationId: cause.correlationId,
      causationId: cause.eventId,
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
      else return this.failed(stream, key, scheduled, dueAt, error);
    }
    // Forget it, so that the next look at the line puts it back on the clock if it is still wanted.
    const timers = this.scheduled.get(stream);
    if (timers?.get(key) === scheduled) timers.delete(key);
  }

  /**
   * A timer whose command did not reach the line (the store stopped, restarting or unable to write)
   * stays on the clock: nothing else would put it back, since no event comes to a line whose call
   * rings on waiting for it, so the call would ring (or the transfer wait) until the api restarts. Its
   * command id is the timer's own, so a command that was appended though its answer was lost is
   * answered as that append's duplicate when sent again. A realtime clock sends it again
   * TIMER_RETRY_MS later, and again, for as long as the line still wants it (a look at the line that
   * no longer wants it takes it off the clock). A virtual clock's advance fails with the error, the
   * timer still pending at its due time, fired by the next advance: virtual time stays where the
   * timer should have acted.
   */
  private failed(stream: string, key: string, scheduled: ScheduledTimer, dueAt: Date, error: unknown): void {
    // A look at the line while the command was on its way took the timer off, or put a newer one on.
    const stillWanted = this.scheduled.get(stream)?.get(key) === scheduled;
    if (this.clock.mode === 'virtual') {
      if (stillWanted) this.put(stream, key, scheduled);
      throw error;
    }
    if (!stillWanted || this.stopping) return;
    this.logger.warn(
      `timer ${key} not sent, sending it again in ${TIMER_RETRY_MS} ms: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
    const retryAt = new Date(this.clock.now().getTime() + TIMER_RETRY_MS);
    this.clock.schedule({ key, dueAt: retryAt, fire: () => this.fire(stream, key, scheduled, dueAt) });
  }
}

/** An event seen on the subscription as a timer's cause. */
const causeOf = (stored: StoredEvent<LineEvent>): TimerCause => ({
  eventId: stored.id,
  correlationId: stored.metadata.$correlationId,
});
