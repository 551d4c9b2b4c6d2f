import { isCommandError } from '@eventstore/db-client';
import type { EventStore, EventSubscription, StoredEvent } from '#eventstore';
import { ProjectionFailure, type Projection } from './projection.js';
import { ReadModels } from './read-models.js';
import { readSnapshot, removeSnapshot, writeSnapshot } from './snapshot-file.js';

export type ProjectorStatus = 'starting' | 'catchingUp' | 'live' | 'reconnecting' | 'failed' | 'stopped';

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
  readonly log?: (line: string) => void;
  /** Where a stop on an event that cannot be applied is reported (stderr by default). */
  readonly alarm?: (line: string) => void;
}

export interface Lag {
  readonly headPosition: string;
  readonly position: string | null;
  /** Projected events in `$all` after the read models' position (at most `LAG_COUNT_CAP`). */
  readonly events: number;
  readonly eventsCapped: boolean;
  /** How long the oldest event not yet applied has been in the store (0 when caught up). */
  readonly ms: number;
}

/** Counting lag reads the events not yet applied; beyond this many the count says "at least". */
const LAG_COUNT_CAP = 10_000;

/**
 * The live projector: a catch-up subscription to `$all` (server-side prefix filter), consumed with
 * `for await` so events are applied strictly in log order, with the read models and their position
 * snapshotted together (see snapshot-file.ts) every N events, every T ms, and on stop.
 *
 * An event a projection cannot apply stops it for good: the status turns `failed`, the failure names
 * the position and type, nothing more is applied and no snapshot is written (the state may be half
 * applied). Connection trouble is different: the subscription is reopened from the last position.
 */
export class Projector {
  status: ProjectorStatus = 'starting';
  failure: ProjectionFailure | Error | undefined;
  /** Why the last connection attempt failed, while reconnecting. */
  connectionError: string | undefined;
  readModels: ReadModels;
  private subscription: EventSubscription | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private snapshotWrite: Promise<void> | undefined;
  private eventsSinceSnapshot = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(change: ReadModelChange) => void>();
  private readonly waiters = new Set<{ position: bigint; resolve: () => void }>();
  private readonly snapshotEveryEvents: number;
  private readonly snapshotEveryMs: number;
  private readonly log: (line: string) => void;
  private readonly alarm: (line: string) => void;

  readonly streamPrefixes: readonly string[];

  constructor(
    private readonly store: EventStore,
    readonly projections: readonly Projection[],
    private readonly options: ProjectorOptions,
  ) {
    this.streamPrefixes = options.streamPrefixes;
    this.readModels = new ReadModels(projections);
    this.snapshotEveryEvents = options.snapshotEveryEvents ?? 50_000;
    this.snapshotEveryMs = options.snapshotEveryMs ?? 5_000;
    this.log = options.log ?? ((line) => console.log(line));
    this.alarm = options.alarm ?? ((line) => console.error(line));
  }

  /** Loads the snapshot (if any) and starts following `$all` in the background. */
  async start(): Promise<void> {
    const { dataDir } = this.options;
    if (dataDir && this.options.rebuild) {
      await removeSnapshot(dataDir);
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
    this.status = 'catchingUp';
    this.loop = this.follow();
    if (dataDir) {
      this.timer = setInterval(() => void this.snapshotIfDirty(), this.snapshotEveryMs);
      this.timer.unref();
    }
  }

  /** Stops following and writes a final snapshot (unless a failure made the state untrustworthy). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.subscription?.close();
    await this.loop;
    await this.snapshotIfDirty();
    if (this.status !== 'failed') this.status = 'stopped';
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
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
    const head = await this.headPosition();
    const position = this.readModels.position;
    const base = { headPosition: String(head), position: position === undefined ? null : String(position) };
    if (position !== undefined && position >= head) return { ...base, events: 0, eventsCapped: false, ms: 0 };
    let events = 0;
    let oldest: Date | undefined;
    let read = 0;
    for await (const resolved of this.store.client.readAll({
      fromPosition: position === undefined ? 'start' : { commit: position, prepare: position },
      maxCount: LAG_COUNT_CAP,
    })) {
      read++;
      const recorded = resolved.event;
      if (!recorded || recorded.type.startsWith('$')) continue;
      if (position !== undefined && (recorded.position?.commit ?? 0n) <= position) continue;
      if (!this.options.streamPrefixes.some((prefix) => recorded.streamId.startsWith(prefix))) continue;
      events++;
      oldest ??= recorded.created;
    }
    return {
      ...base,
      events,
      eventsCapped: read >= LAG_COUNT_CAP,
      ms: oldest ? Math.max(0, Date.now() - oldest.getTime()) : 0,
    };
  }

  /**
   * Like EventStore.headPosition, but drains the one-event read instead of returning from inside the
   * loop: leaving the read early left its gRPC call open, and the client then never finished disposing.
   */
  private async headPosition(): Promise<bigint> {
    let head = 0n;
    for await (const resolved of this.store.client.readAll({
      direction: 'backwards',
      fromPosition: 'end',
      maxCount: 1,
    })) {
      head = resolved.event?.position?.commit ?? resolved.commitPosition ?? head;
    }
    return head;
  }

  private async follow(): Promise<void> {
    let backoffMs = 250;
    while (!this.stopping) {
      try {
        this.subscription = this.store.subscribeToAll({
          fromPosition: this.readModels.position,
          streamPrefixes: this.options.streamPrefixes,
        });
        for await (const item of this.subscription) {
          if (this.snapshotWrite) await this.snapshotWrite;
          if (item.kind === 'event') {
            this.apply(item.stored);
            if (this.eventsSinceSnapshot >= this.snapshotEveryEvents) await this.snapshotIfDirty();
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
        this.connectionError = error instanceof Error ? error.message : String(error);
        this.log(`projector: subscription lost (${this.connectionError}); reopening in ${backoffMs} ms`);
        await new Promise((resume) => setTimeout(resume, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5_000);
      }
    }
  }

  private apply(stored: StoredEvent): void {
    this.readModels.apply(stored);
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
  }

  private async snapshotIfDirty(): Promise<void> {
    const { dataDir } = this.options;
    if (!dataDir || this.status === 'failed' || this.snapshotWrite) return;
    if (this.eventsSinceSnapshot === 0) return;
    this.eventsSinceSnapshot = 0;
    this.snapshotWrite = writeSnapshot(dataDir, this.readModels)
      .catch((error: unknown) => {
        // A failed write leaves the previous snapshot intact; the next interval tries again.
        this.eventsSinceSnapshot++;
        this.log(
          `projector: snapshot not written (${error instanceof Error ? error.message : String(error)})`,
        );
      })
      .finally(() => (this.snapshotWrite = undefined));
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
