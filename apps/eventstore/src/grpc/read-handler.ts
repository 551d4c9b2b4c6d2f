import { randomUUID } from 'node:crypto';

import { status, type ServerWritableStream } from '@grpc/grpc-js';

import {
  StreamDeletedError,
  InvalidNameError,
  decodeRecord,
  type LogStore,
  type LogRecord,
} from '../storage/index.js';
import { batchWrites } from './batch-writes.js';
import { DotNetRegexError, translateDotNetRegex } from './dotnet-regex.js';
import { encodeReadEvent, encodeResolvedLink, type UuidForm } from './encode-event.js';
import { invalidArgument, serviceError, toServiceError } from './errors.js';
import { LIVE_BUFFER, LiveBuffer } from './live-buffer.js';
import { ReadReq, type ReadReqMessage } from './protocol.js';
import { LONG_MAX, WIRE_END, outOfRange } from './revisions.js';
import {
  encodeCaughtUp,
  encodeCheckpoint,
  encodeStreamNotFound,
  encodeSubscriptionConfirmation,
} from './streams-codec.js';
import { streamNameOf } from './write-handlers.js';

type ReadOptions = NonNullable<ReturnType<ReadReqMessage['getOptions']>>;
type StreamReadOptions = NonNullable<ReturnType<ReadOptions['getStream']>>;
type AllReadOptions = NonNullable<ReturnType<ReadOptions['getAll']>>;
type AllPosition = NonNullable<ReturnType<AllReadOptions['getPosition']>>;
/** Responses are encoded ReadResp messages. */
type ReadCall = ServerWritableStream<ReadReqMessage, Buffer>;

/**
 * Records per storage load. A reader waits for 'drain' (everything it queued has gone out), and the
 * HTTP/2 stream then has nothing to send until the next batch is loaded and encoded; the client,
 * with a 64 KiB receive window, runs dry in that gap. With 512 records a load took 0.5-0.7 ms and
 * a `$all` read reached 60-64k events/s; with 128 the gap is about a quarter of that and it reached
 * 68-73k, the canned server's 71-77k on the same client (bench:store (c), quiet machine).
 */
const BATCH = 128;
/**
 * Record bytes per storage load, whatever BATCH allows (one record always goes). With events near
 * the 1 MiB append limit, 128 of them loaded, encoded and framed at once held ~320 MiB per reader,
 * and a few readers that stopped consuming ran the server out of memory. Small events never reach it:
 * 128 of bench:store's take ~60 KiB.
 */
const BATCH_BYTES = 1024 * 1024;
/** Index entries a filtered scan looks at before yielding to the event loop. */
const SCAN_LIMIT = 8192;
/**
 * Messages queued in gRPC before a reader waits for 'drain': half a batch, so a full batch always
 * waits (memory stays bounded for a slow consumer) while the few messages of a sparse filtered scan
 * do not wait per handful.
 */
const HIGH_WATER = BATCH / 2;
/** Bytes queued in gRPC before a reader waits for them to go out: the same bound, for large messages. */
const HIGH_WATER_BYTES = BATCH_BYTES;
const DEFAULT_SEARCH_WINDOW = 32;

/** The response side of one Read call: backpressure, cancellation and a single terminal status. */
export class Responses {
  private finished = false;
  private wake: (() => void) | undefined;
  /** Bytes written to gRPC and not yet sent on (HTTP/2 completes a write once it is out). */
  private queuedBytes = 0;
  private belowHighWaterBytes: (() => void) | undefined;

  constructor(private readonly call: ReadCall) {
    call.on('cancelled', () => {
      this.finished = true;
      this.wakeUp();
    });
    batchWrites(call);
  }

  get open(): boolean {
    return !this.finished && !this.call.cancelled;
  }

  async send(message: Buffer): Promise<void> {
    await this.sendAll([message]);
  }

  /**
   * Queues the messages together (corked, so they reach `_writev` as one batch and leave in one
   * socket write), then waits for 'drain' if gRPC holds more than HIGH_WATER of them, or until it
   * holds less than HIGH_WATER_BYTES if it holds more bytes than that.
   */
  async sendAll(messages: readonly Buffer[]): Promise<void> {
    if (!this.open || messages.length === 0) return;
    let bytes = 0;
    for (const message of messages) bytes += message.length;
    this.queuedBytes += bytes;
    const last = messages.length - 1;
    this.call.cork();
    for (let index = 0; index < last; index += 1) this.call.write(messages[index]);
    // Writes complete in order, so the last one's completion accounts for the whole batch.
    this.call.write(messages[last], () => this.sentOn(bytes));
    this.call.uncork();
    if (this.call.writableLength >= HIGH_WATER) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.call.once('drain', () => this.wakeUp());
      });
    } else if (this.queuedBytes >= HIGH_WATER_BYTES) {
      // 'drain' would not come: a few large messages stay under the stream's object high-water mark.
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.belowHighWaterBytes = () => this.wakeUp();
      });
    }
  }

  private sentOn(bytes: number): void {
    this.queuedBytes -= bytes;
    if (this.queuedBytes >= HIGH_WATER_BYTES) return;
    const resume = this.belowHighWaterBytes;
    this.belowHighWaterBytes = undefined;
    resume?.();
  }

  /** Waits until `notify` (a commit) or the end of the call, whichever comes first. */
  async idle(register: (notify: () => void) => () => void): Promise<void> {
    if (!this.open) return;
    let unregister: () => void = () => undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      unregister = register(() => this.wakeUp());
    });
    unregister();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.call.end();
  }

  fail(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.wakeUp();
    this.call.emit('error', toServiceError(error));
  }

  /** Server shutdown: live subscriptions are dropped with UNAVAILABLE, as a stopping EventStoreDB does. */
  drop(): void {
    if (this.finished) return;
    this.finished = true;
    this.wakeUp();
    this.call.emit('error', serviceError(status.UNAVAILABLE, 'Server is shutting down.'));
  }
}

/** The seqs of one storage load: at most `limit` records and BATCH_BYTES of them, at least one. */
class LoadBatch {
  readonly seqs: number[] = [];
  private bytes = 0;

  constructor(
    private readonly store: LogStore,
    private readonly limit = BATCH,
  ) {}

  get full(): boolean {
    return this.seqs.length >= this.limit || this.bytes >= BATCH_BYTES;
  }

  add(seq: number): void {
    this.seqs.push(seq);
    this.bytes += this.store.lengthOf(seq);
  }
}

interface Filter {
  readonly matches: (store: LogStore, seq: number) => boolean;
  readonly checkpointInterval: number;
}

function filterOf(options: ReadOptions): Filter | undefined {
  const filter = options.getFilter();
  if (!options.hasFilter() || !filter) return undefined;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  const regex = expression?.getRegex() ? filterRegex(expression.getRegex()) : undefined;
  // Without a regex EventStoreDB lets through what starts with one of the prefixes: with none, nothing.
  const prefixes = expression?.getPrefixList() ?? [];
  const verdicts = new Map<string, boolean>();
  const test = (name: string): boolean => {
    let verdict = verdicts.get(name);
    if (verdict === undefined) {
      verdict = regex ? regex.test(name) : prefixes.some((prefix) => name.startsWith(prefix));
      verdicts.set(name, verdict);
    }
    return verdict;
  };
  const window = filter.hasMax() ? filter.getMax() : DEFAULT_SEARCH_WINDOW;
  return {
    matches: onStream
      ? (store, seq) => test(store.streamNameOf(seq))
      : (store, seq) => test(store.typeOf(seq)),
    checkpointInterval: Math.max(1, window * Math.max(1, filter.getCheckpointintervalmultiplier())),
  };
}

/**
 * The filter's pattern read as .NET reads it (dotnet-regex.ts): one this server would match
 * differently from EventStoreDB is refused, naming the construct, as is one that does not compile.
 */
function filterRegex(source: string): RegExp {
  try {
    return new RegExp(translateDotNetRegex(source));
  } catch (error) {
    if (error instanceof DotNetRegexError) {
      throw invalidArgument(
        `The filter's regular expression ${JSON.stringify(source)} uses ${error.construct}: refused, as this server cannot match it as EventStoreDB's .NET Regex does.`,
      );
    }
    throw invalidArgument(
      `The filter's regular expression ${JSON.stringify(source)} does not compile: ${(error as Error).message}`,
    );
  }
}

const isTooOld = (event: LogRecord, maxAgeSeconds: number | undefined, now: number): boolean =>
  maxAgeSeconds !== undefined && now - decodeRecord(event.buffer, 0).created > maxAgeSeconds * 1000;

/** `Streams.Read`: stream and `$all` reads and catch-up subscriptions. */
export function readHandler(store: LogStore, active: Set<Responses>) {
  return (call: ReadCall): void => {
    const options = call.request.getOptions();
    const out = new Responses(call);
    if (!options) return out.fail(serviceError(status.INVALID_ARGUMENT, 'read options are required'));
    active.add(out);
    read(store, options, out)
      .then(
        () => out.end(),
        (error: unknown) => out.fail(error),
      )
      .finally(() => active.delete(out));
  };
}

/** Everything after the options are there, so that whatever it refuses ends the call and its entry. */
async function read(store: LogStore, options: ReadOptions, out: Responses): Promise<void> {
  const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  const filter = filterOf(options);
  const subscription = options.hasSubscription();
  // EventStoreDB sends ids as text only when asked to (`uuid_option.string`), structured otherwise.
  const uuid: UuidForm = options.getUuidOption()?.hasString() ? 'string' : 'structured';
  const send = options.getResolveLinks() ? resolvingLinks(store, uuid) : asStored(uuid);
  if (options.hasAll()) {
    return subscription
      ? subscribeAll(store, options, filter, send, out)
      : readAll(store, options, backwards, filter, send, out);
  }
  return subscription
    ? subscribeStream(store, options, send, out)
    : readStream(store, options, backwards, send, out);
}

/** How a read sends its events: as stored, or with `$>` links resolved (`resolve_links`). */
type Sender = (out: Responses, events: readonly LogRecord[]) => Promise<void>;

const asStored =
  (uuid: UuidForm): Sender =>
  async (out, events) => {
    await out.sendAll(events.map((event) => encodeReadEvent(event, uuid)));
  };

const LINK_EVENT_TYPE = '$>';
/** A link's data: `<revision>@<stream>`, the revision as EventStoreDB parses a long. */
const LINK_DATA = /^\s*([+-]?\d+)\s*@([\s\S]*)$/;

/**
 * Resolves `$>` links as EventStoreDB does: a link whose data names an event a reader of the target
 * stream may see is sent with that event in `event` and itself in `link`; one whose target is gone
 * (stream deleted or tombstoned, revision truncated by `$tb` / `$maxCount`, older than `$maxAge`, never
 * written) is sent as the link alone; one whose data is not `<revision>@<stream>` is sent as a plain
 * event. The targets are loaded together, up to BATCH_BYTES of them at a time.
 */
function resolvingLinks(store: LogStore, uuid: UuidForm): Sender {
  return async (out, events) => {
    let slice: LogRecord[] = [];
    let targets = new Map<LogRecord, LinkTarget | undefined>();
    let bytes = 0;
    for (const event of events) {
      const match =
        store.typeOf(event.seq) === LINK_EVENT_TYPE &&
        LINK_DATA.exec(Buffer.from(decodeRecord(event.buffer, 0).data).toString('utf8'));
      if (match) {
        const target = linkTarget(store, match[2]!, Number(match[1]));
        const length = target ? store.lengthOf(target.seq) : 0;
        if (bytes > 0 && bytes + length > BATCH_BYTES) {
          await sendResolved(store, out, slice, targets, uuid);
          slice = [];
          targets = new Map();
          bytes = 0;
        }
        targets.set(event, target);
        bytes += length;
      }
      slice.push(event);
    }
    await sendResolved(store, out, slice, targets, uuid);
  };
}

/** Sends `events`, each link among them (a key of `targets`) with the event it points to, if visible. */
async function sendResolved(
  store: LogStore,
  out: Responses,
  events: readonly LogRecord[],
  targets: ReadonlyMap<LogRecord, LinkTarget | undefined>,
  uuid: UuidForm,
): Promise<void> {
  if (targets.size === 0) return asStored(uuid)(out, events);
  const seqs = [...targets.values()].flatMap((target) => (target ? [target.seq] : []));
  const loaded = new Map((await store.load(seqs)).map((target) => [target.seq, target]));
  const now = Date.now();
  await out.sendAll(
    events.map((event) => {
      if (!targets.has(event)) return encodeReadEvent(event, uuid);
      const target = targets.get(event);
      const stored = target && loaded.get(target.seq);
      const visible = stored && !isTooOld(stored, target.maxAgeSeconds, now);
      return encodeResolvedLink(event, visible ? stored : undefined, uuid);
    }),
  );
}

interface LinkTarget {
  readonly seq: number;
  readonly maxAgeSeconds: number | undefined;
}

/** The event a link points to, if a reader of that stream may see it (`$maxAge` is checked on load). */
function linkTarget(store: LogStore, stream: string, revision: number): LinkTarget | undefined {
  const view = store.streamView(stream);
  if (view.kind !== 'found') return undefined;
  // EventStoreDB reads event number -1 as the stream's last event.
  const wanted = revision === -1 ? view.last : revision;
  if (!Number.isSafeInteger(wanted) || wanted < view.first || wanted > view.last) return undefined;
  const seq = store.seqOf(stream, wanted);
  return seq === undefined ? undefined : { seq, maxAgeSeconds: view.maxAgeSeconds };
}

/**
 * A revision or a commit position as the request gives it (a uint64 in decimal): `'end'` for
 * WIRE_END, else its number. Beyond 2^53 the number rounds, but such a value lies beyond any stream
 * or log this store holds, which is all that is asked of it.
 */
function fromWire(text: string, what: 'revision' | 'position'): number | 'end' {
  const value = BigInt(text);
  if (value === WIRE_END) return 'end';
  if (value > LONG_MAX) throw outOfRange(what, value, 'the end');
  return Number(value);
}

/**
 * Where a read or subscription of one stream starts, as its options name it: at the end (`end`, or a
 * revision of 2^64 - 1, which EventStoreDB reads as the end), else at `revision` if one is given.
 */
function streamStartOf(options: StreamReadOptions): { fromEnd: boolean; revision: number | undefined } {
  const given = options.hasRevision() ? fromWire(options.getRevision(), 'revision') : undefined;
  return { fromEnd: options.hasEnd() || given === 'end', revision: given === 'end' ? undefined : given };
}

/**
 * The same for a read or subscription of `$all`, by commit position, refused where EventStoreDB refuses
 * it (allPositionOf). `beforeEvent`: the prepare position given is below the commit position, so the
 * start lies just before the record at that commit position, not at it.
 */
function allStartOf(
  store: LogStore,
  options: AllReadOptions,
  { backwards, subscription }: { backwards: boolean; subscription: boolean },
): { fromEnd: boolean; position: number | undefined; beforeEvent: boolean } {
  const given = options.hasPosition()
    ? allPositionOf(store, options.getPosition()!, backwards, subscription)
    : undefined;
  return given === 'end' || given === undefined
    ? { fromEnd: options.hasEnd() || given === 'end', position: undefined, beforeEvent: false }
    : { fromEnd: false, position: given.commit, beforeEvent: given.beforeEvent };
}

/** EventStoreDB refuses an empty stream name on every stream operation (`Ensure.NotNullOrEmpty`). */
function refuseEmpty(stream: string): void {
  if (stream === '') throw new InvalidNameError('the stream name is empty');
}

async function readStream(
  store: LogStore,
  options: ReadOptions,
  backwards: boolean,
  send: Sender,
  out: Responses,
) {
  const streamOptions = options.getStream()!;
  const name = streamNameOf(streamOptions);
  refuseEmpty(name);
  let remaining = Number(options.getCount());
  // EventStoreDB's index reader refuses a count of 0 before it looks at the stream
  // (`Ensure.Positive(maxCount)` in IndexReader.ReadStreamEventsForward/Backward); its storage reader
  // answers ReadStreamResult.Error, which the gRPC read turns into UNKNOWN with these words.
  if (remaining === 0) throw serviceError(status.UNKNOWN, 'Unexpected ReadStreamResult: Error');
  const view = store.streamView(name);
  if (view.kind === 'tombstoned') throw new StreamDeletedError(name);
  if (view.kind === 'missing') {
    await out.send(encodeStreamNotFound(name));
    return;
  }
  const { fromEnd, revision: from } = streamStartOf(streamOptions);
  let revision = backwards
    ? Math.min(streamOptions.hasStart() ? 0 : (from ?? view.last), view.last)
    : Math.max(fromEnd ? view.last + 1 : (from ?? 0), view.first);
  const step = backwards ? -1 : 1;
  while (remaining > 0 && out.open && revision >= view.first && revision <= view.last) {
    const batch = new LoadBatch(store, Math.min(BATCH, remaining));
    while (!batch.full && revision >= view.first && revision <= view.last) {
      batch.add(store.seqOf(name, revision)!);
      revision += step;
    }
    const now = Date.now();
    const events = (await store.load(batch.seqs)).filter(
      (event) => !isTooOld(event, view.maxAgeSeconds, now),
    );
    await send(out, events);
    remaining -= events.length;
  }
}

/**
 * The position a `$all` read or subscription starts from, refused where EventStoreDB 24 refuses it
 * (docs/event-store.md, "Reading `$all` from a position that is not an event's"). Its `Position` refuses
 * a prepare position above the commit position. A commit position that is not a record's first byte,
 * nor 0 (the start), nor the log's end, makes its chunk reader parse a record where none begins, which
 * it answers INVALID_ARGUMENT "Trying to read from an invalid position."; past the end, a forward read
 * or subscription finds nothing, but a backward read fails its check against the writer checkpoint with
 * UNKNOWN "Unexpected ReadAllResult: Error". The client raises these as an UnknownError, as the read or
 * the subscription starts. A prepare position below the commit position is read as EventStoreDB's
 * reader reads it (it repositions by the commit position alone, and compares (commit, prepare) pairs):
 * a start just before the record at the commit position, the kind of position EventStoreDB itself
 * continues its own `$all` pages from (`AllReader`: `nextPos = new TFPos(postPosition, 0)`).
 */
function allPositionOf(
  store: LogStore,
  position: AllPosition,
  backwards: boolean,
  subscription: boolean,
): { commit: number; beforeEvent: boolean } | 'end' {
  const commit = fromWire(position.getCommitPosition(), 'position');
  const prepare = fromWire(position.getPreparePosition(), 'position');
  if (commit === 'end') return 'end';
  if (prepare === 'end' || prepare > commit)
    throw serviceError(
      status.INVALID_ARGUMENT,
      'The commit position cannot be less than the prepare position',
    );
  const beforeEvent = prepare < commit;
  const end = store.durableEnd;
  if (commit > end) {
    if (backwards && !subscription) throw serviceError(status.UNKNOWN, 'Unexpected ReadAllResult: Error');
    return { commit, beforeEvent };
  }
  if (commit !== 0 && commit !== end && !store.startsRecord(commit))
    throw serviceError(status.INVALID_ARGUMENT, 'Trying to read from an invalid position.');
  return { commit, beforeEvent };
}

/**
 * Where a backward read of `$all` from `position` starts: the last event that ends at or before it. An
 * event ending exactly there lies after a start just before the next record (`beforeEvent`), as
 * EventStoreDB compares an event's (end, end) with the start.
 */
function lastEventBefore(store: LogStore, position: number, beforeEvent: boolean): number {
  const seq = store.seqAtOrAfter(position) - 1;
  const endsThere = seq >= 0 && store.positionOf(seq) + store.lengthOf(seq) === position;
  return beforeEvent && endsThere ? seq - 1 : seq;
}

async function readAll(
  store: LogStore,
  options: ReadOptions,
  backwards: boolean,
  filter: Filter | undefined,
  send: Sender,
  out: Responses,
) {
  const all = options.getAll()!;
  const { fromEnd, position, beforeEvent } = allStartOf(store, all, { backwards, subscription: false });
  // Forward reads include the start position; backward reads exclude it (ESDB-PROTOCOL.md §3).
  const end = store.committedCount;
  let seq = backwards
    ? all.hasStart()
      ? -1
      : position === undefined
        ? end - 1
        : lastEventBefore(store, position, beforeEvent)
    : fromEnd
      ? end
      : position === undefined
        ? 0
        : store.seqAtOrAfter(position);
  let remaining = Number(options.getCount());
  const step = backwards ? -1 : 1;
  while (remaining > 0 && out.open && seq >= 0 && seq < end) {
    const batch = new LoadBatch(store, Math.min(BATCH, remaining));
    for (let scanned = 0; scanned < SCAN_LIMIT && !batch.full; scanned += 1) {
      if (seq < 0 || seq >= end) break;
      if (!filter || filter.matches(store, seq)) batch.add(seq);
      seq += step;
    }
    await send(out, await store.load(batch.seqs));
    remaining -= batch.seqs.length;
  }
}

// Both subscription loops check for new events and, finding none, register for the next commit in
// the same synchronous step (`Responses.idle`), so no commit can slip between the check and the wait:
// events appended during catch-up are read from the log in order like any other.
const commits = (store: LogStore) => (notify: () => void) => store.onCommit(notify);

async function subscribeStream(store: LogStore, options: ReadOptions, send: Sender, out: Responses) {
  const streamOptions = options.getStream()!;
  const name = streamNameOf(streamOptions);
  refuseEmpty(name);
  // EventStoreDB's subscriptions service drops a subscription to a tombstoned stream before it is
  // confirmed (SubscriptionsService: last event number DeletedStream → SubscriptionDropped).
  if (store.streamView(name).kind === 'tombstoned') throw new StreamDeletedError(name);
  // Records before this one hold no tombstone of the stream: it was not tombstoned when they were all in.
  let untombstonedBefore = store.committedCount;
  const { fromEnd, revision } = streamStartOf(streamOptions);
  let next = fromEnd ? store.lastRevision(name) + 1 : revision === undefined ? 0 : revision + 1;
  await out.send(encodeSubscriptionConfirmation(randomUUID()));
  let caughtUp = false;
  while (out.open) {
    const view = store.streamView(name);
    if (view.kind === 'tombstoned') {
      // Catching up, it reads the stream, which fails as a read of a tombstoned stream does.
      if (!caughtUp) throw new StreamDeletedError(name);
      if (await sendUpToTombstone(store, name, { next, untombstonedBefore }, send, out))
        throw new StreamDeletedError(name);
      // A `$$` stream whose stream was tombstoned: its own log holds no `$streamDeleted`, and
      // EventStoreDB drops a live subscription only on one of those (or as it subscribes), so it stays
      // open, live, though nothing can be written to it any more.
      next = store.lastRevision(name) + 1;
      untombstonedBefore = store.committedCount;
      await out.idle(commits(store));
      continue;
    }
    untombstonedBefore = store.committedCount;
    // Live, every event of the stream written past the reader would be in EventStoreDB's buffer.
    if (view.kind === 'found' && caughtUp && view.last - next + 1 > LIVE_BUFFER) caughtUp = false;
    // Catching up, the subscription reads the stream as a read does, past what `$tb` and `$maxCount`
    // hide; live, it is sent every event as it is appended, as EventStoreDB's subscriptions service
    // passes each one on (StreamEventAppeared), whatever the metadata says.
    // A `$tb` past the stream's end hides no event yet to come: the read finds none, and what is
    // appended after it comes live.
    if (view.kind === 'found' && !caughtUp) next = Math.max(next, Math.min(view.first, view.last + 1));
    if (view.kind === 'found' && next <= view.last) {
      const batch = new LoadBatch(store);
      for (; !batch.full && next <= view.last; next += 1) batch.add(store.seqOf(name, next)!);
      const now = Date.now();
      await send(
        out,
        (await store.load(batch.seqs)).filter((event) => !isTooOld(event, view.maxAgeSeconds, now)),
      );
      continue;
    }
    if (!caughtUp) {
      caughtUp = true;
      // Live events are those appended from now on: what lies before was sent or hidden from the reader.
      next = Math.max(next, store.lastRevision(name) + 1);
      await out.send(encodeCaughtUp());
      continue;
    }
    await out.idle(commits(store));
  }
}

/**
 * What a live stream subscription is sent once its stream is tombstoned, as EventStoreDB 24.10 sends it
 * (Enumerator.StreamSubscription.cs, SendEventToSubscription): the live events appended before the
 * tombstone, from revision `next` on, then the `$streamDeleted` record itself, after which the call
 * fails with StreamDeleted. Whether there was such a record of the stream's own: a `$$` stream has none
 * when its stream is tombstoned.
 */
async function sendUpToTombstone(
  store: LogStore,
  name: string,
  { next, untombstonedBefore }: { next: number; untombstonedBefore: number },
  send: Sender,
  out: Responses,
): Promise<boolean> {
  const seqs: number[] = [];
  const last = store.lastRevision(name);
  for (let revision = next; revision <= last; revision += 1) seqs.push(store.seqOf(name, revision)!);
  // The tombstone follows the stream's last event (a `$$` stream's tombstone is its stream's: none).
  const afterLast = last >= 0 ? store.seqOf(name, last)! + 1 : 0;
  const tombstone = tombstoneOf(store, name, Math.max(untombstonedBefore, afterLast));
  if (tombstone !== undefined) seqs.push(tombstone);
  let index = 0;
  while (index < seqs.length && out.open) {
    const batch = new LoadBatch(store);
    for (; !batch.full && index < seqs.length; index += 1) batch.add(seqs[index]!);
    await send(out, await store.load(batch.seqs));
  }
  return tombstone !== undefined;
}

/**
 * The seq of `name`'s tombstone (its `$streamDeleted` record), if it lies at or after `from`. Nothing
 * of a stream follows its tombstone, so it is the stream's last record: the search runs back from the end.
 */
function tombstoneOf(store: LogStore, name: string, from: number): number | undefined {
  for (let seq = store.committedCount - 1; seq >= from; seq -= 1)
    if (store.streamNameOf(seq) === name) return seq;
  return undefined;
}

async function subscribeAll(
  store: LogStore,
  options: ReadOptions,
  filter: Filter | undefined,
  send: Sender,
  out: Responses,
) {
  const {
    fromEnd,
    position: from,
    beforeEvent,
  } = allStartOf(store, options.getAll()!, {
    backwards: false,
    subscription: true,
  });
  // Subscriptions are exclusive of their start position, which may lie just before an event.
  let seq = fromEnd
    ? store.committedCount
    : from === undefined
      ? 0
      : store.seqAtOrAfter(beforeEvent ? from : from + 1);
  let lastConsidered = seq > 0 ? store.positionOf(seq - 1) : (from ?? 0);
  let considered = 0;
  // EventStoreDB 24.10 goes live at once, with no catch-up and so no checkpoint, when the start is at
  // or past what is in the log as it subscribes (Enumerator.AllSubscriptionFiltered: `checkpoint >=
  // confirmationLastPos`): from the end, a checkpoint of the last record's position would be sent,
  // which for a start past the end lies behind it.
  let checkpointGoingLive = !fromEnd && (from === undefined || from < store.durableEnd);
  await out.send(encodeSubscriptionConfirmation(randomUUID()));
  let caughtUp = false;
  const buffer = new LiveBuffer(
    filter ? (record) => filter.matches(store, record) : () => true,
    filter?.checkpointInterval,
    SCAN_LIMIT,
  );
  while (out.open) {
    const end = store.committedCount;
    if (seq < end) {
      if (caughtUp && buffer.overflowsWith(end)) caughtUp = false;
      const batch = new LoadBatch(store);
      let checkpoint = false;
      for (let scanned = 0; scanned < SCAN_LIMIT && !batch.full && seq < end && !checkpoint; scanned += 1) {
        if (!filter || filter.matches(store, seq)) batch.add(seq);
        lastConsidered = store.positionOf(seq);
        seq += 1;
        considered += 1;
        checkpoint = filter !== undefined && considered % filter.checkpointInterval === 0;
      }
      await send(out, await store.load(batch.seqs));
      if (checkpoint) await out.send(encodeCheckpoint(lastConsidered));
      buffer.sent(batch.seqs.length + (checkpoint ? 1 : 0));
      continue;
    }
    if (!caughtUp) {
      caughtUp = true;
      buffer.goLive(seq, considered);
      if (filter && checkpointGoingLive) await out.send(encodeCheckpoint(lastConsidered));
      checkpointGoingLive = true;
      await out.send(encodeCaughtUp());
      continue;
    }
    await out.idle(commits(store));
  }
}
