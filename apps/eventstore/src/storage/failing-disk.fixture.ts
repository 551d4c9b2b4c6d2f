import { promises as fs } from 'node:fs';

import { writeAll, type WriteFn } from './log.js';

/**
 * The error a write to a full disk fails with, as Node raises it: a real one, from writing to
 * /dev/full, which answers every write with ENOSPC.
 */
export async function noSpaceLeft(): Promise<NodeJS.ErrnoException> {
  const error = await fs.writeFile('/dev/full', 'x').then(
    () => undefined,
    (failure: NodeJS.ErrnoException) => failure,
  );
  if (error?.code !== 'ENOSPC') throw new Error(`/dev/full answered ${error?.code ?? 'a write'}, not ENOSPC`);
  return error;
}

/**
 * The error a write fails with once the user's disk quota is used up, shaped as Node raises it on
 * Linux: out of space for this user, which freeing some (or raising the quota) cures.
 */
export const quotaExceeded = (): NodeJS.ErrnoException =>
  Object.assign(new Error('EDQUOT: disk quota exceeded, write'), {
    errno: -122,
    code: 'EDQUOT',
    syscall: 'write',
  });

/** The error a write to a failing disk fails with, shaped as Node raises it (errno, code, syscall). */
export const ioError = (): NodeJS.ErrnoException =>
  Object.assign(new Error('EIO: i/o error, write'), { errno: -5, code: 'EIO', syscall: 'write' });

/**
 * A disk that works until told to fail, for FileLog's `write` seam: every write of the log (records,
 * zeros filled ahead, segment headers, writer.chk) then fails with the given error, the first one
 * after putting part of its bytes in the file, as a disk filling up does. `heal` makes writes work
 * again, as freeing space does.
 */
export class FailingDisk {
  private failure: { error: Error; partialBytes: number } | undefined;
  /** Writes that failed since the disk was told to fail. */
  failedWrites = 0;

  readonly write: WriteFn = async (handle, buffers, fileOffset, onLoop) => {
    const failure = this.failure;
    if (!failure) return writeAll(handle, buffers, fileOffset, onLoop);
    this.failedWrites += 1;
    if (failure.partialBytes > 0) {
      await writeAll(handle, [Buffer.concat(buffers).subarray(0, failure.partialBytes)], fileOffset, onLoop);
      // Only the first failing write finds room for a few bytes.
      failure.partialBytes = 0;
    }
    throw failure.error;
  };

  /** From now on every write fails with `error`, the first after writing `partialBytes` of its bytes. */
  fail(error: Error, { partialBytes = 0 }: { partialBytes?: number } = {}): void {
    this.failure = { error, partialBytes };
    this.failedWrites = 0;
  }

  heal(): void {
    this.failure = undefined;
  }
}
