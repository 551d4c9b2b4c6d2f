import { isCommandError } from '@eventstore/db-client';
import {
  ReaderStoreCheck,
  whyStartOver,
  type EventStore,
  type EventSubscription,
  type StoredEvent,
  type SubscriptionItem,
} from '#eventstore';
import { ProjectionFailure, type Projection } from './projection.js';
import { CHECKPOINT_EVERY, ReadModels, type ParkedEvent } from './read-models.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  SNAPSHOT_FILE,
  captureSnapshot,
  readSnapshot,
  readSnapshotHeader,
  removeSnapshot,
  removeStaleTemporaries,
} from './snapshot-file.js';
import { SCOPE_CHECKPOINT_DIR } from './scope-checkpoints.js';
import { CheckpointShelf, type CheckpointOptions } from './time-machine.js';

/**
 * The largest share of its time the projector spends writing snapshots. A snapshot copies and writes
 * the whole state (in slices between events, see captureSnapshot): seconds of CPU for millions of
 * rows. Taken every N events or T ms regardless, snapshots came to take most of a catch-up (and of a
 * busy live projector's time), so the next one waits for (1 / share - 1) times as long as it is
 * expected to take: as long as the last, grown with the state since. A catch-up from the first event
 * outgrows that once its state is large: it snapshots again once live, and a crash before then
 * repeats it from the last snapshot.
 */
const SNAPSHOT_TIME_SHARE = 0.1;
/** Below this many events a snapshot's time is mostly its file syncs, and does not grow with the state. */
const SNAPSHOT_FIXED_COST_EVENTS = 10_000;
/**
 * Events the lag look reads after the read models' position to find the first unapplied one. The
 * store's own `$`-records come a few at a time (two on a fresh node, one per restart), so a handful is
 * enough to see past them.
 */
const LAG_LOOK_AHEAD = 16;

export type ProjectorStatus = 'starting' | 'catchingUp' | 'live' | 'reconnecting' | 'failed' | 'stopped';

/** The snapshots this projector wrote: that they keep up is what bounds a restart's replay. */
export interface SnapshotStats {
  written: number;
  failed: number;
  /** The last one written: when it was committed, how long it took, and the events it holds. */
  last: { readonly at: string; readonly tookMs: number; readonly eventCount: number } | undefined;
}

/** What changed in the read models: one applied event. */
export interface ReadModelChange {
  readonly position: string;
  readonly stream: string;
  readonly type: string;
  readonly eventCount: number;
}

export interface ProjectorOptions {
  readonly streamPrefixes: readonly string[];
  /** Where the snapshot lives; without one the projector starts from the first event every time. */
  readonly dataDir?: string;
  /** Start over from the first event even if a snapshot exists. */
  readonly rebuild?: boolean;
  readonly snapshotEveryEvents?: number;
  readonly snapshotEveryMs?: number;
  /** How old the head position behind a lag report may be (default 1,000 ms). */
  readonly lagRefreshMs?: number;
  /**
   * Park an event a projection cannot apply (its changes undone, kept with the reason) and go on,
   * instead of stopping (the default). Foreign events are parked either way.
   */
  readonly parkFailedEvents?: boolean;
  /**
   * Time-travel checkpoints (with a dataDir): committed snapshots kept in `<dataDir>/checkpoints`
   * at least `everyEvents` apart, at most `maxCount` of them (see CheckpointShelf).
   */
  readonly checkpoints?: CheckpointOptions;
  readonly log?: (line: string) => void;
  /** Where a stop on an event that cannot be applied is reported (stderr by default). */
  readonly alarm?: (line: string) => void;
}

/** Another reader of the records the projector's subscription delivers (the log index), riding along. */
export interface SubscriptionRider {
  /** Every item the subscription delivers, in log order; after a reconnect, some of them again. */
  ride(item: SubscriptionItem): void;
  /** The subscription has ended for good (the projector stopped or failed): nothing more comes. */
  ended(): void;
  /**
   * The subscription was lost and will be opened again, once the projector has checked its read
   * models against the store: what it delivers next may start over from the first record (they were
   * rebuilt after a repair cut the log). A rider that keeps what it was given checks for itself.
   */
  interrupted?(): void;
}

/** Where a rider gets on; what it returns gets it off. */
export interface RecordSource {
  carry(rider: SubscriptionRider): () => void;
}

/**
 * How far the read models are behind the head of `$all`, from a look at the store at most
 * `lagRefreshMs` old (so a health or metrics scrape never reads the log, however often it comes).
 */
export interface Lag {
  readonly headPosition: string;
  readonly position: string | null;
  /**
   * Events not yet applied: 0 once the position reached the head; otherwise an estimate, the bytes of
   * `$all` between position and head over the mean bytes per event applied so far (events of other
   * categories in between count as if they were projected ones).
   */
  readonly events: number;
  readonly eventsEstimated: boolean;
  /** How long the first event after the position had been in the store at `measuredAt` (0 when caught up). */
  readonly ms: number;
  /** When the store was last looked at: head and ms are as of then, position is now. */
  readonly measuredAt: string;
}

/** What one look at the store found: the head, and when the first event after a position was written. */
interface Look {
  readonly at: number;
  readonly head: bigint;
  /** Age of the first event after the position of that time, at that time. */
  readonly ms: number;
}

/**
 * The live projector: a catch-up subscription to `$all` (server-side prefix filter), consumed with
 * `for await` so events are applied strictly in log order, with the read models and their position
 * snapshotted together (see snapshot-file.ts) every N events or T ms (at most SNAPSHOT_TIME_SHARE of
 * the time), and on stop.
 *
 * An event a projection cannot apply stops it for good: the status turns `failed`, the failure names
 * the position and type, nothing more is applied and no snapshot is written (the state may be half
 * applied). Told to (`parkFailedEvents`), it parks such an event instead, undoing what it had
 * changed, and goes on. A foreign event (one this build cannot read as Switchboard's) is always
 * parked. Parked events live in the read models' own table: snapshotted with them (so they survive
 * restarts), digested with them, and parked again by a rebuild. Connection trouble is different: the
 * subscription is reopened from the last position.
 */
export class Projector implements RecordSource {
  status: ProjectorStatus = 'starting';
  failure: ProjectionFailure | Error | undefined;
  /** Why the last connection attempt failed, while reconnecting. */
  connectionError: string | undefined;
  readModels: ReadModels;
  /** Past states kept for as-of queries (with a dataDir): see TimeMachine. */
  readonly checkpoints: CheckpointShelf | undefined;
  readonly snapshots: SnapshotStats = { written: 0, failed: 0, last: undefined };
  /** Snapshots that failed since the last one written: only the first of them is logged. */
  private snapshotsFailedInARow = 0;
  private subscription: EventSubscription | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** The snapshot write in flight, from capture to commit. */
  private snapshotWrite: Promise<void> | undefined;
  /** When the last snapshot write ended, how long it took and at how many events: SNAPSHOT_TIME_SHARE. */
  private snapshotEndedAt = 0;
  private snapshotTookMs = 0;
  private snapshotEvents = 0;
  private eventsSinceSnapshot = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(change: ReadModelChange) => void>();
  private readonly riders = new Set<SubscriptionRider>();
  /** Whether the store still holds what it read, before each subscription; remembers repairs it started over after. */
  private readonly storeCheck = new ReaderStoreCheck();
  private readonly waiters = new Set<{ position: bigint; resolve: () => void }>();
  private readonly snapshotEveryEvents: number;
  private readonly snapshotEveryMs: number;
  private readonly log: (line: string) => void;
  private readonly alarm: (line: string) => void;
  private readonly lagRefreshMs: number;
  private look: Promise<Look> | undefined;

  readonly streamPrefixes: readonly string[];
  readonly parkFailedEvents: boolean;
  /** Where its snapshot, checkpoints and the time machine's scope checkpoints live (none: memory only). */
  readonly dataDir: string | undefined;

  constructor(
    private readonly store: EventStore,
    readonly projections: readonly Projection[],
    private readonly options: ProjectorOptions,
  ) {
    this.streamPrefixes = options.streamPrefixes;
    this.parkFailedEvents = options.parkFailedEvents ?? false;
    this.dataDir = options.dataDir;
    this.readModels = new ReadModels(projections);
    this.snapshotEveryEvents = options.snapshotEveryEvents ?? 50_000;
    this.snapshotEveryMs = options.snapshotEveryMs ?? 5_000;
    this.log = options.log ?? ((line) => console.log(line));
    this.alarm = options.alarm ?? ((line) => console.error(line));
    this.lagRefreshMs = options.lagRefreshMs ?? 1_000;
    this.checkpoints = options.dataDir
      ? new CheckpointShelf(join(options.dataDir, 'checkpoints'), projections, {
          log: this.log,
          ...options.checkpoints,
        })
      : undefined;
  }

  /** Loads the snapshot (if any) and starts following `$all` in the background. */
  async start(): Promise<void> {
    const { dataDir } = this.options;
    if (dataDir) {
      for (const name of await removeStaleTemporaries(dataDir))
        this.log(`projector: removed ${name}, the unfinished snapshot write of a process that is gone`);
    }
    if (dataDir && this.options.rebuild) {
      await removeSnapshot(dataDir);
      await this.checkpoints?.clear();
      await rm(join(dataDir, SCOPE_CHECKPOINT_DIR), { recursive: true, force: true });
      this.log('projector: rebuilding every read model from the first event');
    } else if (dataDir) {
      const loaded = await readSnapshot(dataDir, this.projections);
      if (loaded.kind === 'loaded') {
        this.readModels = loaded.readModels;
        this.log(
          `projector: resuming from snapshot at $all position ${String(this.readModels.position ?? 'start')} ` +
            `(${this.readModels.eventCount} events)`,
        );
      } else if (loaded.kind === 'discarded') {
        this.log(`projector: snapshot discarded (${loaded.reason}); rebuilding from the first event`);
      }
    }
    await this.checkpoints?.open();
    this.status = 'catchingUp';
    this.loop = this.follow();
    if (dataDir) {
      this.timer = setInterval(() => {
        if (this.snapshotDue()) void this.snapshotIfDirty();
      }, this.snapshotEveryMs);
      this.timer.unref();
    }
  }

  /** Stops following and writes a final snapshot (unless a failure made the state untrustworthy). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.subscription?.close();
    await this.loop;
    // One in flight may hold fewer events than the final one must.
    if (this.snapshotWrite) await this.snapshotWrite;
    await this.snapshotIfDirty();
    if (this.status !== 'failed') this.status = 'stopped';
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
    this.dropRiders();
  }

  carry(rider: SubscriptionRider): () => void {
    if (this.status === 'failed' || this.status === 'stopped') {
      rider.ended();
      return () => undefined;
    }
    this.riders.add(rider);
    return () => this.riders.delete(rider);
  }

  onChange(listener: (change: ReadModelChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the read models reflect `$all` up to `position` (or the projector stops). */
  waitForPosition(position: bigint): Promise<void> {
    if (this.reached(position) || this.status === 'failed' || this.status === 'stopped') {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.add({ position, resolve }));
  }

  async lag(): Promise<Lag> {
    const look = await this.lookAtStore();
    const { position, eventCount } = this.readModels;
    const base = {
      headPosition: String(look.head),
      position: position === undefined ? null : String(position),
      measuredAt: new Date(look.at).toISOString(),
    };
    if (position !== undefined && position >= look.head) {
      return { ...base, events: 0, eventsEstimated: false, ms: 0 };
    }
    const applied = position ?? 0n;
    const bytesPerEvent = eventCount > 0 && applied > 0n ? Number(applied) / eventCount : undefined;
    const behind = Number(look.head - applied);
    return {
      ...base,
      // Nothing applied yet gives no mean: at least the head event is missing.
      events: bytesPerEvent === undefined ? 1 : Math.max(1, Math.round(behind / bytesPerEvent)),
      eventsEstimated: true,
      ms: look.ms,
    };
  }

  /**
   * Reads the head (one event, backwards) and, when the read models are behind it, the first event
   * after their position (forwards, from the position itself); callers within `lagRefreshMs` share the last look.
   */
  private lookAtStore(): Promise<Look> {
    const next = (this.look ?? Promise.resolve(undefined))
      .catch(() => undefined)
      .then(async (last) => {
        if (last && Date.now() - last.at < this.lagRefreshMs) return last;
        const at = Date.now();
        const head = await this.store.headPosition();
        const position = this.readModels.position;
        let firstUnapplied: Date | undefined;
        let caughtUp = false;
        if (position === undefined || position < head) {
          const records = await this.store.readAllRecords(position, LAG_LOOK_AHEAD);
          for (const record of records) {
            // The store's own `$`-records (its epoch on every start, stream metadata, aggregate
            // snapshots) are not applied by any projection: dating the lag from one made a fresh store
            // look as late as its uptime. Nor are records of streams it does not follow (another
            // tool's; another account's, for a projector of one account): counting one left the lag
            // above zero for good when such a record was the last in the store.
            if (
              !record.type.startsWith('$') &&
              this.follows(record.stream) &&
              (record.position ?? 0n) > (position ?? -1n)
            ) {
              firstUnapplied ??= record.created;
            }
          }
          // Only records it does not apply up to the head: nothing is left to apply (the server sends
          // no checkpoint for a few filtered records, so the position itself may stay behind them).
          caughtUp = firstUnapplied === undefined && records.length < LAG_LOOK_AHEAD;
        }
        if (caughtUp) return { at, head: position ?? head, ms: 0 };
        return { at, head, ms: firstUnapplied ? Math.max(0, at - firstUnapplied.getTime()) : 0 };
      });
    this.look = next;
    return next;
  }

  private follows(stream: string): boolean {
    return this.streamPrefixes.some((prefix) => stream.startsWith(prefix));
  }

  private async follow(): Promise<void> {
    let backoffMs = 250;
    while (!this.stopping) {
      try {
        await this.checkAgainstStore();
        // A stop() that came while the check was in flight found no subscription to close: opening one
        // now would follow $all for ever and stop() would wait for this loop for ever.
        if (this.stopping) return;
        this.subscription = this.store.subscribeToAll({
          fromPosition: this.readModels.resumePosition,
          streamPrefixes: this.options.streamPrefixes,
          checkpointEvery: CHECKPOINT_EVERY,
        });
        for await (const item of this.subscription) {
          for (const rider of this.riders) this.carryOne(rider, item);
          if (item.kind === 'foreign') {
            this.parked(this.readModels.parkForeign(item.foreign));
          } else if (item.kind === 'event') {
            this.apply(item.stored);
            // Live, a due checkpoint is a snapshot whatever the snapshot schedule says (see
            // CheckpointShelf). Catching up, it is not: a whole-state write every 50,000 events made a
            // catch-up over 1M events many times longer; the snapshots it takes anyway are offered.
            if (
              (this.eventsSinceSnapshot >= this.snapshotEveryEvents && this.snapshotDue()) ||
              (this.status === 'live' && this.checkpoints?.due(this.readModels.eventCount))
            ) {
              void this.snapshotIfDirty();
            }
          } else if (item.kind === 'checkpoint') {
            this.readModels.advanceTo(item.position);
            this.release();
          } else {
            this.status = 'live';
            this.connectionError = undefined;
            backoffMs = 250;
            this.release();
          }
        }
        if (this.stopping) return;
        // The server ended a subscription that should run forever: reopen it like a dropped connection.
        throw new SubscriptionEnded();
      } catch (error) {
        if (this.stopping) return;
        if (error instanceof ProjectionFailure || !isTransient(error)) {
          this.fail(error);
          return;
        }
        this.status = 'reconnecting';
        for (const rider of this.riders) rider.interrupted?.();
        this.connectionError = error instanceof Error ? error.message : String(error);
        this.log(`projector: subscription lost (${this.connectionError}); reopening in ${backoffMs} ms`);
        await new Promise((resume) => setTimeout(resume, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5_000);
      }
    }
  }

  /**
   * Before every subscription, the first and each one after a lost connection, the read models must
   * still be a prefix of the store's log. A snapshot resumed against another store (its data deleted
   * or replaced, the projector's not), or read models that followed a store whose damaged tail
   * `eventstore repair` then cut (while this projector waited to reconnect, or was stopped), hold
   * events the store no longer has, and new events land at their positions. The event applied last
   * must be in this store, at its position and with its id; otherwise the read models start over from
   * this store's first event. Likewise when a repair since dropped events before it (damage in the
   * middle of the log: the event applied last is still there, events it came after are not).
   * Past that event the position moved only on server checkpoints, over records no projection here
   * follows: the subscription resumes from the event (ReadModels.resumePosition), not from there.
   */
  private async checkAgainstStore(): Promise<void> {
    const last = this.readModels.lastEvent;
    if (last !== undefined) {
      const check = await this.storeCheck.check(this.store, last);
      if (check.kind !== 'kept') {
        this.log(
          `projector: read models discarded (${whyStartOver(last, check)}); rebuilding from the first event`,
        );
        this.readModels = new ReadModels(this.projections);
      }
    }
  }

  private parked(parked: ParkedEvent | undefined): void {
    if (!parked) return;
    this.eventsSinceSnapshot++;
    this.alarm(
      `projector: parked ${parked.type} (stream ${parked.stream}@${parked.revision}, $all position ` +
        `${parked.position}): ${parked.reason}${parked.projection ? ` in ${parked.projection}` : ''}: ${parked.detail}`,
    );
    this.release();
  }

  private apply(stored: StoredEvent): void {
    if (this.options.parkFailedEvents) {
      const parked = this.readModels.applyOrPark(stored);
      if (parked) return this.parked(parked);
    } else {
      this.readModels.apply(stored);
    }
    this.eventsSinceSnapshot++;
    if (this.listeners.size > 0) {
      const change: ReadModelChange = {
        position: String(stored.position),
        stream: stored.stream,
        type: stored.event.type,
        eventCount: this.readModels.eventCount,
      };
      for (const listener of this.listeners) {
        // A listener (an SSE client) is never allowed to stop the projector.
        try {
          listener(change);
        } catch (error) {
          this.log(
            `projector: change listener failed (${error instanceof Error ? error.message : String(error)})`,
          );
        }
      }
    }
    this.release();
  }

  private release(): void {
    if (this.waiters.size === 0) return;
    for (const waiter of this.waiters) {
      if (this.reached(waiter.position)) {
        waiter.resolve();
        this.waiters.delete(waiter);
      }
    }
  }

  private reached(position: bigint): boolean {
    return this.readModels.position !== undefined && this.readModels.position >= position;
  }

  private fail(error: unknown): void {
    this.status = 'failed';
    this.failure = error instanceof Error ? error : new Error(String(error));
    clearInterval(this.timer);
    this.alarm(`projector STOPPED: ${this.failure.message}`);
    void this.subscription?.close();
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
    this.dropRiders();
  }

  /** A rider is never allowed to stop the projector: one that fails is put off, to follow on its own. */
  private carryOne(rider: SubscriptionRider, item: SubscriptionItem): void {
    try {
      rider.ride(item);
    } catch (error) {
      this.log(`projector: a rider failed (${error instanceof Error ? error.message : String(error)})`);
      this.riders.delete(rider);
      rider.ended();
    }
  }

  private dropRiders(): void {
    const riders = [...this.riders];
    this.riders.clear();
    for (const rider of riders) rider.ended();
  }

  /**
   * Offers the snapshot just committed to the checkpoints (they keep it when one is due). Before the
   * next snapshot can replace the file: snapshot writes never overlap. A checkpoint that cannot be
   * kept is said and skipped; the snapshot itself stands.
   */
  private async keepCheckpoint(dataDir: string): Promise<void> {
    if (!this.checkpoints) return;
    const path = join(dataDir, SNAPSHOT_FILE);
    try {
      const header = await readSnapshotHeader(path);
      if (header) await this.checkpoints.offer(path, header);
    } catch (error) {
      this.log(`projector: checkpoint not kept (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  private snapshotDue(): boolean {
    const growth = this.readModels.eventCount / Math.max(this.snapshotEvents, SNAPSHOT_FIXED_COST_EVENTS);
    const expectedMs = this.snapshotTookMs * Math.max(1, growth);
    return performance.now() - this.snapshotEndedAt >= expectedMs * (1 / SNAPSHOT_TIME_SHARE - 1);
  }

  private async snapshotIfDirty(): Promise<void> {
    const { dataDir } = this.options;
    if (!dataDir || this.status === 'failed' || this.snapshotWrite) return;
    if (this.eventsSinceSnapshot === 0) return;
    this.eventsSinceSnapshot = 0;
    const started = performance.now();
    const events = this.readModels.eventCount;
    this.snapshotWrite = captureSnapshot(dataDir, this.readModels)
      .then((snapshot) => snapshot.commit())
      .then(() => this.keepCheckpoint(dataDir))
      .then(() => {
        if (this.snapshotsFailedInARow > 0) {
          this.log(`projector: snapshot written again, after ${this.snapshotsFailedInARow} failed`);
          this.snapshotsFailedInARow = 0;
        }
        this.snapshots.written++;
        this.snapshots.last = {
          at: new Date().toISOString(),
          tookMs: Math.round(performance.now() - started),
          eventCount: events,
        };
      })
      .catch((error: unknown) => {
        // A failed write leaves the previous snapshot intact; the next interval tries again.
        this.snapshots.failed++;
        this.eventsSinceSnapshot++;
        // A full disk fails every interval's try alike: said once, until one is written again.
        if (this.snapshotsFailedInARow++ === 0) {
          this.log(
            `projector: snapshot not written (${error instanceof Error ? error.message : String(error)}); ` +
              'the previous one stays, and a snapshot is tried again at each interval',
          );
        }
      })
      .finally(() => {
        this.snapshotWrite = undefined;
        this.snapshotEndedAt = performance.now();
        this.snapshotTookMs = this.snapshotEndedAt - started;
        this.snapshotEvents = events;
      });
    await this.snapshotWrite;
  }
}

class SubscriptionEnded extends Error {
  constructor() {
    super('the server ended the subscription');
  }
}

/** Connection-level trouble is worth a retry; anything else (an undecodable event, say) would recur. */
const isTransient = (error: unknown): boolean =>
  error instanceof SubscriptionEnded || (error instanceof Error && isCommandError(error));
