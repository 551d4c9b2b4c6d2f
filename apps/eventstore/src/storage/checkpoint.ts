import { promises as fs, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * The writer checkpoint, `writer.chk` next to the segments, as EventStoreDB keeps one: where the log
 * was known to be durable, and how many events it then held. It is written only after the bytes it
 * covers are on disk, so the log on disk can never rightly end before it. A log that does (the newest
 * segment deleted or cut short while the store was down) has lost acknowledged appends, and the store
 * refuses to start instead of serving what is left as if it were everything (see FileLog.open).
 *
 * Layout (24 bytes, within one sector so that a write of it is never torn): u32 magic 'ESCK', u32
 * CRC32 of bytes 8..24, f64 log position of the durable end, f64 number of events up to it.
 */
export const WRITER_CHECKPOINT_FILE = 'writer.chk';
const CHECKPOINT_MAGIC = 0x4b435345; // 'ESCK'
const CHECKPOINT_SIZE = 24;

export interface DurableEnd {
  /** Log position just after the last durable record. */
  readonly position: number;
  /** Event records (not FILLER records) before `position`, as recovery counts them. */
  readonly events: number;
}

export type CheckpointRead =
  | { readonly kind: 'none' }
  | { readonly kind: 'read'; readonly end: DurableEnd }
  | { readonly kind: 'damaged'; readonly reason: string };

export function encodeCheckpoint(end: DurableEnd): Buffer {
  const buffer = Buffer.alloc(CHECKPOINT_SIZE);
  buffer.writeUInt32LE(CHECKPOINT_MAGIC, 0);
  buffer.writeDoubleLE(end.position, 8);
  buffer.writeDoubleLE(end.events, 16);
  buffer.writeUInt32LE(crc32(buffer.subarray(8)), 4);
  return buffer;
}

export async function readCheckpoint(directory: string): Promise<CheckpointRead> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(join(directory, WRITER_CHECKPOINT_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    throw error;
  }
  if (bytes.length !== CHECKPOINT_SIZE)
    return { kind: 'damaged', reason: `${bytes.length} bytes instead of ${CHECKPOINT_SIZE}` };
  if (bytes.readUInt32LE(0) !== CHECKPOINT_MAGIC) return { kind: 'damaged', reason: 'bad magic' };
  if (bytes.readUInt32LE(4) !== crc32(bytes.subarray(8))) return { kind: 'damaged', reason: 'bad checksum' };
  return { kind: 'read', end: { position: bytes.readDoubleLE(8), events: bytes.readDoubleLE(16) } };
}

/** Writes the checkpoint durably, creating the file (and making its directory entry durable) if needed. */
export async function writeCheckpoint(directory: string, end: DurableEnd): Promise<void> {
  const path = join(directory, WRITER_CHECKPOINT_FILE);
  const created = !(await fs.stat(path).then(
    () => true,
    () => false,
  ));
  const handle = await fs.open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT);
  try {
    await handle.write(encodeCheckpoint(end), 0, CHECKPOINT_SIZE, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (created) await syncDirectory(directory);
}

export async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
