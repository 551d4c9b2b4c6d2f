import type { DomainEvent } from '#events';
import { CategoryFollower } from './category-follower.js';
import {
  DeletedStreamError,
  ForeignEventInStreamError,
  messageOf,
  StreamVersionConflictError,
  TooManyCommandsError,
} from './errors.js';
import type {
  CommandMetadata,
  EventIds,
  EventStore,
  ForeignEvent,
  RecordedItem,
  StoredEvent,
} from './event-store.js';
import { ForeignEventTally } from './foreign-events.js';
import {
  decodeSnapshotEvent,
  readSnapshotEvent,
  writeAggregateSnapshot,
  type SnapshotEvent,
  type SnapshotCodec,
  type SnapshotCommand,
} from './aggregate-snapshots.js';

export interface AggregateDefinition<State, E extends DomainEvent> {
  readonly initialState: State;
  evolve(state: State, event: E): State;
  /** How to snapshot the state (see aggregate-snapshots.ts); without it every cold load folds the whole stream. */
  readonly snapshot?: SnapshotCodec<State>;
}

export interface CommandOutcome<E extends DomainEvent> {
  readonly stream: string;
  readonly events: readonly E[];
  /** Revision of the stream after the command; undefined when the command changed nothing. */
  readonly revision: bigint | undefined;
  /** `$all` commit position of the command's last event (what read models must reach). */
  readonly position: bigint | undefined;
  /** True when the command id had already been handled and this is the first result, replayed. */
  readonly duplicate: boolean;
  /** The store's ids of `events`, in order (none for a no-op). */
  readonly eventIds: readonly string[];
}

/** Thrown when a stream stays contended after every retry; the client may simply resend. */
export class ContentionError extends Error {
  override readonly name = 'ContentionError';
  constructor(
    readonly stream: string,
    readonly attempts: number,
  ) {
    super(`stream ${stream} kept changing during ${attempts} attempts; resend the command`);
  }
}

/**
 * Thrown when a command comes under a command id that another party's command already used on the
 * stream within the idempotency window. A resend is the same party's: answering anyone else with the
 * first result would hand them events they may not see and tell them their command succeeded when
 * it was never decided.
 */
export class CommandIdTakenError extends Error {
  override readonly name = 'CommandIdTakenError';
  constructor(
    readonly stream: string,
    readonly commandId: string,
  ) {
    super(
      `command id ${commandId} is already the id of another party's command on this line or account; ` +
        'send this command under an id of its own',
    );
  }
}

/**
 * Thrown when a party resends a command id it already used on the stream within the idempotency
 * window, but with another request (another route, path or body): an idempotency key names one
 * request, and answering it with the first command's result would tell the client a command
 * succeeded that was never decided. Known from the request digest the first command's events carry.
 */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
  constructor(
    readonly stream: string,
    readonly commandId: string,
  ) {
    super(
      `command id ${commandId} was already used for a different request on this line or account; ` +
        'resend that request unchanged for its result, or send this one under an id of its own',
    );
  }
}

/**
 * What a command does with a stream holding an event that claims to be Switchboard's (it carries the
 * metadata envelope) but that this build cannot read (see README, "Events Switchboard did not write").
 * Another client's event (no envelope) is no part of any aggregate and is stepped over under both.
 *
 * - `refuse`: the command fails with ForeignEventInStreamError naming the first such event. For what
 *   a person asked: the fold may lack a fact of the stream, so deciding on it could be silently wrong,
 *   and the person is told where the problem is instead.
 * - `skip`: the fold steps over it and the command is decided and appended. For a consumer whose
 *   alternative is to do nothing forever (the timer process manager: a ring that never times out
 *   leaves a caller in silence); it states so where it passes this policy.
 */
export type ForeignEventPolicy = 'refuse' | 'skip';

export interface HandleOptions {
  /** Refusing unless the caller states otherwise: see ForeignEventPolicy. */
  readonly foreignEvents?: ForeignEventPolicy;
  /**
   * The command id was chosen by the client (a body `commandId` or an `Idempotency-Key`), so it may
   * come again: if the command changes nothing, its id is still remembered (see NoOpRecord). A
   * generated id is never sent twice, and remembering it would only take room.
   */
  readonly clientCommandId?: boolean;
}

/**
 * What a decision returns: its events, and for aggregates where one party may act for another, the
 * authority the decision used (who acted for whom, with which permission), which only the decision
 * knows: it goes into the metadata of every event it appends. Without one, the metadata's own stands.
 */
export type Decided<E extends DomainEvent> =
  | readonly E[]
  | {
      readonly events: readonly E[];
      readonly authority: Pick<CommandMetadata, 'onBehalfOf' | 'permission'>;
    };

const isEventList = <E extends DomainEvent>(decided: Decided<E>): decided is readonly E[] =>
  Array.isArray(decided);

/**
 * How far ahead of a command's time the stream's last event may be for the command to be moved up to
 * it. Two api instances' racing commands are timed at most the time a command takes from being timed
 * to being appended apart (milliseconds; seconds while the store stalls). A stream further ahead was
 * not written by a race but by a clock ahead of this one (a history imported from a virtual clock that
 * ran ahead): moving every command there would put its timers (a ring timeout, R14) that far ahead too.
 */
const RACE_SPAN_MS = 60_000;

/** `metadata`, timed no earlier than `earliest` (a stream's last event) when a race put that ahead of it. */
const notBefore = (metadata: CommandMetadata, earliest: string | undefined): CommandMetadata => {
  if (earliest === undefined) return metadata;
  const ahead = Date.parse(earliest) - Date.parse(metadata.simulatedTime);
  return ahead > 0 && ahead <= RACE_SPAN_MS ? { ...metadata, simulatedTime: earliest } : metadata;
};

/**
 * A command under an id answered as a no-op is the same request again: the same party, and the same
 * digest (a command without one cannot be compared, and is taken for it, as a resend with events is).
 */
const sameRequest = (noOp: NoOpRecord, metadata: CommandMetadata): boolean =>
  noOp.actor === metadata.actor &&
  (metadata.requestDigest === undefined || metadata.requestDigest === noOp.requestDigest);

/** Where a repository reports what it works around: at `warn` a problem, at `info` its end. */
export type RepositoryLog = (line: string, level: 'warn' | 'info') => void;

/**
 * Where a command's events sit in its stream: enough to read them back for a resend, and small
 * (no events held), so that a window of minutes costs little memory whatever the commands wrote.
 */
interface CommandRecord {
  readonly first: bigint;
  last: bigint;
  position: bigint | undefined;
  /** When the store took the command (ms since the epoch): it is remembered for the window from then. */
  readonly at: number;
}

/**
 * A client's command id that changed nothing (a no-op appends no event, so the store keeps no trace
 * of it): who sent it and for which request, so that another request under the id is refused as a
 * resent id with events is. Only in this process's memory, with the fold: see NoOpRecord's users.
 */
interface NoOpRecord {
  readonly actor: string;
  readonly requestDigest: string;
  /** When it was answered (ms since the epoch): remembered for the window from then. */
  readonly at: number;
}

interface CachedAggregate<State> {
  state: State;
  revision: bigint | 'no_stream';
  /**
   * A read has brought the fold up to the store's head at least once. Until then it sits in the
   * cache (so a subscription can fold what is appended during the read) but holds only part of
   * the history: nothing outside the stream's queue may take it for the state.
   */
  loaded: boolean;
  /**
   * Command ids this stream took within the idempotency window, oldest first, and where their
   * events are. Rebuilt from the events' metadata (every event carries its command id) whenever the
   * stream is folded from the store, so it survives restarts and the fold's eviction alike.
   */
  readonly commands: Map<string, CommandRecord>;
  /**
   * Client command ids this process answered as no-ops within the window, oldest first, at most
   * maxCommandsPerStream (the oldest is forgotten first: forgetting one early only lets a different
   * request under it be decided, as an api restart does). Not in the store, nor in snapshots: lost
   * with the fold (eviction, a lost subscription, a restart), never known to another instance.
   */
  readonly noOps: Map<string, NoOpRecord>;
  /**
   * The first event folded past that claims to be Switchboard's but could not be read: the fold
   * lacks whatever it said. Kept with the fold (events never change) so that each command applies
   * its own ForeignEventPolicy to it.
   */
  unreadable: ForeignEvent | undefined;
  /** Id of the event at `revision`: what a snapshot of this fold is checked against when read. */
  lastEventId: string | undefined;
  /**
   * The simulated time of the stream's last Switchboard event (its metadata's), when the fold has
   * read it: no decision on this fold is timed earlier (see `handle`).
   */
  lastTime: string | undefined;
  /** Revision of the latest snapshot of this stream known here, if any. */
  snapshotRevision: bigint | undefined;
  /**
   * Revision of the last snapshot write tried here, written or not: a write that failed (a state too
   * large for one append) is tried again only `snapshotEveryEvents` later, not after every command.
   */
  snapshotTried: bigint | undefined;
  /** Whether the snapshot stream exists: its `$maxCount` is set before its first write. */
  snapshotStream: 'exists' | 'none';
}

/**
 * A stream's events from revision `from` on, read while its snapshot was decoded (see startFold):
 * up to `next`, which is its head if `reachedEnd`.
 */
interface StreamTail<E extends DomainEvent> {
  readonly from: bigint;
  readonly items: readonly RecordedItem<E>[];
  readonly next: bigint;
  readonly reachedEnd: boolean;
}

/** Aggregate snapshots this repository read and wrote. */
export interface AggregateSnapshotStats {
  /** Cold loads that started from a snapshot (checked against the event at its revision). */
  loaded: number;
  /** Snapshots not used: another schema version, unreadable, or not matching the stream any more. */
  ignored: number;
  written: number;
  /** Writes that failed (the fold is unaffected; a later command tries again). */
  failed: number;
}

/** 15 minutes: SPEC §2's least window for answering a resent command id with its first result. */
export const DEFAULT_IDEMPOTENCY_WINDOW_MS = 15 * 60_000;
/** A stream taking more commands than this within the window is asked to slow down (429). */
export const DEFAULT_MAX_COMMANDS_PER_STREAM = 100_000;
/** Command ids remembered over all cached streams; past it, least recently used folds are dropped. */
export const DEFAULT_MAX_COMMANDS = 500_000;

export interface RepositoryOptions {
  /** How many aggregates stay folded in memory (least recently used are dropped). */
  readonly cacheSize?: number;
  /** How long a command id is answered with its first result (ms, counted from its append). */
  readonly idempotencyWindowMs?: number;
  /**
   * The most command ids one stream may take within the window. Forgetting one early would make its
   * resend run again, so a stream at the bound refuses new commands (TooManyCommandsError) until
   * the oldest leave the window.
   */
  readonly maxCommandsPerStream?: number;
  /**
   * The most command ids remembered over all cached streams. Past it the least recently used
   * streams' folds are dropped: safe, since a fold read again rebuilds its ids from the store.
   */
  readonly maxCommands?: number;
  /** Re-decisions after a version conflict before giving up with ContentionError. */
  readonly maxAttempts?: number;
  /** Wall-clock time in ms (the idempotency window is real time, not the simulated clock). */
  readonly now?: () => number;
  /**
   * A snapshot is written once a fold is this many events past the last one (for aggregates with a
   * SnapshotCodec). A cold load then folds at most about this many events after the snapshot.
   * 0: none are written (existing ones are still read).
   */
  readonly snapshotEveryEvents?: number;
  /**
   * Where an ignored or failed snapshot, and a followed category's subscription that cannot start or
   * ended, are reported at `warn`; such a subscription that follows again at `info` (nowhere by default).
   */
  readonly log?: RepositoryLog;
  /**
   * How appended events are named (see EventIds). `perDecision` by default: an append decided on a
   * fold another writer made stale, after it appended this very command, then meets a conflict, and
   * the command is answered from the stream as a duplicate. `fromCommand` only where event ids must
   * come out the same when the same commands are run again on a fresh store, and one writer decides
   * (the api on the virtual clock, R21): there such an append passes for the store's re-append.
   */
  readonly eventIds?: EventIds;
}

/** See RepositoryOptions.snapshotEveryEvents: 64 events fold in well under a millisecond. */
export const DEFAULT_SNAPSHOT_EVERY_EVENTS = 64;
/** Snapshot writes under way at once in one repository; past it a due snapshot waits for the next command. */
const SNAPSHOT_WRITES_IN_FLIGHT = 4;

/**
 * Load → decide → append with the expected revision, for one aggregate type.
 *
 * Deciding must not slow down as a stream's history grows (a line with 100,000 past calls answers
 * like a new one), so folded state stays cached with the revision it reflects: a command decides on
 * it and appends with that revision, one round trip. The cache is an optimisation, never the truth:
 * the store checks the expected revision, and on a conflict the repository reads only the events
 * appended since and decides again. A rejection is never given on a fold that may be stale.
 * Re-deciding is always safe because deciders are pure and re-check every invariant against the newer
 * state (that is how R8's limits and R12/R13's "exactly one wins" hold across processes). Within
 * one process commands on the same stream are queued, so they do not waste appends conflicting with
 * each other.
 */
export class AggregateRepository<State, E extends DomainEvent> {
  /**
   * Foreign events met by this repository (see README, "Events Switchboard did not write"): those
   * its subscription (when it follows a category) skipped, and those that refused a command (they
   * claim to be Switchboard's but cannot be read).
   */
  readonly foreignSkipped = new ForeignEventTally();
  readonly foreignRefusals = new ForeignEventTally();
  private readonly cache = new Map<string, CachedAggregate<State>>();
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Keeps the category's cached folds current, once `follow` is called. */
  private readonly follower: CategoryFollower<E>;
  /** Told of every event `follow` brings, once its fold holds it (see `onFollowed`). */
  private readonly followers: ((stored: StoredEvent<E>) => void)[] = [];
  private readonly cacheSize: number;
  private readonly windowMs: number;
  private readonly maxCommandsPerStream: number;
  private readonly maxCommands: number;
  private readonly maxAttempts: number;
  private readonly now: () => number;
  /** Command ids remembered over all cached folds (kept with every change, for the total bound). */
  private rememberedCommands = 0;
  readonly snapshots: AggregateSnapshotStats = { loaded: 0, ignored: 0, written: 0, failed: 0 };
  /** Snapshot writes under way, by stream: at most one per stream. */
  private readonly snapshotWrites = new Map<string, Promise<void>>();
  /** Set by settleSnapshots: no new snapshot write starts (the client is about to go away). */
  private snapshotsClosed = false;
  private readonly snapshotEveryEvents: number;
  /** The most events read after a snapshot while it is decoded (see startFold). */
  private readonly tailEvents: number;
  private readonly log: (line: string, level?: 'warn' | 'info') => void;
  private readonly eventIds: EventIds;
  constructor(
    private readonly store: EventStore,
    private readonly aggregate: AggregateDefinition<State, E>,
    options: RepositoryOptions = {},
  ) {
    this.cacheSize = options.cacheSize ?? 5_000;
    this.windowMs = options.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS;
    this.maxCommands = options.maxCommands ?? DEFAULT_MAX_COMMANDS;
    this.maxCommandsPerStream = Math.min(
      options.maxCommandsPerStream ?? DEFAULT_MAX_COMMANDS_PER_STREAM,
      this.maxCommands,
    );
    this.maxAttempts = options.maxAttempts ?? 25;
    this.now = options.now ?? Date.now;
    this.snapshotEveryEvents = options.snapshotEveryEvents ?? DEFAULT_SNAPSHOT_EVERY_EVENTS;
    // Snapshots lie about the interval apart, so a tail read stops well past it; a longer tail
    // (written by processes that snapshot seldom or never) is read on after it.
    this.tailEvents =
      4 * (this.snapshotEveryEvents > 0 ? this.snapshotEveryEvents : DEFAULT_SNAPSHOT_EVERY_EVENTS);
    const log = options.log ?? (() => undefined);
    this.log = (line, level = 'warn') => log(line, level);
    this.eventIds = options.eventIds ?? 'perDecision';
    this.follower = new CategoryFollower<E>(
      store,
      {
        event: (stored) => {
          this.observe(stored);
          for (const follower of this.followers) follower(stored);
        },
        foreign: (foreign) => {
          this.observeForeign(foreign);
          this.foreignSkipped.record(foreign);
        },
        deleted: (stream) => this.forget(stream),
        // Without the subscription the folds cannot be trusted to be current: drop them (they are
        // re-read on use until it follows again).
        lost: () => this.clear(),
      },
      this.log,
    );
  }

  /** Current state of a stream (caught up with the store). */
  async load(
    stream: string,
    foreignEvents: ForeignEventPolicy = 'refuse',
  ): Promise<{ state: State; revision: bigint | 'no_stream' }> {
    return this.serialized(stream, async () => {
      const cached = await this.catchUp(stream, foreignEvents);
      return { state: cached.state, revision: cached.revision };
    });
  }

  /**
   * Runs `decide` against the current state and appends what it returns. `decide` throws to reject
   * (nothing is appended, so a resend decides again). A command id this stream took within the
   * idempotency window returns the first outcome, its events read back from the store.
   *
   * `decide` is told the time it decides at: the metadata's `simulatedTime`, or the time of the
   * stream's last event when a race put that later (see RACE_SPAN_MS). A stream's events stay in the
   * order of their times this way whoever appends them: a command re-decided after another api instance appended to the stream
   * (a version conflict) kept the time it was taken at, earlier than that instance's event, and a
   * line's history went back in time (which `switchboard verify` reports).
   */
  async handle(
    stream: string,
    decide: (state: State, now: string) => Decided<E>,
    metadata: CommandMetadata,
    { foreignEvents = 'refuse', clientCommandId = false }: HandleOptions = {},
  ): Promise<CommandOutcome<E>> {
    return this.serialized(stream, async () => {
      // A cached fold is trusted for the first attempt: an append at a stale revision is refused by
      // the store, and only then is the stream read. Rejections and no-ops carry no such check, so
      // they are only given once the fold is known to be fresh (a refusal for an unreadable event too).
      let cached = this.recent(stream);
      let fresh = false;
      if (!cached || (cached.unreadable && foreignEvents === 'refuse')) {
        cached = await this.catchUp(stream, foreignEvents);
        fresh = true;
      }
      for (let attempt = 1; ; attempt++) {
        this.forgetExpired(stream, cached);
        const earlier = cached.commands.get(metadata.commandId);
        if (earlier) return this.replay(stream, earlier, metadata);
        const noOp = cached.noOps.get(metadata.commandId);
        if (noOp && !sameRequest(noOp, metadata)) {
          // Refused on a fresh fold only: another instance may since have appended under the id,
          // and then this is that command's resend, answered from its events.
          if (!fresh) {
            cached = await this.catchUp(stream, foreignEvents);
            fresh = true;
            continue;
          }
          if (noOp.actor !== metadata.actor) throw new CommandIdTakenError(stream, metadata.commandId);
          throw new IdempotencyKeyReusedError(stream, metadata.commandId);
        }
        if (cached.commands.size >= this.maxCommandsPerStream) {
          const oldest = cached.commands.values().next().value!;
          throw new TooManyCommandsError(
            stream,
            cached.commands.size,
            oldest.at + this.windowMs - this.now(),
          );
        }
        const timed = notBefore(metadata, cached.lastTime);
        let decided: Decided<E>;
        try {
          decided = decide(cached.state, timed.simulatedTime);
        } catch (rejection) {
          if (fresh) throw rejection;
          cached = await this.catchUp(stream, foreignEvents);
          fresh = true;
          continue;
        }
        const [events, decidedMetadata] = isEventList(decided)
          ? [decided, timed]
          : [decided.events, { ...timed, ...decided.authority }];
        if (events.length === 0) {
          if (!fresh) {
            cached = await this.catchUp(stream, foreignEvents);
            fresh = true;
            continue;
          }
          if (clientCommandId) this.rememberNoOp(stream, cached, metadata);
          return { stream, events, revision: undefined, position: undefined, duplicate: false, eventIds: [] };
        }
        // Taken right after deciding, with no await in between: the fold the events were decided on.
        const expected = cached.revision;
        try {
          const result = await this.store.append(stream, events, expected, decidedMetadata, this.eventIds);
          this.applyOwnAppend(stream, cached, expected, events, result, decidedMetadata.simulatedTime);
          const first = result.nextRevision - BigInt(events.length - 1);
          this.remember(
            stream,
            cached,
            metadata.commandId,
            first,
            result.nextRevision,
            result.position,
            this.now(),
          );
          this.snapshotIfDue(stream, cached);
          return {
            stream,
            events,
            revision: result.nextRevision,
            position: result.position,
            duplicate: false,
            eventIds: result.eventIds,
          };
        } catch (error) {
          if (!(error instanceof StreamVersionConflictError)) {
            // Deleted, or an append that may have been written though its answer was lost: the fold
            // can no longer say where the stream stands, and a resend decided on it could pass for
            // the store's re-append (`fromCommand` ids) and be answered with events never stored.
            this.drop(stream);
            throw error;
          }
          if (attempt >= this.maxAttempts) throw new ContentionError(stream, attempt);
          cached = await this.catchUp(stream, foreignEvents);
          fresh = true;
        }
      }
    });
  }

  /**
   * State for a decision elsewhere (a line command reading its account's delegations): the cached
   * fold without a read when `follow` keeps this category current, else a catch-up read. Another
   * process's change shows up here within the subscription's lag; this process's own appends at once.
   */
  async current(
    stream: string,
    foreignEvents: ForeignEventPolicy = 'refuse',
  ): Promise<{ state: State; revision: bigint | 'no_stream' }> {
    const cached = this.follower.open ? this.recent(stream) : undefined;
    return cached?.loaded && !(cached.unreadable && foreignEvents === 'refuse')
      ? { state: cached.state, revision: cached.revision }
      : this.load(stream, foreignEvents);
  }

  /**
   * Keeps cached folds of streams starting with `prefix` current from a catch-up subscription to
   * `$all` that starts at the head: older history is read when a stream is first loaded. One that
   * ends or cannot start is followed again (see CategoryFollower); meanwhile `current` reads the
   * store, and the log (`RepositoryOptions.log`) says when the tries begin and when one succeeds.
   */
  follow(prefix: string): Promise<void> {
    return this.follower.follow(prefix);
  }

  /**
   * Tells `follower` of every event the category's subscription brings (whoever wrote it: this
   * process, another instance, a tool), after the cached fold holds it, so a decision it starts reads
   * the stream at least that far; those written while the subscription was down too, once it follows
   * again, unless the log was cut or replaced meanwhile. Not those before `follow` started. The
   * follower must not throw and is not awaited: it runs beside the subscription, which keeps folding.
   */
  onFollowed(follower: (stored: StoredEvent<E>) => void): void {
    this.followers.push(follower);
  }

  /**
   * Folds an event seen on a subscription into the cache, for whoever already subscribes to the
   * category (the timer process manager does, so lines need no second subscription decoding every
   * event). An event right after a fold's revision is applied; one already folded is skipped; a gap
   * (a fold that somehow fell behind) drops the fold so the next use re-reads it. Returns the fold
   * when it now reflects the event (it may be further ahead, with this process's own appends), else
   * undefined: the stream is not cached, or its fold was dropped.
   */
  observe(stored: StoredEvent<E>): { state: State; revision: bigint } | undefined {
    const { stream, revision, event, metadata, position } = stored;
    const cached = this.cache.get(stream);
    if (!cached) return undefined;
    const next = cached.revision === 'no_stream' ? 0n : cached.revision + 1n;
    if (revision > next) {
      this.drop(stream);
      return undefined;
    }
    if (revision === next) {
      cached.state = this.aggregate.evolve(cached.state, event);
      cached.revision = revision;
      cached.lastEventId = stored.id;
      cached.lastTime = metadata.simulatedTime;
      this.remember(
        stream,
        cached,
        metadata.commandId,
        revision,
        revision,
        position,
        stored.created.getTime(),
      );
    }
    const folded = cached.revision;
    return folded === 'no_stream' || !cached.loaded ? undefined : { state: cached.state, revision: folded };
  }

  /**
   * The same for a foreign event seen on a subscription: the fold moves past its revision unchanged.
   * One that claims to be part of the aggregate but cannot be read is remembered with the fold, for
   * the commands that refuse to decide on it (see ForeignEventPolicy).
   */
  observeForeign(foreign: ForeignEvent): { state: State; revision: bigint } | undefined {
    const cached = this.cache.get(foreign.stream);
    if (!cached) return undefined;
    const next = cached.revision === 'no_stream' ? 0n : cached.revision + 1n;
    if (foreign.revision > next) {
      this.drop(foreign.stream);
      return undefined;
    }
    if (foreign.revision === next) {
      cached.revision = foreign.revision;
      cached.lastEventId = foreign.id;
      if (foreign.claimsOurs) cached.unreadable ??= foreign;
    }
    const folded = cached.revision;
    return folded === 'no_stream' || !cached.loaded ? undefined : { state: cached.state, revision: folded };
  }

  /**
   * The cached fold of a stream as it stands, without reading the store (and without counting as a
   * use): for a consumer that knows which revision it needs and reads the stream (`load`) only when
   * the fold is not there yet. Undefined when the stream is not cached or not read in full.
   */
  cachedFold(stream: string): { state: State; revision: bigint } | undefined {
    const cached = this.cache.get(stream);
    return cached?.loaded && cached.revision !== 'no_stream'
      ? { state: cached.state, revision: cached.revision }
      : undefined;
  }

  /**
   * Drops a stream's fold: for a subscriber that learns the store deleted the stream. Its next use
   * reads the stream again, which then answers DeletedStreamError instead of a fold of the past.
   */
  forget(stream: string): void {
    this.drop(stream);
  }

  stopFollowing(): Promise<void> {
    return this.follower.stop();
  }

  /**
   * Folds this process's own appended events into the cache, unless the subscription got there
   * first (then they are already folded) or moved the fold elsewhere (then it is dropped and re-read).
   */
  private applyOwnAppend(
    stream: string,
    cached: CachedAggregate<State>,
    expected: bigint | 'no_stream',
    events: readonly E[],
    { nextRevision, eventIds }: { readonly nextRevision: bigint; readonly eventIds: readonly string[] },
    simulatedTime: string,
  ): void {
    if (cached.revision === expected) {
      for (const event of events) cached.state = this.aggregate.evolve(cached.state, event);
      cached.revision = nextRevision;
      cached.lastEventId = eventIds.at(-1)!;
      cached.lastTime = simulatedTime;
    } else if (cached.revision === 'no_stream' || cached.revision < nextRevision) {
      this.drop(stream);
    }
  }

  /**
   * Brings the cached fold up to the store's head by reading only what was appended since, stepping
   * over foreign events; then applies the command's policy to an unreadable one among them. A stream
   * not cached starts from its latest snapshot when there is a usable one (see startFold).
   */
  private async catchUp(stream: string, foreignEvents: ForeignEventPolicy): Promise<CachedAggregate<State>> {
    let cached = this.recent(stream);
    let tail: StreamTail<E> | undefined;
    if (!cached) {
      ({ fold: cached, tail } = await this.startFold(stream));
      this.cache.set(stream, cached);
      this.rememberedCommands += cached.commands.size;
      if (this.cache.size > this.cacheSize) this.drop(this.cache.keys().next().value!);
    }
    // A snapshot is checked by the event at its revision: read from there, and expect that event.
    let check =
      cached.snapshotRevision === cached.revision && !cached.loaded ? cached.lastEventId : undefined;
    const from =
      cached.revision === 'no_stream' ? 0n : check === undefined ? cached.revision + 1n : cached.revision;
    // Only commands still inside the window are indexed: a long history costs no memory for its ids.
    const windowStart = this.now() - this.windowMs;
    let mismatch: string | undefined;
    try {
      for await (const item of this.recordedFrom(stream, from, tail)) {
        const revision = item.kind === 'event' ? item.stored.revision : item.foreign.revision;
        if (check !== undefined) {
          const id = item.kind === 'event' ? item.stored.id : item.foreign.id;
          if (revision !== from || id !== check) mismatch ??= `${id} at revision ${revision}`;
          else {
            this.snapshots.loaded++;
            if (item.kind === 'event') cached.lastTime = item.stored.metadata.simulatedTime;
          }
          check = undefined;
          continue;
        }
        // Read to the end before starting over: a read left half-way keeps its call open.
        if (mismatch !== undefined) continue;
        // The subscription may have folded this event while the read was under way.
        if (cached.revision !== 'no_stream' && revision <= cached.revision) continue;
        cached.lastEventId = item.kind === 'event' ? item.stored.id : item.foreign.id;
        if (item.kind === 'foreign') {
          // Another client's event (no Switchboard metadata) is no part of this aggregate; one that
          // claims to be is marked, and each command's policy decides whether the fold will do.
          if (item.foreign.claimsOurs) cached.unreadable ??= item.foreign;
          cached.revision = revision;
          continue;
        }
        const { stored } = item;
        cached.state = this.aggregate.evolve(cached.state, stored.event);
        cached.revision = stored.revision;
        cached.lastTime = stored.metadata.simulatedTime;
        const at = stored.created.getTime();
        if (at >= windowStart)
          this.remember(
            stream,
            cached,
            stored.metadata.commandId,
            stored.revision,
            stored.revision,
            stored.position,
            at,
          );
      }
    } catch (error) {
      // A deleted stream has no state to serve: the next use reads it again (and learns the same).
      if (error instanceof DeletedStreamError) this.drop(stream);
      throw error;
    }
    if (check !== undefined) mismatch ??= 'nothing';
    if (mismatch !== undefined) {
      // The stream no longer holds the snapshot's event there (soft deleted and written again): the
      // snapshot describes another history. Fold this one from its first event.
      this.snapshots.ignored++;
      this.log(
        `aggregate snapshot of ${stream} ignored: it reflects event ${cached.lastEventId} at revision ` +
          `${String(cached.snapshotRevision)}, the stream has ${mismatch}; folding from the first event`,
      );
      this.drop(stream);
      const restarted = this.freshFold(cached.snapshotStream);
      this.cache.set(stream, restarted);
      return this.catchUp(stream, foreignEvents);
    }
    cached.loaded = true;
    if (cached.unreadable && foreignEvents === 'refuse') {
      this.foreignRefusals.record(cached.unreadable);
      throw new ForeignEventInStreamError(cached.unreadable);
    }
    // No snapshot here: a load may serve a refused command, and a refusal writes nothing at all.
    return cached;
  }

  private freshFold(snapshotStream: CachedAggregate<State>['snapshotStream']): CachedAggregate<State> {
    return {
      state: this.aggregate.initialState,
      revision: 'no_stream',
      loaded: false,
      commands: new Map(),
      unreadable: undefined,
      noOps: new Map(),
      lastEventId: undefined,
      lastTime: undefined,
      snapshotRevision: undefined,
      snapshotTried: undefined,
      snapshotStream,
    };
  }

  /**
   * The stream's events from revision `from` to its head: the tail read while the snapshot was
   * decoded when it starts there (then the snapshot's revision was the one its metadata named),
   * read on if it stopped short of the head; else one read from `from`.
   */
  private async *recordedFrom(
    stream: string,
    from: bigint,
    tail: StreamTail<E> | undefined,
  ): AsyncGenerator<RecordedItem<E>> {
    if (tail?.from !== from) {
      yield* this.store.readRecorded<E>(stream, from);
      return;
    }
    yield* tail.items;
    if (!tail.reachedEnd) yield* this.store.readRecorded<E>(stream, tail.next);
  }

  /**
   * A new fold: from the stream's latest snapshot when it is of this build's schema and readable,
   * else from nothing. Not in the cache yet while the snapshot is read, so nothing folds onto it;
   * whatever was appended meanwhile is in the read that follows. Command ids of the snapshot still
   * inside the idempotency window are remembered as if their events had been read.
   *
   * A snapshot event's metadata names the revision it reflects, so the events after it are read
   * while it is unzipped and decoded, instead of one read after the other. The metadata only says
   * where that read starts: the fold continues from the revision the decoded snapshot states, and
   * the read is used only when the two agree (recordedFrom). A tail read that fails is left unused:
   * the read that follows meets the same error, as without it.
   */
  private async startFold(stream: string): Promise<{ fold: CachedAggregate<State>; tail?: StreamTail<E> }> {
    const codec = this.aggregate.snapshot;
    if (!codec) return { fold: this.freshFold('none') };
    let event: SnapshotEvent;
    try {
      event = await readSnapshotEvent(this.store, stream);
    } catch (error) {
      // A snapshot is an optimisation: the fold from the first event is always right.
      this.log(`aggregate snapshot of ${stream} not read (${messageOf(error)})`);
      return { fold: this.freshFold('exists') };
    }
    if (event.kind === 'none') return { fold: this.freshFold('none') };
    const from = event.revision;
    const tailRead =
      from === undefined
        ? undefined
        : this.store.readRecordedBatch<E>(stream, from, this.tailEvents).then(
            (read): StreamTail<E> => ({ from, ...read }),
            () => undefined,
          );
    const fold = await this.snapshotFold(stream, codec, event.data);
    const tail = await tailRead;
    return tail ? { fold, tail } : { fold };
  }

  /** The fold a snapshot event holds, or a fresh one when the snapshot is not usable. */
  private async snapshotFold(
    stream: string,
    codec: SnapshotCodec<State>,
    data: unknown,
  ): Promise<CachedAggregate<State>> {
    const read = await decodeSnapshotEvent(data, codec);
    if (read.kind !== 'found') {
      this.snapshots.ignored++;
      this.log(`aggregate snapshot of ${stream} ignored (${read.reason}); folding from the first event`);
      return this.freshFold('exists');
    }
    const { snapshot } = read;
    const cached = this.freshFold('exists');
    cached.state = snapshot.state;
    cached.revision = snapshot.revision;
    cached.lastEventId = snapshot.eventId;
    cached.snapshotRevision = snapshot.revision;
    const windowStart = this.now() - this.windowMs;
    for (const [commandId, first, last, position, at] of snapshot.commands) {
      if (at < windowStart) continue;
      cached.commands.set(commandId, {
        first: BigInt(first),
        last: BigInt(last),
        position: position === null ? undefined : BigInt(position),
        at,
      });
    }
    return cached;
  }

  /**
   * Writes a snapshot of the fold once it is `snapshotEveryEvents` past the last one, in the
   * background: after the current turn, so never on the path of the command that made it due.
   * What is written is the fold as it stands then, state and revision taken together without an
   * await in between. A fold holding an unreadable event is not snapshotted (the snapshot would
   * lose the mark that makes commands refuse it).
   */
  private snapshotIfDue(stream: string, cached: CachedAggregate<State>): void {
    const codec = this.aggregate.snapshot;
    if (!codec || this.snapshotsClosed || this.snapshotWrites.has(stream)) return;
    if (this.snapshotWrites.size >= SNAPSHOT_WRITES_IN_FLIGHT) return;
    if (!this.snapshotDue(cached)) return;
    const write = new Promise<void>((turn) => setImmediate(turn))
      .then(() => this.writeSnapshot(stream, cached, codec))
      .finally(() => this.snapshotWrites.delete(stream));
    this.snapshotWrites.set(stream, write);
  }

  private async writeSnapshot(
    stream: string,
    cached: CachedAggregate<State>,
    codec: NonNullable<AggregateDefinition<State, E>['snapshot']>,
  ): Promise<void> {
    try {
      if (this.snapshotsClosed || this.cache.get(stream) !== cached || !this.snapshotDue(cached)) return;
      const revision = cached.revision as bigint;
      cached.snapshotTried = revision;
      const commands: SnapshotCommand[] = [];
      for (const [commandId, record] of cached.commands) {
        if (record.last > revision) break;
        commands.push([
          commandId,
          String(record.first),
          String(record.last),
          record.position === undefined ? null : String(record.position),
          record.at,
        ]);
      }
      await writeAggregateSnapshot(
        this.store,
        stream,
        codec,
        { state: cached.state, revision, eventId: cached.lastEventId!, commands },
        cached.snapshotStream === 'none',
      );
      cached.snapshotStream = 'exists';
      cached.snapshotRevision = revision;
      this.snapshots.written++;
    } catch (error) {
      this.snapshots.failed++;
      this.log(`aggregate snapshot of ${stream} not written (${messageOf(error)})`);
    }
  }

  /**
   * Lets the snapshot writes under way finish and starts no more: for a process about to dispose of
   * its client (a write cut off by the dispose fails every append the client has in flight).
   */
  async settleSnapshots(): Promise<void> {
    this.snapshotsClosed = true;
    await Promise.all(this.snapshotWrites.values());
  }

  private snapshotDue(cached: CachedAggregate<State>): boolean {
    if (this.snapshotEveryEvents <= 0) return false;
    if (!cached.loaded || cached.unreadable || cached.revision === 'no_stream') return false;
    if (cached.lastEventId === undefined) return false;
    const last = [cached.snapshotRevision, cached.snapshotTried].reduce<bigint>(
      (latest, revision) => (revision !== undefined && revision > latest ? revision : latest),
      -1n,
    );
    const since = cached.revision - last;
    return since >= BigInt(this.snapshotEveryEvents);
  }

  /** The cached fold, marked as most recently used (Map order is insertion order: first key is evicted). */
  private recent(stream: string): CachedAggregate<State> | undefined {
    const cached = this.cache.get(stream);
    if (cached) {
      this.cache.delete(stream);
      this.cache.set(stream, cached);
    }
    return cached;
  }

  /**
   * The first outcome of a command again, for its resend: its events are read back from where the
   * store put them. Only for the party that sent it (CommandIdTakenError), in the same request
   * (IdempotencyKeyReusedError).
   */
  private async replay(
    stream: string,
    record: CommandRecord,
    resend: CommandMetadata,
  ): Promise<CommandOutcome<E>> {
    const stored: StoredEvent<E>[] = [];
    const count = Number(record.last - record.first) + 1;
    // Read to the end before judging: a read left open holds the client's stream until it is disposed.
    for await (const one of this.store.readStream<E>(stream, record.first, count)) stored.push(one);
    if (stored.some((one) => one.metadata.actor !== resend.actor))
      throw new CommandIdTakenError(stream, resend.commandId);
    // A first command stored without a digest (an older build, or no request behind it) cannot be
    // compared: its resend is answered as it always was.
    const firstDigest = stored[0]?.metadata.requestDigest;
    if (
      resend.requestDigest !== undefined &&
      firstDigest !== undefined &&
      firstDigest !== resend.requestDigest
    )
      throw new IdempotencyKeyReusedError(stream, resend.commandId);
    return {
      stream,
      events: stored.map((one) => one.event),
      revision: record.last,
      position: record.position,
      duplicate: true,
      eventIds: stored.map((one) => one.id),
    };
  }

  private remember(
    stream: string,
    cached: CachedAggregate<State>,
    commandId: string | undefined,
    first: bigint,
    last: bigint,
    position: bigint | undefined,
    at: number,
  ): void {
    if (!commandId) return;
    const counted = this.cache.get(stream) === cached;
    // Events under an id answered here as a no-op (another instance decided it, or this one decided
    // the same request again): the events are now what a resend is answered from.
    if (cached.noOps.delete(commandId) && counted) this.rememberedCommands--;
    const record = cached.commands.get(commandId);
    if (record && record.last + 1n === first) {
      // A command's events are read back one by one during catch-up: extend the same record.
      record.last = last;
      record.position = position;
      return;
    }
    // A fold dropped from the cache while a command or read on it was under way still keeps its ids
    // for that command, but no longer counts towards the total: nothing else will ever see it.
    // Not adjacent: the id was taken again after its window ended. The newer use is the one to answer.
    if (record) cached.commands.delete(commandId);
    else if (counted) this.rememberedCommands++;
    cached.commands.set(commandId, { first, last, position, at });
    this.forgetExpired(stream, cached);
    if (counted) this.keepWithinTotal(stream);
  }

  /** A client's command id answered as a no-op, remembered from its first answer (see NoOpRecord). */
  private rememberNoOp(stream: string, cached: CachedAggregate<State>, metadata: CommandMetadata): void {
    const { commandId, actor, requestDigest } = metadata;
    // Without a digest there is no request to compare a later one with.
    if (requestDigest === undefined || cached.noOps.has(commandId)) return;
    const counted = this.cache.get(stream) === cached;
    if (cached.noOps.size >= this.maxCommandsPerStream) {
      cached.noOps.delete(cached.noOps.keys().next().value!);
      if (counted) this.rememberedCommands--;
    }
    cached.noOps.set(commandId, { actor, requestDigest, at: this.now() });
    if (counted) {
      this.rememberedCommands++;
      this.keepWithinTotal(stream);
    }
  }

  /** The total bound: drops least recently used folds (never `stream`'s); they rebuild their ids on use. */
  private keepWithinTotal(stream: string): void {
    for (const [other] of this.cache) {
      if (this.rememberedCommands <= this.maxCommands) break;
      if (other !== stream) this.drop(other);
    }
  }

  /** Forgets the command ids that left the window (the map is in append order, oldest first). */
  private forgetExpired(stream: string, cached: CachedAggregate<State>): void {
    const counted = this.cache.get(stream) === cached;
    const windowStart = this.now() - this.windowMs;
    for (const ids of [cached.commands, cached.noOps]) {
      for (const [commandId, record] of ids) {
        if (record.at >= windowStart) break;
        ids.delete(commandId);
        if (counted) this.rememberedCommands--;
      }
    }
  }

  /** Removes a fold and its command ids from the cache. */
  private drop(stream: string): void {
    const cached = this.cache.get(stream);
    if (!cached) return;
    this.rememberedCommands -= cached.commands.size + cached.noOps.size;
    this.cache.delete(stream);
  }

  private clear(): void {
    this.cache.clear();
    this.rememberedCommands = 0;
  }

  private serialized<T>(stream: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(stream) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.queues.set(stream, tail);
    void tail.then(() => {
      if (this.queues.get(stream) === tail) this.queues.delete(stream);
    });
    return next;
  }
}
