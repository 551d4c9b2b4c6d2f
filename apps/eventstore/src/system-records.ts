import { randomUUID } from 'node:crypto';

import { decodeRecord, type LogStore } from './storage/index.js';

/**
 * What an insecure single EventStoreDB node (23.x/24.x, projections off) writes to its own log when
 * it starts, so that `$all` holds the same kind of `$`-records a client meets on a real node:
 *
 * - On every start, when it becomes leader, `EpochManager.WriteNewEpoch` writes an epoch (a log
 *   record no read returns) and then `WriteEpochInformationWithRetry` appends a `$epoch-information`
 *   event (JSON, the epoch's `EpochRecordDto`) to the `$epoch-information` stream, at the revision
 *   after the previous epoch's.
 * - On its first election, `TFChunkScavengerLogManager.Initialise` → `SetScavengeStreamMetadata`
 *   reads `$$$scavenges` and, unless it already holds them, appends `$metadata` with `$maxAge` = the
 *   scavenge history max age (30 days by default) and `$r: $ops`.
 *
 * Insecure nodes use the pass-through authentication provider, so no `$users` / `$user-admin` records
 * are written (the internal provider writes those); with projections off nothing is written to
 * `$projections-*`. Both appends go through the normal append path, so they are durable, indexed and
 * recovered like any other event.
 */
export const EPOCH_INFORMATION_STREAM = '$epoch-information';
export const SCAVENGES_METADATA_STREAM = '$$$scavenges';
const SCAVENGE_HISTORY_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/** As EventStoreDB's StreamMetadata serialises it: one role as a string, none as an empty array. */
const SCAVENGES_METADATA = JSON.stringify({
  $maxAge: SCAVENGE_HISTORY_MAX_AGE_SECONDS,
  $acl: { $r: '$ops', $w: [], $d: [], $mr: [], $mw: [] },
});

export async function writeStartupRecords(store: LogStore, leaderInstanceId = randomUUID()): Promise<void> {
  await writeEpochInformation(store, leaderInstanceId);
  await writeScavengesMetadata(store);
}

async function writeEpochInformation(store: LogStore, leaderInstanceId: string): Promise<void> {
  const last = store.lastRevision(EPOCH_INFORMATION_STREAM);
  const previous = last < 0 ? undefined : await latestJson(store, EPOCH_INFORMATION_STREAM, last);
  // The epoch starts where the log ends now (the end of its last record, or 0 on a fresh log).
  const end = store.committedCount;
  const [tail] = end > 0 ? await store.load([end - 1]) : [];
  const epoch = {
    epochPosition: tail ? tail.position + tail.buffer.length : 0,
    epochNumber: typeof previous?.epochNumber === 'number' ? previous.epochNumber + 1 : 0,
    epochId: randomUUID(),
    prevEpochPosition: typeof previous?.epochPosition === 'number' ? previous.epochPosition : -1,
    timeStamp: dotnetTimestamp(new Date()),
    leaderInstanceId,
  };
  await store.append(EPOCH_INFORMATION_STREAM, last < 0 ? 'no_stream' : BigInt(last), [
    json('$epoch-information', JSON.stringify(epoch)),
  ]);
}

async function writeScavengesMetadata(store: LogStore): Promise<void> {
  const last = store.lastRevision(SCAVENGES_METADATA_STREAM);
  if (last >= 0) {
    const [current] = await store.load([store.seqOf(SCAVENGES_METADATA_STREAM, last)!]);
    if (Buffer.from(decodeRecord(current!.buffer, 0).data).toString('utf8') === SCAVENGES_METADATA) return;
  }
  await store.append(SCAVENGES_METADATA_STREAM, 'any', [json('$metadata', SCAVENGES_METADATA)]);
}

async function latestJson(
  store: LogStore,
  stream: string,
  revision: number,
): Promise<Record<string, unknown> | undefined> {
  const seq = store.seqOf(stream, revision);
  if (seq === undefined) return undefined;
  const [event] = await store.load([seq]);
  try {
    return JSON.parse(Buffer.from(decodeRecord(event!.buffer, 0).data).toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    return undefined;
  }
}

function json(type: string, text: string) {
  return {
    id: randomUUID(),
    type,
    contentType: 'application/json',
    data: Buffer.from(text, 'utf8'),
    metadata: new Uint8Array(0),
  };
}

/** A .NET DateTime in UTC as Json.NET writes it: seven fractional digits and a `Z`. */
function dotnetTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}
