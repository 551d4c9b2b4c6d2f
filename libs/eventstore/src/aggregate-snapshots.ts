import { BACKWARDS, END, StreamNotFoundError, binaryEvent } from '@eventstore/db-client';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { EventStore } from './event-store.js';

/**
 * How an aggregate's state is written into a snapshot and read back: supplied by the aggregate,
 * which alone knows its state's shape (Maps, dates...). `schemaVersion` is bumped whenever that shape
 * or what `evolve` computes changes: a snapshot of another version is ignored and the fold starts
 * from the first event (then a new snapshot is written).
 */
export interface SnapshotCodec<State> {
  readonly schemaVersion: number;
  serialize(state: State): unknown;
  /** Throws on data it does not recognise: the snapshot is then ignored, never trusted. */
  deserialize(data: unknown): State;
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
 * A snapshot is its JSON gzipped, as a binary event: a line's state holds every call id it ever used
 * (R12), so a long line's snapshot grows with its history, and the store takes at most 1 MiB per
 * append. Gzip (on libuv's thread pool, off the event loop) shrinks it several times; measured with
 * 5,000 idempotency records: 100,000 ids like `past-12345` are 1.7 MB as JSON and 0.4 MB gzipped,
 * 40,000 random `call-<uuid>` ids 2.2 MB and 1.0 MB. A snapshot still over the limit is not written
 * (tried again only a snapshot interval later), and that line folds from its first event after a
 * restart, as without snapshots.
 */
const zip = promisify(gzip);
const unzip = promisify(gunzip);

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

/** Reads the latest snapshot of `stream` (one event, backwards), checked against the codec. */
export async function readAggregateSnapshot<State>(
  store: EventStore,
  stream: string,
  codec: SnapshotCodec<State>,
): Promise<SnapshotRead<State>> {
  let data: unknown;
  let found = false;
  try {
    // Read to the end (one event) rather than breaking out: an abandoned read leaves the call open.
    for await (const resolved of store.client.readStream(snapshotStreamOf(stream), {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    })) {
      const event = resolved.event;
      if (!event) continue;
      found = true;
      data = event.type === SNAPSHOT_EVENT_TYPE ? event.data : undefined;
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return { kind: 'none' };
    throw error;
  }
  if (!found) return { kind: 'none' };
  if (!(data instanceof Uint8Array)) return { kind: 'ignored', reason: 'not a gzipped snapshot' };
  let parsed: unknown;
  try {
    parsed = JSON.parse((await unzip(data)).toString('utf8'));
  } catch (error) {
    return {
      kind: 'ignored',
      reason: `not gzipped JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  return decodeSnapshot(parsed, codec);
}

export function decodeSnapshot<State>(data: unknown, codec: SnapshotCodec<State>): SnapshotRead<State> {
  if (typeof data !== 'object' || data === null) return { kind: 'ignored', reason: 'not a JSON object' };
  const snapshot = data as Partial<SnapshotData>;
  if (snapshot.schemaVersion !== codec.schemaVersion) {
    return {
      kind: 'ignored',
      reason: `schema v${String(snapshot.schemaVersion)}, this build folds v${codec.schemaVersion}`,
    };
  }
  if (typeof snapshot.revision !== 'string' || !/^\d{1,20}$/.test(snapshot.revision))
    return { kind: 'ignored', reason: 'no revision' };
  if (typeof snapshot.eventId !== 'string') return { kind: 'ignored', reason: 'no event id' };
  if (!Array.isArray(snapshot.commands) || !snapshot.commands.every(isCommand))
    return { kind: 'ignored', reason: 'malformed command ids' };
  let state: State;
  try {
    state = codec.deserialize(snapshot.state);
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
  if (newStream) await store.client.setStreamMetadata(name, { maxCount: SNAPSHOTS_KEPT });
  const data: SnapshotData = {
    schemaVersion: codec.schemaVersion,
    revision: String(snapshot.revision),
    eventId: snapshot.eventId,
    state: codec.serialize(snapshot.state),
    commands: snapshot.commands,
  };
  const zipped = await zip(Buffer.from(JSON.stringify(data), 'utf8'));
  await store.client.appendToStream(name, binaryEvent({ type: SNAPSHOT_EVENT_TYPE, data: zipped }));
}
