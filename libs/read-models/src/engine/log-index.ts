import {
  ACCOUNT_STREAM_PREFIX,
  CLOCK_STREAM_PREFIX,
  LINE_STREAM_PREFIX,
  accountIdOf,
  lineKeyOf,
  splitLineKey,
} from '#events';
import {
  ReaderStoreCheck,
  whyStartOver,
  type EventStore,
  type EventSubscription,
  type ReaderPosition,
  type SubscriptionItem,
} from '#eventstore';
import type { RecordSource } from './projector.js';
import { CHECKPOINT_EVERY } from './read-models.js';
import { parseInstant } from './replay.js';

/** What the log was at a position, as a replay from the first event up to it would report it. */
export interface LogPoint {
  /** The position such a replay reports: the last item it took (undefined: none). */
  readonly position: bigint | undefined;
  readonly lastSimulatedTime: string | undefined;
  readonly maxSimulatedTime: string | undefined;
}

const INITIAL_CAPACITY = 1 << 16;

/** How many of the first `length` entries of `values`, which ascend, are at most `bound`. */
const countAtMost = (values: Float64Array, length: number, bound: number): number => {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[mid]! <= bound) low = mid + 1;
    else high = mid;
  }
  return low;
};

/** A growable list of doubles (positions, times): 8 bytes an entry, plus the doubling's slack. */
class Doubles {
  values: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }
  push(value: number): void {
    if (this.length === this.values.length) {
      const larger = new Float64Array(this.values.length * 2);
      larger.set(this.values);
      this.values = larger;
    }
    this.values[this.length++] = value;
  }
  /** How many entries are at most `bound` (the entries ascend). */
  countAtMost(bound: number): number {
    return countAtMost(this.values, this.length, bound);
  }
}

/** One stream's records: their positions, and whether their revisions run 0, 1, 2… without a gap. */
interface StreamEntry {
  readonly positions: Doubles;
  contiguous: boolean;
}

/**
 * Everything scoped time travel needs to know about the projected log as a whole, without any of
 * its read models: for each event (or foreign record) its `$all` position, its simulated time and
 * the latest simulated time up to it; and which streams each account owns.
 *
 * Why: an as-of query about one account only needs that account's rows, and those come from its
 * own streams (its account stream, its line streams) and the clock streams, so they can be folded
 * from those streams alone (see TimeMachine.scoped). Two things are about the whole log, though:
 * where "as of simulated time T" stops (a replay stops at the first event later than T, whichever
 * account it belongs to) and the position and times the answer reports. This index answers both by
 * binary search.
 *
 * It also keeps each stream's positions, so that a scoped fold reads a stream only up to the point
 * (the revision of its last record at or before it) instead of to its end.
 *
 * Memory: four numbers per record (32 bytes; the arrays grow by doubling, so at most 64), about
 * 32-64 MB per million events, plus one stream name per stream. Positions are kept as doubles: a
 * `$all` position is a byte offset, exact far beyond any log this runs on (2^53 bytes).
 */
export class LogIndex {
  private positions = new Float64Array(INITIAL_CAPACITY);
  /** Simulated time of each record in ms (NaN: a foreign record, which has none). */
  private times = new Float64Array(INITIAL_CAPACITY);
  /** The latest simulated time up to and including each record (-Infinity: none yet). */
  private maxTimes = new Float64Array(INITIAL_CAPACITY);
  /** Simulated times written otherwise than `toISOString` writes them, by record index: kept verbatim. */
  private readonly unusualTimes = new Map<number, string>();
  private length = 0;
  private readonly accountStreams = new Map<string, Set<string>>();
  private readonly streams = new Map<string, StreamEntry>();
  private readonly clockStreams = new Set<string>();
  /** Whether the store still holds what it read, before each subscription; remembers repairs it started over after. */
  private readonly storeCheck = new ReaderStoreCheck();
  /** Everything up to here has been indexed (the server's checkpoints move it past other streams). */
  position: bigint | undefined;
  /** The record indexed last: following the log again starts right after it, once it is found in the store. */
  private lastRecord: ReaderPosition | undefined;
  /** Whether the index has once reached the head: before, it knows only a prefix of the log. */
  caughtUp = false;
  private subscription: EventSubscription | undefined;
  private following: Promise<void> | undefined;
  private stopped = false;
  /** Fed by the projector's subscription (see follow), not by its own. */
  private riding = false;
  /** The last position the projector's subscription has delivered, while the index follows on its own. */
  private offeredUpTo: bigint | undefined;
  /** The projector's subscription has reached the head: what it delivers from now on is live. */
  private projectorLive = false;
  private dismount: (() => void) | undefined;

  /** Whether it is fed by the projector's subscription (see follow) rather than by one of its own. */
  get ridesProjector(): boolean {
    return this.riding;
  }

  get records(): number {
    return this.length;
  }

  get bytes(): number {
    let streams = 0;
    for (const { positions } of this.streams.values()) streams += positions.values.byteLength;
    return this.positions.byteLength + this.times.byteLength + this.maxTimes.byteLength + streams;
  }

  /**
   * How many records of `stream` to read from its first revision to have all those at or before
   * `untilPosition` (undefined: all of them); undefined too when its revisions have a gap (a
   * truncated stream), which is then read to its end.
   */
  readCountOf(stream: string, untilPosition: bigint | undefined): number | undefined {
    const entry = this.streams.get(stream);
    if (!entry) return 0;
    if (!entry.contiguous || untilPosition === undefined) return undefined;
    return entry.positions.countAtMost(Number(untilPosition));
  }

  /**
   * Indexes the log from the first event and goes on following it, with the projector's stream
   * filter; a failed subscription is resumed from where it stopped.
   *
   * Given the live projector, the index rides its subscription once both have reached the head and it
   * holds all that the projector's has delivered, and closes its own: two subscriptions to the same
   * records in one process had the store send, and the client decode, every event twice (bench:e2e: see
   * docs/capacity.md). The index follows on its own again when the projector's subscription ends for
   * good (stopped or failed).
   */
  follow(
    store: EventStore,
    streamPrefixes: readonly string[],
    log: (line: string) => void,
    projector?: RecordSource,
  ): void {
    this.following = this.followOnItsOwn(store, streamPrefixes, log);
    this.dismount?.();
    this.dismount = projector?.carry({
      ride: (item) => {
        if (this.riding) this.take(item);
        else if (item.kind === 'caughtUp') this.projectorLive = true;
        else if (item.kind === 'checkpoint') this.offeredUpTo = item.position;
        else if (item.kind === 'event' || item.kind === 'foreign') {
          const position = item.kind === 'event' ? item.stored.position : item.foreign.position;
          if (position !== undefined) this.offeredUpTo = position;
        }
      },
      ended: () => {
        // Nothing more comes from it: follow on our own from where the index got to.
        this.dismount = undefined;
        this.leaveProjector(store, streamPrefixes, log);
      },
      // The projector may rebuild from the first record after a repair, and would deliver again what
      // the index skips by position: the index checks the store for itself, on its own subscription,
      // and rides again once both are live.
      interrupted: () => this.leaveProjector(store, streamPrefixes, log),
    });
  }

  private leaveProjector(
    store: EventStore,
    streamPrefixes: readonly string[],
    log: (line: string) => void,
  ): void {
    this.offeredUpTo = undefined;
    this.projectorLive = false;
    if (!this.riding || this.stopped) return;
    this.riding = false;
    this.following = this.followOnItsOwn(store, streamPrefixes, log);
  }

  private async followOnItsOwn(
    store: EventStore,
    streamPrefixes: readonly string[],
    log: (line: string) => void,
  ): Promise<void> {
    // Its own flag, not `riding`: the projector may drop the index off again while this closes.
    let rodeOff = false;
    while (!this.stopped && !rodeOff) {
      let subscription: EventSubscription | undefined;
      try {
        // An empty index has nothing the store could have cut: it subscribes at once, without a read.
        if (this.lastRecord !== undefined) await this.checkAgainstStore(store, this.lastRecord, log);
        if (this.stopped) break;
        subscription = store.subscribeToAll({
          // Right after the last record, not from `position`: the records checkpoints moved it over
          // may have been cut too, with followed records written in their place.
          ...(this.lastRecord === undefined ? {} : { fromPosition: this.lastRecord.position }),
          streamPrefixes,
          checkpointEvery: CHECKPOINT_EVERY,
        });
        this.subscription = subscription;
        for await (const item of subscription) {
          this.take(item);
          if (this.mayRide()) {
            // Before the close below awaits: what the projector delivers meanwhile is indexed.
            this.riding = true;
            rodeOff = true;
            break;
          }
        }
      } catch (error) {
        if (this.stopped) break;
        log(`time travel: the log index's subscription failed (${String(error)}); resuming`);
        await new Promise((resume) => setTimeout(resume, 1_000));
      } finally {
        await subscription?.close();
        if (this.subscription === subscription) this.subscription = undefined;
      }
    }
  }

  /**
   * Before every subscription of its own, the index must still be a prefix of the store's log (see
   * checkReaderAgainstStore): after a repair cut records it holds, as-of answers would stop at
   * positions the store no longer has, and the records written in their place would be skipped as
   * delivered again; after a repair dropped records before its last one (see checkReaderAgainstStore),
   * it would keep them. Otherwise it starts over from the first record.
   */
  private async checkAgainstStore(
    store: EventStore,
    last: ReaderPosition,
    log: (line: string) => void,
  ): Promise<void> {
    const check = await this.storeCheck.check(store, last);
    if (check.kind === 'kept') return;
    log(
      `time travel: the log index was discarded (${whyStartOver(last, check)}); indexing again from the ` +
        'first record',
    );
    this.clear();
  }

  private clear(): void {
    this.positions = new Float64Array(INITIAL_CAPACITY);
    this.times = new Float64Array(INITIAL_CAPACITY);
    this.maxTimes = new Float64Array(INITIAL_CAPACITY);
    this.unusualTimes.clear();
    this.length = 0;
    this.accountStreams.clear();
    this.streams.clear();
    this.clockStreams.clear();
    this.position = undefined;
    this.lastRecord = undefined;
    this.caughtUp = false;
  }

  /**
   * Whether the index may leave its own subscription for the projector's: both are live, and the index
   * has indexed at least as far as the projector's subscription has delivered. From then on every
   * record the projector's brings is either indexed already (skipped by position) or the next one: no
   * record is missed. Both live, because a projector still catching up (a rebuild, say) would hold
   * the index back with it: on its own the index reaches the head first, and time travel needs that.
   */
  private mayRide(): boolean {
    return (
      this.caughtUp &&
      this.projectorLive &&
      this.offeredUpTo !== undefined &&
      this.position !== undefined &&
      this.position >= this.offeredUpTo
    );
  }

  private take(item: SubscriptionItem): void {
    if (item.kind === 'caughtUp') this.caughtUp = true;
    else if (item.kind === 'checkpoint') this.advanceTo(item.position);
    else if (item.kind === 'foreign')
      this.add(item.foreign.id, item.foreign.position, item.foreign.stream, item.foreign.revision, undefined);
    else
      this.add(
        item.stored.id,
        item.stored.position,
        item.stored.stream,
        item.stored.revision,
        item.stored.metadata.simulatedTime,
      );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.dismount?.();
    this.dismount = undefined;
    await this.subscription?.close();
    await this.following;
  }

  /** Indexes one record of the log (in log order); one delivered again after a resume is ignored. */
  add(
    id: string,
    position: bigint | undefined,
    stream: string,
    revision: bigint,
    simulatedTime: string | undefined,
  ): void {
    if (position === undefined) return;
    if (this.length > 0 && Number(position) <= this.positions[this.length - 1]!) return;
    if (this.length === this.positions.length) this.grow();
    const i = this.length++;
    const time = simulatedTime === undefined ? NaN : parseInstant(simulatedTime);
    if (simulatedTime !== undefined && new Date(time).toISOString() !== simulatedTime)
      this.unusualTimes.set(i, simulatedTime);
    this.positions[i] = Number(position);
    this.times[i] = time;
    const before = i === 0 ? -Infinity : this.maxTimes[i - 1]!;
    this.maxTimes[i] = Number.isNaN(time) ? before : Math.max(before, time);
    this.advanceTo(position);
    this.lastRecord = { id, position };
    const entry =
      this.streams.get(stream) ??
      this.streams.set(stream, { positions: new Doubles(4), contiguous: true }).get(stream)!;
    if (revision !== BigInt(entry.positions.length)) entry.contiguous = false;
    entry.positions.push(Number(position));
    if (stream.startsWith(CLOCK_STREAM_PREFIX)) {
      this.clockStreams.add(stream);
      return;
    }
    // Keyed as the projections key them (accountIdOf, lineKeyOf): whatever a stream's name.
    const account = stream.startsWith(LINE_STREAM_PREFIX)
      ? splitLineKey(lineKeyOf(stream)).accountId
      : stream.startsWith(ACCOUNT_STREAM_PREFIX)
        ? accountIdOf(stream)
        : undefined;
    if (account === undefined) return;
    const streams =
      this.accountStreams.get(account) ?? this.accountStreams.set(account, new Set()).get(account)!;
    streams.add(stream);
  }

  advanceTo(position: bigint): void {
    if (this.position === undefined || position > this.position) this.position = position;
  }

  /** How many records of `stream` are indexed. */
  recordsOf(stream: string): number {
    return this.streams.get(stream)?.positions.length ?? 0;
  }

  /** How many indexed records of `stream` are at or before `position`, whatever their revisions. */
  recordsUntil(stream: string, position: bigint): number {
    return this.streams.get(stream)?.positions.countAtMost(Number(position)) ?? 0;
  }

  /** The accounts whose streams have been seen so far. */
  get accounts(): Iterable<string> {
    return this.accountStreams.keys();
  }

  /** The streams of an account (its own, its lines') seen so far. */
  streamsOf(accountId: string): ReadonlySet<string> {
    return this.accountStreams.get(accountId) ?? new Set();
  }

  get clocks(): ReadonlySet<string> {
    return this.clockStreams;
  }

  /**
   * The last position a replay "as of simulated time T" takes in: just before the first event later
   * than T (the replay stops there, see replay), or undefined when no indexed event is later.
   */
  untilPositionOfTime(instant: string): bigint | undefined {
    const at = parseInstant(instant);
    // The first record whose running maximum passes T is the first event later than T.
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.maxTimes[mid]! > at) high = mid;
      else low = mid + 1;
    }
    return low === this.length ? undefined : BigInt(this.positions[low]!) - 1n;
  }

  /** The log as of `untilPosition`: the last record at or before it, and the simulated times then. */
  pointAt(untilPosition: bigint): LogPoint {
    const last = countAtMost(this.positions, this.length, Number(untilPosition)) - 1;
    if (last < 0) return { position: undefined, lastSimulatedTime: undefined, maxSimulatedTime: undefined };
    let timed = last;
    while (timed >= 0 && Number.isNaN(this.times[timed]!)) timed--;
    return {
      position: BigInt(this.positions[last]!),
      lastSimulatedTime: timed < 0 ? undefined : this.timeOf(timed),
      maxSimulatedTime: timed < 0 ? undefined : this.timeOf(this.firstReaching(last)),
    };
  }

  /** The record that set the running maximum that holds at `index` (binary search: it never falls). */
  private firstReaching(index: number): number {
    const max = this.maxTimes[index]!;
    let low = 0;
    let high = index;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.maxTimes[mid]! >= max) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  private timeOf(index: number): string {
    return this.unusualTimes.get(index) ?? new Date(this.times[index]!).toISOString();
  }

  private grow(): void {
    const larger = (old: Float64Array) => {
      const next = new Float64Array(old.length * 2);
      next.set(old);
      return next;
    };
    this.positions = larger(this.positions);
    this.times = larger(this.times);
    this.maxTimes = larger(this.maxTimes);
  }
}
