/**
 * Storage engine of the embedded EventStoreDB-compatible server, usable in-process without gRPC.
 *
 * Layout: append-only segment files `<start position>.log` (log.ts); each record carries its own
 * length and CRC32 (record.ts); the last record of every append is flagged COMMIT_END so that
 * recovery keeps whole appends only. An append is acknowledged after fdatasync; appends that arrive
 * while a sync is running share the next one (group commit). On start the log is scanned, the index
 * rebuilt and a torn or corrupt tail of the newest segment truncated to the last complete append.
 *
 * Memory policy: per event, RAM holds only a fixed-size index entry — log position (8 bytes),
 * record length (4), stream ref (4), event type ref (4), revision (8) and the stream's revision → seq
 * entry (4): 32 bytes per event, plus one entry per distinct stream and event type name. Payloads
 * stay on disk and are read on demand, one read per run of adjacent records, except for a tail cache
 * of the most recently written records (64 MiB by default) that serves live subscriptions and recent
 * reads. Idempotent re-appends are recognised through a bounded cache of the last 100,000 event ids.
 * With `MemoryLog` (`--mem`) the same engine keeps the records themselves in memory.
 */
export { EventStore, MAX_APPEND_SIZE } from './event-store.js';
export type {
  AppendOutcome,
  CurrentRevision,
  ExpectedRevision,
  ProposedEvent,
  StoredEvent,
  StreamView,
} from './event-store.js';
export {
  InvalidEventIdError,
  MaxAppendSizeExceededError,
  StoreUnavailableError,
  StreamDeletedError,
  WrongExpectedVersionError,
} from './event-store.js';
export { FileLog, MemoryLog } from './log.js';
export type { FileLogOptions, LogDevice, RecoveryReport, SyncFn } from './log.js';
export { FLAG_TOMBSTONE, bytesToUuid, decodeRecord } from './record.js';
