import { createWriteStream, type WriteStream } from 'node:fs';
import { lstat, rm } from 'node:fs/promises';
import { once } from 'node:events';

/**
 * A file written line by line while a command runs: a recording, periodic stats, a history export.
 * A write that fails (a full disk, ENOSPC) is kept rather than emitted: the stream's 'error', which
 * nobody listened to, ended the CLI with a stack trace and left the file cut mid-line.
 */
export class LineFile {
  private failure: NodeJS.ErrnoException | undefined;
  private readonly stream: WriteStream;

  /**
   * `onFailure` is told of the first failed write once, so that the run can stop there; `name` is how
   * messages call the file (`--record run.ndjson`).
   */
  constructor(
    readonly path: string,
    private readonly onFailure: () => void = () => undefined,
    private readonly name = path,
  ) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (error) => {
      if (this.failure) return;
      this.failure = error;
      this.onFailure();
    });
  }

  /** Resolves once the file is open, so that a path that cannot be written is said before any work. */
  async opened(): Promise<void> {
    // The error itself is the listener's above; `once` rejects with it, worded as the fs call's.
    if (this.stream.pending) await once(this.stream, 'open').catch(() => undefined);
    this.throwIfFailed();
  }

  /** Writes text; after a failed write, nothing more is written (close says why). */
  write(text: string): void {
    if (!this.failure) this.stream.write(text);
  }

  /**
   * Resolves when the file takes more (at once, unless the disk is behind the writer); rejects, naming
   * the file, once a write has failed.
   */
  async drained(): Promise<void> {
    this.throwIfFailed();
    if (!this.stream.writableNeedDrain) return;
    // A failed write closes the stream and never drains it; the error itself is the listener's above.
    await new Promise<void>((done) => {
      const settle = (): void => {
        this.stream.off('drain', settle).off('close', settle);
        done();
      };
      this.stream.once('drain', settle).once('close', settle);
    });
    this.throwIfFailed();
  }

  /**
   * Ends the file. One a write failed on is removed, since it holds only part of what it should, and
   * the failure thrown.
   */
  async close(): Promise<void> {
    if (!this.failure) await new Promise<void>((done) => this.stream.end(() => done()));
    if (!this.failure) return;
    const removed = await this.discard();
    this.throwIfFailed(removed ? '; removed, as it held only part of what it should' : '');
  }

  /**
   * Ends the file and removes it, as the command stopped before it was whole; says whether it did:
   * only a regular file is removed, never a device the path names (/dev/null, /dev/full).
   */
  async discard(): Promise<boolean> {
    if (this.failure) this.stream.destroy();
    else await new Promise<void>((done) => this.stream.end(() => done()));
    const isFile = await lstat(this.path).then(
      (stats) => stats.isFile(),
      () => false,
    );
    if (isFile) await rm(this.path, { force: true });
    return isFile;
  }

  private throwIfFailed(more = ''): void {
    if (this.failure) {
      throw new Error(`cannot write ${this.name} (${this.failure.code ?? this.failure.message})${more}`);
    }
  }
}
