/**
 * Storage engine of the embedded EventStoreDB-compatible server, usable in-process without gRPC.
 *
 * Layout: append-only segment files `<start position>.log` (log.ts); each record carries its own
 * length and CRC32 (record.ts); the last record of every append is flagged COMMIT_END so that
 * recovery keeps whole appends only. An append is acknowledged after fdatasync; appends that arrive
 * while a sync is running share the next one (group commit), and each write's first record is marked
 * WRITE_START. A write that fails is never acknowledged: everything staged after the last durable
 * write is forgotten and the log cut back to it (a full disk then takes appends again; any other
 * error refuses them until a restart). On start the log is scanned and the index rebuilt. A torn
 * tail (damage within the last write of the newest segment with no later write after it) is copied
 * aside and cut to the last complete append; any other damage refuses the start and changes nothing
 * (`LogDamagedError`), and `repairLog` (repair.ts, `eventstore repair`) then takes out only what it
 * must. writer.chk (checkpoint.ts) holds where the log was durable: a log that ends before it lost
 * acknowledged appends and refuses the start too (`LogEndsBeforeCheckpointError`) until the files are
 * restored or `repair` accepts the loss.
 *
 * Memory policy: per event, RAM holds only a fixed-size index entry — log position (8 bytes),
 * record length (4), stream ref (4), event type ref (4), revision (8) and the stream's revision → seq
 * entry (4): 32 bytes per event, plus one entry per distinct stream and event type name. Payloads
 * stay on disk and are read on demand, one read per run of adjacent records, except for a tail cache
 * of the most recently written records (64 MiB by default) that serves live subscriptions and recent
 * reads. Idempotent re-appends are recognised through a bounded cache of the last 100,000 event ids.
 * With `MemoryLog` (`--mem`) the same engine keeps the records themselves in memory.
 */
export { LogStore, MAX_APPEND_SIZE, MAX_APPEND_SIZE_LIMIT } from './log-store.js';
export type {
  AppendOutcome,
  CurrentRevision,
  ExpectedRevision,
  ProposedEvent,
  LogRecord,
  StreamView,
  WriteFailure,
  WriteOutage,
} from './log-store.js';
export {
  InvalidEventIdError,
  MaxAppendSizeExceededError,
  InvalidNameError,
  LogWriteFailedError,
  StoreUnavailableError,
  StreamDeletedError,
  WrongExpectedVersionError,
} from './log-store.js';
export {
  CheckpointDamagedError,
  FileLog,
  LogDamagedError,
  LogEndsBeforeCheckpointError,
  MemoryLog,
  StartRefusedError,
} from './log.js';
export { WRITER_CHECKPOINT_FILE } from './checkpoint.js';
export type { DurableEnd } from './checkpoint.js';
export type { FileLogOptions, LogDevice, RecoveryReport, SyncFn, TornTail, WriteFn } from './log.js';
export { LOG_REPAIRS_STREAM, LOG_REPAIR_EVENT_TYPE, repairLog } from './repair.js';
export type { DroppedRange, LogRepairData, RepairReport, SegmentRepair } from './repair.js';
export { FLAG_TOMBSTONE, bytesToUuid, decodeRecord } from './record.js';
