import { copyFile, link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DeletedStreamError, type EventStore, checkReaderAgainstStore, whyStartOver } from '#eventstore';
import type { LogIndex } from './log-index.js';
import type { Projection } from './projection.js';
import { ReadModels } from './read-models.js';
import { parseInstant, replay, type ReplayLimit } from './replay.js';
import type { ScopeCheckpoints } from './scope-checkpoints.js';
import { readScope, streamsOfScope, type TimeTravelScope } from './scope-read.js';
import { incompatibility, readSnapshot, readSnapshotHeader, type SnapshotHeader } from './snapshot-file.js';

/** Checkpoints are kept at least this many events apart (the live projector's default snapshot interval). */
export const DEFAULT_CHECKPOINT_EVERY_EVENTS = 50_000;
/** At most this many checkpoints are kept; past it the one whose loss leaves the smallest gap goes. */
export const DEFAULT_MAX_CHECKPOINTS = 40;

const FILE = /^checkpoint-(\d{20})\.ndjson$/;
const fileFor = (eventCount: number): string => `checkpoint-${String(eventCount).padStart(20, '0')}.ndjson`;

/** One checkpoint on disk: a snapshot file of the read models at a past position. */
export interface Checkpoint {
  readonly file: string;
  readonly position: bigint;
  readonly eventCount: number;
  /** Latest simulated time of every event up to it; undefined: not known (it answers positions only). */
  readonly maxSimulatedMs: number | undefined;
  readonly bytes: number;
}

export interface CheckpointStats {
  readonly count: number;
  readonly bytes: number;
  /** Checkpoints found unusable (another format or projection version, corrupt, another store's) and removed. */
  readonly ignored: number;
  readonly everyEvents: number;
  readonly maxCount: number;
}

export interface CheckpointOptions {
  readonly everyEvents?: number;
  readonly maxCount?: number;
  readonly log?: (line: string) => void;
}

/**
 * Read-model checkpoints for time travel: snapshot files (the projector's own format, see
 * snapshot-file.ts) of past states, kept in a directory of their own, at least `everyEvents` apart
 * and at most `maxCount` of them (so their disk is bounded by maxCount times a state's size).
 *
 * They cost the live projector one snapshot per `everyEvents` events: when one is due (and the
 * projector is live, not catching up), it writes its snapshot then, whatever its own snapshot
 * schedule says; while catching up, the snapshots its schedule takes are offered. The committed
 * snapshot file is hard-linked here (the next snapshot replaces the live file by a rename, so the
 * link keeps this one's bytes). Each is checked like a snapshot when
 * loaded (format, projection versions, row count and checksum) and against the store (its last
 * event must be there): one that fails is logged, counted and removed, never trusted.
 */
export class CheckpointShelf {
  readonly everyEvents: number;
  readonly maxCount: number;
  private readonly log: (line: string) => void;
  /** In log order. */
  private checkpoints: Checkpoint[] = [];
  private ignoredCount = 0;

  constructor(
    readonly dir: string,
    readonly projections: readonly Projection[],
    options: CheckpointOptions = {},
  ) {
    this.everyEvents = options.everyEvents ?? DEFAULT_CHECKPOINT_EVERY_EVENTS;
    this.maxCount = options.maxCount ?? DEFAULT_MAX_CHECKPOINTS;
    this.log = options.log ?? ((line) => console.log(line));
  }

  /** Indexes the checkpoints on disk by their headers; those of another format or build are removed. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const found: Checkpoint[] = [];
    for (const file of await readdir(this.dir)) {
      if (!FILE.test(file)) {
        // A temporary file of a write that never finished.
        if (file.startsWith('checkpoint-')) await rm(join(this.dir, file), { force: true });
        continue;
      }
      const header = await readSnapshotHeader(join(this.dir, file));
      const problem = header ? incompatibility(header, this.projections) : 'no header';
      if (problem || !header || header.position === null) {
        await this.discard(file, problem ?? 'it holds no position');
        continue;
      }
      found.push(await this.entry(file, header));
    }
    this.checkpoints = found.sort((a, b) => a.eventCount - b.eventCount);
  }

  /** Forgets every checkpoint (a rebuild from the first event does not trust the old ones either). */
  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    this.checkpoints = [];
  }

  get stats(): CheckpointStats {
    return {
      count: this.checkpoints.length,
      bytes: this.checkpoints.reduce((sum, checkpoint) => sum + checkpoint.bytes, 0),
      ignored: this.ignoredCount,
      everyEvents: this.everyEvents,
      maxCount: this.maxCount,
    };
  }

  get list(): readonly Checkpoint[] {
    return this.checkpoints;
  }

  /** Whether read models at `eventCount` events are far enough past the last checkpoint to keep one. */
  due(eventCount: number): boolean {
    return eventCount > 0 && eventCount - (this.checkpoints.at(-1)?.eventCount ?? 0) >= this.everyEvents;
  }

  /** A snapshot the projector committed (`path`, holding `header`): kept as a checkpoint when one is due. */
  async offer(path: string, header: SnapshotHeader): Promise<void> {
    if (header.position === null || !this.due(header.eventCount)) return;
    const file = fileFor(header.eventCount);
    const target = join(this.dir, file);
    await mkdir(this.dir, { recursive: true });
    await rm(target, { force: true });
    try {
      await link(path, target);
    } catch {
      // A file system without hard links: a copy (to a temporary name, so a half copy is never indexed).
      await copyFile(path, `${target}.tmp`);
      await rm(target, { force: true });
      await copyFile(`${target}.tmp`, target);
      await rm(`${target}.tmp`, { force: true });
    }
    this.checkpoints.push(await this.entry(file, header));
    while (this.checkpoints.length > this.maxCount) await this.thin();
  }

  /**
   * The latest checkpoint a replay to `limit` may start from: at or before the position; for a
   * simulated time, one whose every event is at or before that time (the replay from the first
   * event stops at the first later one, wherever it is).
   */
  nearest(limit: ReplayLimit, except: ReadonlySet<string> = new Set()): Checkpoint | undefined {
    const untilTime =
      limit.untilSimulatedTime === undefined ? undefined : parseInstant(limit.untilSimulatedTime);
    let best: Checkpoint | undefined;
    for (const checkpoint of this.checkpoints) {
      if (except.has(checkpoint.file)) continue;
      if (limit.untilPosition !== undefined && checkpoint.position > limit.untilPosition) break;
      if (untilTime !== undefined) {
        if (checkpoint.maxSimulatedMs === undefined) continue;
        if (checkpoint.maxSimulatedMs > untilTime) break;
      }
      best = checkpoint;
    }
    return best;
  }

  /**
   * The read models of a checkpoint, or undefined when it cannot be used (then it is removed): a
   * failed check of the file, or checkReaderAgainstStore finds its last event gone from `store` (the
   * store was replaced since it was written) or a repair since dropped events before it.
   */
  async load(checkpoint: Checkpoint, store: EventStore): Promise<ReadModels | undefined> {
    const loaded = await readSnapshot(this.dir, this.projections, checkpoint.file);
    if (loaded.kind !== 'loaded') {
      await this.discard(checkpoint.file, loaded.kind === 'none' ? 'missing' : loaded.reason);
      return undefined;
    }
    const last = loaded.readModels.lastEvent;
    if (last) {
      const check = await checkReaderAgainstStore(store, last);
      if (check.kind !== 'kept') {
        await this.discard(checkpoint.file, whyStartOver(last, check));
        return undefined;
      }
    }
    return loaded.readModels;
  }

  private async entry(file: string, header: SnapshotHeader): Promise<Checkpoint> {
    return {
      file,
      position: BigInt(header.position!),
      eventCount: header.eventCount,
      maxSimulatedMs: header.maxSimulatedTime ? Date.parse(header.maxSimulatedTime) : undefined,
      bytes: (await stat(join(this.dir, file))).size,
    };
  }

  /** Removes the checkpoint whose neighbours are closest together: the spacing stays as even as it can. */
  private async thin(): Promise<void> {
    let victim = 1;
    let smallest = Infinity;
    for (let i = 1; i < this.checkpoints.length - 1; i++) {
      const gap = this.checkpoints[i + 1]!.eventCount - this.checkpoints[i - 1]!.eventCount;
      if (gap < smallest) {
        smallest = gap;
        victim = i;
      }
    }
    const [removed] = this.checkpoints.splice(victim, 1);
    await rm(join(this.dir, removed!.file), { force: true });
  }

  private async discard(file: string, reason: string): Promise<void> {
    this.ignoredCount++;
    this.log(`time travel: checkpoint ${file} ignored and removed (${reason})`);
    this.checkpoints = this.checkpoints.filter((checkpoint) => checkpoint.file !== file);
    await rm(join(this.dir, file), { force: true });
  }
}

/** Too many as-of queries at once: the caller is told to come back (HTTP 429 TIME_TRAVEL_BUSY). */
export class TimeTravelBusyError extends Error {
  override readonly name = 'TimeTravelBusyError';
  constructor(
    readonly running: number,
    readonly waiting: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `${running} as-of queries are running and ${waiting} waiting, the most the projector takes at once; ` +
        `retry in ${retryAfterSeconds} s`,
    );
  }
}

export interface TimeMachineOptions {
  readonly streamPrefixes: readonly string[];
  readonly parkFailedEvents?: boolean;
  /** As-of replays running at once (each holds a whole state in memory while it runs). */
  readonly concurrency?: number;
  /** Queries waiting for a turn; past it a query is refused with TimeTravelBusyError. */
  readonly queueLength?: number;
  /** The whole log's positions and times: what scoped queries need (see `scoped`); without it they go whole. */
  readonly index?: LogIndex;
  /** Checkpoints of each account's scope: an account's query folds from the nearest (see `scoped`). */
  readonly scopeCheckpoints?: ScopeCheckpoints;
}

/** As-of queries now, against their bounds (see TimeMachine.inTurn), and how long the recent ones took. */
export interface TimeTravelQueries {
  readonly running: number;
  readonly waiting: number;
  readonly concurrency: number;
  readonly queueLength: number;
  /** Mean duration of the last 10 (null before the first). */
  readonly recentMeanMs: number | null;
}

/** How an as-of answer was built: from which checkpoint, over how many events. */
export interface TimeTravelTrip {
  readonly checkpointEvents: number | undefined;
  readonly replayedEvents: number;
  /** Of `ms`, the time spent loading (and checking) the checkpoint, and for a scoped one reading its streams. */
  readonly loadMs: number;
  /** Of `loadMs`, a scoped one's checkpoint alone (0 without one). */
  readonly checkpointMs?: number;
  readonly ms: number;
  /** Folded from the scope's own streams (see TimeMachine.scoped), not from a whole-state checkpoint. */
  readonly scoped: boolean;
}

/**
 * The read models as of a past `$all` position or simulated time, in the cost of the distance from
 * the nearest checkpoint before it instead of the whole log: the checkpoint is loaded and only the
 * events after it are replayed. Without a usable checkpoint (none yet, or every candidate failed its
 * checks) it replays from the first event, as before checkpoints. Bounded: `concurrency` replays
 * run at once, `queueLength` wait, and more are refused with TimeTravelBusyError.
 */
export class TimeMachine {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly queueLength: number;
  /** Recent trips' durations, for Retry-After. */
  private recentMs: number[] = [];
  lastTrip: TimeTravelTrip | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly projections: readonly Projection[],
    private readonly checkpoints: CheckpointShelf | undefined,
    private readonly options: TimeMachineOptions,
  ) {
    this.concurrency = options.concurrency ?? 2;
    this.queueLength = options.queueLength ?? 8;
  }

  get queries(): TimeTravelQueries {
    return {
      running: this.running,
      waiting: this.queue.length,
      concurrency: this.concurrency,
      queueLength: this.queueLength,
      recentMeanMs: this.recentMs.length ? Math.round(this.meanRecentMs()) : null,
    };
  }

  /** Whole read models as of the point (every table of every account): what a digest needs. */
  async at(limit: ReplayLimit): Promise<ReadModels> {
    return this.inTurn(() => this.travel(limit));
  }

  /**
   * Read models as of the point that are right for the rows of `scope` only, in the cost of the
   * scope's events up to the point rather than of the log's: its streams (the accounts' own streams,
   * their lines' or the one line's, and the clock streams) are read up to the point and folded in
   * log order into fresh read models. That is exact because the projections key every row by its
   * account and fold an account's rows from its own streams and the clocks alone (the integration
   * spec compares each scoped query with a replay from the first event). What concerns the whole
   * log comes from the LogIndex: where "as of simulated time T" stops (at the first event later
   * than T, whichever account's) and the position and simulated times reported. Rows of other
   * accounts are absent, and `eventCount` counts the scope's events.
   *
   * An account's query (one account, no line) goes on from the account's nearest scope checkpoint at
   * or before the point (see ScopeCheckpoints), reading each stream only from the index's revision
   * at the checkpoint: it folds the distance, not the account's history. So does a line's query when
   * the checkpoints have line row rules (LINE_ROWS): it takes of the account's checkpoint only what a
   * fold of the line's scope holds there (the account's rows, the clocks', the line's, and its part
   * of rows all the lines add to), and reads only the line's scope's streams after it. Its
   * `eventCount` counts the same events either way.
   *
   * Answered whole (`at`) instead while the index has not yet reached the head once, or when a
   * stream of the scope was deleted (its events stay in `$all`, where a replay still meets them).
   */
  async scoped(limit: ReplayLimit, scope: TimeTravelScope): Promise<ReadModels> {
    return this.inTurn(async () => {
      const index = this.options.index;
      if (!index?.caughtUp) return this.travel(limit);
      try {
        return await this.fold(index, limit, scope);
      } catch (error) {
        if (error instanceof DeletedStreamError) return this.travel(limit);
        throw error;
      }
    });
  }

  private async fold(index: LogIndex, limit: ReplayLimit, scope: TimeTravelScope): Promise<ReadModels> {
    const started = performance.now();
    // With no later event indexed yet, up to what the index has seen: an event appended a moment
    // ago, not yet indexed, may be later than the time asked for.
    const timeBound =
      limit.untilSimulatedTime === undefined
        ? undefined
        : (index.untilPositionOfTime(limit.untilSimulatedTime) ?? index.position);
    const bounds = [limit.untilPosition, timeBound].filter((bound) => bound !== undefined);
    const until = bounds.length === 0 ? undefined : bounds.reduce((a, b) => (a < b ? a : b));
    // An account's query, or a line's, goes on from the account's nearest checkpoint at or before the point.
    const shelf = this.options.scopeCheckpoints;
    const accountId =
      scope.accountIds.length === 1 && (scope.lineKey === undefined || shelf?.servesLines)
        ? scope.accountIds[0]
        : undefined;
    const checkpoint = accountId === undefined ? undefined : shelf?.nearest(accountId, until);
    // A point past what the index has seen (events appended a moment ago): streams are read to their end.
    const read = (after: bigint | undefined) =>
      readScope(this.store, index, streamsOfScope(index, scope), after, until);
    // The store reads the streams while the checkpoint is parsed here, instead of one after the other.
    let checkpointMs = 0;
    const [from, itemsAfter] = await Promise.all([
      checkpoint &&
        shelf!.load(checkpoint, scope.lineKey).finally(() => (checkpointMs = performance.now() - started)),
      read(checkpoint?.position),
    ]);
    const after = from ? checkpoint : undefined;
    const items = from || !checkpoint ? itemsAfter : await read(undefined);
    const loadMs = performance.now() - started;
    const readModels = from || new ReadModels(this.projections);
    for (const item of items) {
      if (item.kind === 'foreign') readModels.parkForeign(item.foreign);
      else if (this.options.parkFailedEvents) readModels.applyOrPark(item.stored);
      else readModels.apply(item.stored);
    }
    // Reported as a replay from the first event reports it: as of a position it stands at that
    // position once the log goes past it (as of a time, just before the first later event).
    const point = index.pointAt(until ?? index.position ?? 0n);
    const position =
      until !== undefined && index.position !== undefined && index.position > until ? until : index.position;
    readModels.restorePosition(
      position,
      readModels.eventCount,
      point.lastSimulatedTime,
      readModels.lastEvent,
      point.maxSimulatedTime,
    );
    const ms = performance.now() - started;
    this.lastTrip = {
      checkpointEvents: after?.records,
      replayedEvents: items.length,
      loadMs,
      checkpointMs,
      ms,
      scoped: true,
    };
    this.recentMs = [...this.recentMs.slice(-9), ms];
    return readModels;
  }

  /**
   * Runs `travel` when a place is free, waits for one in the queue, or refuses when that is full. Any
   * replay holding a whole state in memory takes its turn here (a rebuild too), so a burst of them
   * cannot hold more than the bound at once.
   */
  async inTurn(travel: () => Promise<ReadModels>): Promise<ReadModels> {
    if (this.running >= this.concurrency) {
      if (this.queue.length >= this.queueLength) {
        throw new TimeTravelBusyError(this.running, this.queue.length, this.retryAfterSeconds());
      }
      await new Promise<void>((turn) => this.queue.push(turn));
    } else {
      this.running++;
    }
    try {
      return await travel();
    } finally {
      // The turn passes to the next waiter directly: `running` stays counted for it.
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }

  private async travel(limit: ReplayLimit): Promise<ReadModels> {
    const started = performance.now();
    const tried = new Set<string>();
    let from: ReadModels | undefined;
    let checkpoint: { eventCount: number } | undefined;
    for (let candidate = this.checkpoints?.nearest(limit); candidate;) {
      from = await this.checkpoints!.load(candidate, this.store);
      if (from) {
        checkpoint = candidate;
        break;
      }
      tried.add(candidate.file);
      candidate = this.checkpoints!.nearest(limit, tried);
    }
    const loadMs = performance.now() - started;
    const readModels = await replay(this.store, this.projections, {
      streamPrefixes: this.options.streamPrefixes,
      parkFailedEvents: this.options.parkFailedEvents ?? false,
      ...limit,
      ...(from ? { from } : {}),
    });
    const ms = performance.now() - started;
    this.lastTrip = {
      checkpointEvents: checkpoint?.eventCount,
      replayedEvents: readModels.eventCount - (checkpoint?.eventCount ?? 0),
      loadMs,
      ms,
      scoped: false,
    };
    this.recentMs = [...this.recentMs.slice(-9), ms];
    return readModels;
  }

  /** About how long until a place frees up: the queue ahead, at the recent trips' mean duration. */
  private retryAfterSeconds(): number {
    const mean = this.recentMs.length ? this.meanRecentMs() : 1_000;
    return Math.max(1, Math.ceil(((this.queue.length / this.concurrency + 1) * mean) / 1000));
  }

  private meanRecentMs(): number {
    return this.recentMs.reduce((a, b) => a + b, 0) / this.recentMs.length;
  }
}
