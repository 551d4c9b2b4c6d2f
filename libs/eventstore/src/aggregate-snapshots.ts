import { BACKWARDS, END, StreamNotFoundError, binaryEvent } from '@eventstore/db-client';
import { promisify } from 'node:util';
import { constants, gunzip, gzip } from 'node:zlib';
import { logWriteFailureCode } from './errors.js';
import type { EventStore } from './event-store.js';

/**
 * How an aggregate's state is written into a snapshot and read back: supplied by the aggregate,
 * which alone knows its state's shape (Maps, dates...). `schemaVersion` is bumped whenever that shape
 * or what `evolve` computes changes: a snapshot of another version is ignored and the fold starts
 * from the first event (then a new snapshot is written).
 *
 * Long binary parts of a state (a line's used call ids) go beside the JSON as attachments: `attach`
 * keeps the bytes and returns their index; `deserialize` gets them back as the bytes they were,
 * with nothing to parse, so loading them costs no work per item.
 */
export interface SnapshotCodec<State> {
  readonly schemaVersion: number;
  serialize(state: State, attach: (bytes: Uint8Array) => number): unknown;
  /** Throws on data it does not recognise: the snapshot is then ignored, never trusted. */
  deserialize(data: unknown, attachments: readonly Uint8Array[]): State;
}

/**
 * Snapshots follow EventStoreDB's convention: a stream of its own per aggregate stream, each event
 * the state with the revision of the aggregate stream it reflects, the latest one read backwards,
 * and old ones trimmed by the stream's `$maxCount`.
 *
 * The name is `$snapshot-<stream>`: a `$` stream is a system stream, outside every category (no
 * `line-` or `account-` prefix filter, no category projection of a real node matches it), and never
 * exported by `history export` or checked by `verify`, which skip `$` streams. The event type is
 * `$snapshot`: readers of `$all` without a prefix filter ask the server to exclude system events,
 * which a server does by the `$` of the event type, and the store layer's decoding drops `$` types,
 * so no subscription mistakes a snapshot for a domain event. On a real node with access control,
 * writing a `$` stream takes an admin (or `$ops`) user; the embedded server has no ACL.
 */
export const SNAPSHOT_STREAM_PREFIX = '$snapshot-';
export const SNAPSHOT_EVENT_TYPE = '$snapshot';
/**
 * A snapshot is a binary event: gzip of its JSON, a newline (JSON.stringify writes none), then its
 * attachments end to end (their lengths are in the JSON). A line's state holds every call id it
 * ever used (R12), so a long line's snapshot grows with its history (ids that count up take one
 * interval, random ones a record each), and the store takes at most 1 MiB per append. Gzip (on
 * libuv's thread pool, off the event loop) is what makes a long line of random ids fit at all:
 * 40,000 `call-<uuid>` ids are 1.6 MB of attachment, 0.8 MB gzipped (kept as records of bytes,
 * 100,000 ids `past-NNNNN` were 0.99 MB, 1.06 MB with the JSON, 0.23 MB gzipped). Its CRC-32 also
 * catches damaged bytes before anything is trusted. Reading costs one gunzip (about 2 ms of CPU for
 * 1 MB); reading 0.9 MB unzipped instead measured no faster over the client (9 ms median against
 * 10 ms for the 0.23 MB, under load), so the bytes on the wire cost less than the cap would.
 * A snapshot still over the limit is not written (tried again only a snapshot interval later), and
 * that line folds from its first event after a restart, as without snapshots.
 *
 * Its metadata (JSON, not zipped) names the revision it reflects: a reader starts reading the
 * aggregate's events after it while it is still unzipping it (see AggregateRepository's startFold).
 */
const zip = promisify(gzip);
const unzip = promisify(gunzip);
/**
 * Gzip's fastest level: a snapshot is written every `snapshotEveryEvents` events of a long line, and
 * the default level (6) spends several times the CPU for a few percent less. Measured on 2 shared
 * cores: 100,000 ids `past-N` (0.99 MB) 4.5 ms of CPU into 236 KB at level 1 against 24 ms into 217 KB
 * at level 6; 40,000 `call-<uuid>` ids (1.6 MB) 30 ms into 829 KB against 50 ms into 808 KB. Gunzip
 * costs about the same for either (measured within 10%).
 */
const ZIP_OPTIONS = { level: constants.Z_BEST_SPEED };
/**
 * zlib hands each output chunk back to the event loop: at its default 16 KiB a 1 MB snapshot is
 * 64 trips between the thread pool and the loop, each waiting its turn on a busy machine (5.6 ms
 * median against 1.9 ms for gunzipSync, measured under a load average of 7 on 2 cores), and 64
 * buffers joined into a 65th. The gzip trailer states the unzipped size (ISIZE, which zlib checks
 * at the end): a chunk one byte larger takes it in one trip and one buffer, and the attachments
 * are views of it. Capped, so a forged size allocates no more than this; a larger snapshot comes
 * in several chunks, joined into one buffer of exactly their size.
 */
const MAX_UNZIP_CHUNK_BYTES = 8 * 1024 * 1024;
const unzipChunkBytes = (zipped: Uint8Array): number => {
  const size =
    zipped.length < 4
      ? 0
      : Buffer.from(zipped.buffer, zipped.byteOffset, zipped.length).readUInt32LE(zipped.length - 4);
  return Math.min(Math.max(size + 1, 64), MAX_UNZIP_CHUNK_BYTES);
};
/**
 * The bytes in memory of their own, since the state keeps views of them while it is cached: a
 * small result shares Node's 8 KiB buffer pool, which a view would keep alive.
 */
const owned = (bytes: Buffer): Buffer =>
  bytes.buffer.byteLength - bytes.length <= 1 ? bytes : Buffer.from(new Uint8Array(bytes).buffer);
const NEWLINE = 0x0a;

/** Snapshots kept per aggregate: the latest and one before it (written over while it is read). */
export const SNAPSHOTS_KEPT = 2;

export const snapshotStreamOf = (stream: string): string => `${SNAPSHOT_STREAM_PREFIX}${stream}`;

/** A command id the aggregate took within the idempotency window and where its events are. */
export type SnapshotCommand = readonly [
  commandId: string,
  first: string,
  last: string,
  position: string | null,
  at: number,
];

/** What a snapshot event holds (its JSON data). */
interface SnapshotData {
  readonly schemaVersion: number;
  /** Revision of the aggregate stream the state reflects (its last folded event). */
  readonly revision: string;
  /** Id of the event at that revision: a stream soft deleted and written again does not match. */
  readonly eventId: string;
  readonly state: unknown;
  readonly commands: readonly SnapshotCommand[];
  /** Byte lengths of the attachments after the JSON, in order (absent: none). */
  readonly attachments?: readonly number[];
}

export interface AggregateSnapshot<State> {
  readonly state: State;
  readonly revision: bigint;
  readonly eventId: string;
  readonly commands: readonly SnapshotCommand[];
}

export type SnapshotRead<State> =
  | { readonly kind: 'found'; readonly snapshot: AggregateSnapshot<State> }
  /** No snapshot stream: the first write sets its `$maxCount`. */
  | { readonly kind: 'none' }
  | { readonly kind: 'ignored'; readonly reason: string };

/** What a snapshot event's data holds: a snapshot this build can fold on, or why not. */
export type DecodedSnapshot<State> = Exclude<SnapshotRead<State>, { readonly kind: 'none' }>;

/**
 * The latest snapshot event of `stream`, not yet decoded: its data, and the revision its metadata
 * says it reflects. That revision is only where to start reading the events after the snapshot
 * while it is unzipped; what the snapshot reflects is what its decoded data says (see
 * AggregateRepository's startFold).
 */
export type SnapshotEvent =
  | { readonly kind: 'none' }
  | { readonly kind: 'found'; readonly data: unknown; readonly revision: bigint | undefined };

/** What a snapshot event's metadata holds: the revision of the aggregate stream it reflects. */
interface SnapshotMetadata {
  readonly revision: string;
}

const REVISION = /^\d{1,20}$/;

export async function readSnapshotEvent(store: EventStore, stream: string): Promise<SnapshotEvent> {
  let found: SnapshotEvent = { kind: 'none' };
  try {
    // Read to the end (one event) rather than breaking out: an abandoned read leaves the call open.
    for await (const resolved of store.client.readStream(snapshotStreamOf(stream), {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    })) {
      const event = resolved.event;
      if (!event) continue;
      const revision = (event.metadata as Partial<SnapshotMetadata> | undefined)?.revision;
      found = {
        kind: 'found',
        data: event.type === SNAPSHOT_EVENT_TYPE ? event.data : undefined,
        revision: typeof revision === 'string' && REVISION.test(revision) ? BigInt(revision) : undefined,
      };
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return { kind: 'none' };
    throw error;
  }
  return found;
}

/** Reads the latest snapshot of `stream` (one event, backwards), checked against the codec. */
export async function readAggregateSnapshot<State>(
  store: EventStore,
  stream: string,
  codec: SnapshotCodec<State>,
): Promise<SnapshotRead<State>> {
  const event = await readSnapshotEvent(store, stream);
  return event.kind === 'none' ? event : decodeSnapshotEvent(event.data, codec);
}

/** A snapshot event's data unzipped and checked against the codec. */
export async function decodeSnapshotEvent<State>(
  data: unknown,
  codec: SnapshotCodec<State>,
): Promise<DecodedSnapshot<State>> {
  if (!(data instanceof Uint8Array)) return { kind: 'ignored', reason: 'not a gzipped snapshot' };
  let bytes: Buffer;
  let parsed: unknown;
  let jsonEnd: number;
  try {
    bytes = owned(await unzip(data, { chunkSize: unzipChunkBytes(data) }));
    jsonEnd = bytes.indexOf(NEWLINE);
    if (jsonEnd < 0) jsonEnd = bytes.length;
    parsed = JSON.parse(bytes.toString('utf8', 0, jsonEnd));
  } catch (error) {
    return {
      kind: 'ignored',
      reason: `not gzipped JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  return decodeSnapshot(parsed, codec, bytes.subarray(Math.min(jsonEnd + 1, bytes.length)));
}

/** Cuts the bytes after the JSON into the attachments it lists, or says why they do not match. */
function attachmentsOf(lengths: unknown, bytes: Uint8Array): Uint8Array[] | string {
  if (lengths === undefined) return bytes.length === 0 ? [] : 'bytes after the JSON, no attachments';
  if (!Array.isArray(lengths) || !lengths.every((n) => Number.isSafeInteger(n) && (n as number) >= 0))
    return 'attachment lengths are not byte counts';
  const attachments: Uint8Array[] = [];
  let start = 0;
  for (const length of lengths as number[]) {
    attachments.push(bytes.subarray(start, start + length));
    start += length;
  }
  return start === bytes.length
    ? attachments
    : `attachments of ${start} bytes, ${bytes.length} after the JSON`;
}

export function decodeSnapshot<State>(
  data: unknown,
  codec: SnapshotCodec<State>,
  afterJson: Uint8Array,
): DecodedSnapshot<State> {
  if (typeof data !== 'object' || data === null) return { kind: 'ignored', reason: 'not a JSON object' };
  const snapshot = data as Partial<SnapshotData>;
  if (snapshot.schemaVersion !== codec.schemaVersion) {
    return {
      kind: 'ignored',
      reason: `schema v${String(snapshot.schemaVersion)}, this build folds v${codec.schemaVersion}`,
    };
  }
  if (typeof snapshot.revision !== 'string' || !REVISION.test(snapshot.revision))
    return { kind: 'ignored', reason: 'no revision' };
  if (typeof snapshot.eventId !== 'string') return { kind: 'ignored', reason: 'no event id' };
  if (!Array.isArray(snapshot.commands) || !snapshot.commands.every(isCommand))
    return { kind: 'ignored', reason: 'malformed command ids' };
  const attachments = attachmentsOf(snapshot.attachments, afterJson);
  if (typeof attachments === 'string') return { kind: 'ignored', reason: attachments };
  let state: State;
  try {
    state = codec.deserialize(snapshot.state, attachments);
  } catch (error) {
    return {
      kind: 'ignored',
      reason: `state unreadable: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  return {
    kind: 'found',
    snapshot: {
      state,
      revision: BigInt(snapshot.revision),
      eventId: snapshot.eventId,
      commands: snapshot.commands,
    },
  };
}

const isCommand = (entry: unknown): entry is SnapshotCommand =>
  Array.isArray(entry) &&
  entry.length === 5 &&
  typeof entry[0] === 'string' &&
  typeof entry[1] === 'string' &&
  /^\d{1,20}$/.test(entry[1]) &&
  typeof entry[2] === 'string' &&
  /^\d{1,20}$/.test(entry[2]) &&
  (entry[3] === null || (typeof entry[3] === 'string' && /^\d{1,20}$/.test(entry[3]))) &&
  typeof entry[4] === 'number';

/**
 * Appends a snapshot (any expected revision: snapshots of one aggregate are all equally valid, the
 * reader takes the latest). A new snapshot stream gets its `$maxCount` first, so the stream is never
 * unbounded, even if the process dies between the two writes.
 */
export async function writeAggregateSnapshot<State>(
  store: EventStore,
  stream: string,
  codec: SnapshotCodec<State>,
  snapshot: AggregateSnapshot<State>,
  newStream: boolean,
): Promise<void> {
  const name = snapshotStreamOf(stream);
  if (newStream) await counted(store, store.client.setStreamMetadata(name, { maxCount: SNAPSHOTS_KEPT }));
  const attachments: Uint8Array[] = [];
  const state = codec.serialize(snapshot.state, (bytes) => attachments.push(bytes) - 1);
  const data: SnapshotData = {
    schemaVersion: codec.schemaVersion,
    revision: String(snapshot.revision),
    eventId: snapshot.eventId,
    state,
    commands: snapshot.commands,
    ...(attachments.length > 0 && { attachments: attachments.map((bytes) => bytes.length) }),
  };
  const json = Buffer.from(JSON.stringify(data), 'utf8');
  const zipped = await zip(
    attachments.length > 0 ? Buffer.concat([json, Buffer.from([NEWLINE]), ...attachments]) : json,
    ZIP_OPTIONS,
  );
  const metadata: SnapshotMetadata = { revision: String(snapshot.revision) };
  await counted(
    store,
    store.client.appendToStream(name, binaryEvent({ type: SNAPSHOT_EVENT_TYPE, data: zipped, metadata })),
  );
}

/**
 * A snapshot's write, kept in `store.writes` as a command's append is: a store that refuses it for
 * want of writes is failing (and `/health` says so) even while no command comes, and one that takes it
 * writes again.
 */
async function counted(store: EventStore, write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    const cause = logWriteFailureCode(error);
    if (cause !== undefined) store.writes.refused(cause, 'snapshot');
    throw error;
  }
  store.writes.succeeded();
}
