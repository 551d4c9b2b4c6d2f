import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  createWriteStream,
  lstatSync,
  readlinkSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, dirname, join, resolve } from 'node:path';
import type { WriteStream } from 'node:fs';

/**
 * The regular file `path` names, its symbolic links followed (`--out latest.ndjson`, a link to the
 * day's export, writes the day's export, as a shell's `>` does), with its permission bits, or none
 * yet; undefined when it is no file to replace whole: a device, a FIFO or a socket (/dev/null, a
 * pipe), or a name reached through /proc (/dev/stdout, /dev/fd/3: a descriptor the process holds,
 * which may be a file the shell opened for `>>`), written as it is; or a path that cannot be looked
 * at, whose open then says why.
 */
export const fileToReplace = (path: string): { path: string; mode?: number } | undefined => {
  let current = resolve(path);
  // Each link of the last name is followed by hand: realpath goes through /proc's descriptor links
  // to the file a shell redirected stdout to, which is not a name to rename over.
  for (let links = 0; links < 40; links++) {
    try {
      current = join(realpathSync(dirname(current)), basename(current));
      if (/^\/proc(\/|$)/.test(current)) return undefined;
      const stats = lstatSync(current, { throwIfNoEntry: false });
      if (stats === undefined) return { path: current };
      if (stats.isSymbolicLink()) {
        current = resolve(dirname(current), readlinkSync(current));
        continue;
      }
      if (!stats.isFile()) return undefined;
      // A file made read-only is refused, as the open of it was: the rename would replace it.
      accessSync(current, constants.W_OK);
      return { path: current, mode: stats.mode & 0o777 };
    } catch {
      return undefined;
    }
  }
  return undefined;
};

/**
 * Temporaries not renamed yet. A process that ends before (an error that exits, a Ctrl-C a command
 * does not take itself) removes them, so that nothing but the earlier file is left.
 */
const unfinished = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const removeUnfinished = (): void => {
  for (const path of unfinished) rmSync(path, { force: true });
  unfinished.clear();
};

const onSignal = (signal: NodeJS.Signals): void => {
  // A signal another listener takes is its command's way to stop in order (the first Ctrl-C of a
  // load run: stop starting calls, then report), which then ends its files itself. This listener
  // comes first (prepended), so a `once` listener still counts here.
  if (process.listenerCount(signal) > 1) return;
  removeUnfinished();
  stopWatching();
  // Ends the process as the signal would have, had nobody listened (status 128 + its number).
  process.kill(process.pid, signal);
};

const stopWatching = (): void => {
  process.off('exit', removeUnfinished);
  for (const signal of SIGNALS) process.off(signal, onSignal);
};

const track = (temporary: string): void => {
  if (unfinished.size === 0) {
    process.on('exit', removeUnfinished);
    for (const signal of SIGNALS) process.prependListener(signal, onSignal);
  }
  unfinished.add(temporary);
};

const untrack = (temporary: string): void => {
  unfinished.delete(temporary);
  if (unfinished.size === 0) stopWatching();
};

/**
 * A file written while a command runs: a recording, periodic stats, a history export, a summary.
 *
 * A file's lines go to a temporary beside it (`<file>.<pid>.<random>.tmp`, same directory, so same
 * disk), which takes its name only once closed whole: a command that fails or is stopped (a store
 * that cannot be reached, a full disk, a Ctrl-C it does not take itself) leaves the file it would
 * have replaced byte for byte as it was, and no temporary. A recording or stats file is therefore not
 * at its name while its run goes on: a run is followed on stderr (`--stats-interval`), and a
 * recording is read whole by `load replay` anyway. A device, FIFO or socket (/dev/stdout, a pipe) is
 * written as it is, as it cannot be replaced.
 *
 * A write that fails (a full disk, ENOSPC) is kept rather than emitted: the stream's 'error', which
 * nobody listened to, ended the CLI with a stack trace and left the file cut mid-line.
 *
 * Not npm's write-file-atomic: it takes a file's whole content in one call, where a recording streams
 * for as long as its run (hours, gigabytes) and must not be held in memory; and a device, a pipe or a
 * descriptor the shell opened must be written as it is, never through a temporary.
 */
export class LineFile {
  private failure: NodeJS.ErrnoException | undefined;
  private readonly stream: WriteStream;
  /** Where the lines go until the file is whole; undefined when the path is written as it is. */
  private readonly temporary: string | undefined;
  /** The file the temporary replaces: `path`, its links followed. */
  private readonly target: string;
  /** Whether a file was there before, which an unfinished one leaves as it was. */
  readonly replacing: boolean;
  private discarded: Promise<boolean> | undefined;
  private abandoned = false;
  /** Whether the temporary was made: one never opened (a directory that takes no file) held nothing. */
  private temporaryMade = false;

  /**
   * `onFailure` is told of the first failed write once, so that the run can stop there; `name` is how
   * messages call the file (`--record run.ndjson`).
   */
  constructor(
    readonly path: string,
    private readonly onFailure: () => void = () => undefined,
    private readonly name = path,
  ) {
    const file = fileToReplace(path);
    this.target = file?.path ?? path;
    this.replacing = file?.mode !== undefined;
    if (file) {
      this.temporary = `${file.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      track(this.temporary);
      // Never more open than the file it replaces (the umask may narrow it further). 'wx' creates it
      // or fails: a name that is already there, a link planted in a shared directory, is not written.
      // flush: on disk before the rename, which a crash could otherwise make an empty file.
      this.stream = createWriteStream(this.temporary, { flags: 'wx', mode: file.mode ?? 0o666, flush: true });
      this.stream.once('open', () => (this.temporaryMade = true));
    } else {
      this.stream = createWriteStream(path);
    }
    this.stream.on('error', (error) => {
      // Writes still queued when the file is discarded fail with it: no failure of the file's own.
      if (this.failure || this.abandoned) return;
      this.failure = error;
      this.onFailure();
    });
  }

  /** Whether a write (or the open, or the rename) failed: its error then says what became of the file. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Resolves once the file is open, so that a path that cannot be written is said before any work. */
  async opened(): Promise<void> {
    // The error itself is the listener's above; `once` rejects with it, worded as the fs call's.
    if (this.stream.pending) await once(this.stream, 'open').catch(() => undefined);
    await this.throwIfFailed();
  }

  /** Writes text; after a failed write, nothing more is written (close says why). */
  write(text: string): void {
    if (!this.failure) this.stream.write(text);
  }

  /**
   * Resolves when the file takes more (at once, unless the disk is behind the writer); rejects, naming
   * the file, once a write has failed (the file then discarded).
   */
  async drained(): Promise<void> {
    await this.throwIfFailed();
    if (!this.stream.writableNeedDrain) return;
    // A failed write closes the stream and never drains it; the error itself is the listener's above.
    await new Promise<void>((done) => {
      const settle = (): void => {
        this.stream.off('drain', settle).off('close', settle);
        done();
      };
      this.stream.once('drain', settle).once('close', settle);
    });
    await this.throwIfFailed();
  }

  /**
   * Ends the file: the temporary, flushed, takes the file's name. One a write (or the rename) failed
   * on is discarded, since it holds only part of what it should, and the failure thrown.
   */
  async close(): Promise<void> {
    if (!this.failure) await this.ended();
    if (!this.failure && this.temporary) {
      await rename(this.temporary, this.target).catch((error: NodeJS.ErrnoException) => {
        this.failure = error;
      });
    }
    if (!this.failure && this.temporary) {
      untrack(this.temporary);
      // The file is whole and named: only whether its name survives a crash is at stake, and some
      // file systems cannot flush a directory.
      await syncDirectory(dirname(this.target)).catch(() => undefined);
    }
    await this.throwIfFailed();
  }

  /**
   * Ends the file unfinished, as the command stopped before it was whole, and says whether nothing of
   * it is left: its temporary is removed, and the file it was to replace (if any) is as it was. What
   * went to a device or a pipe cannot be taken back (false).
   */
  discard(): Promise<boolean> {
    this.discarded ??= (async () => {
      this.abandoned = true;
      // What went to a device or a pipe goes on out whole (its lines are whole), unless it failed.
      if (this.temporary || this.failure) this.stream.destroy();
      else this.stream.end();
      if (!this.stream.closed) await once(this.stream, 'close').catch(() => undefined);
      if (!this.temporary) return false;
      await rm(this.temporary, { force: true });
      untrack(this.temporary);
      return true;
    })();
    return this.discarded;
  }

  /** Resolves once everything written is on the file and it is closed (or the failure is kept). */
  private async ended(): Promise<void> {
    const closed = once(this.stream, 'close').catch(() => undefined);
    this.stream.end();
    await closed;
  }

  /**
   * After a failure, discards the file and throws, naming it and saying what is left: the same words
   * whether the failure is met waiting for the file to drain or closing it.
   */
  private async throwIfFailed(): Promise<void> {
    if (!this.failure) return;
    const { code, message } = this.failure;
    const removed = (await this.discard()) && this.temporaryMade;
    const left = this.replacing ? `, ${this.path} left as it was` : '';
    const more = removed ? `; the part written was removed${left}` : '';
    throw new Error(`cannot write ${this.name} (${code ?? message})${more}`);
  }
}

/** The rename of a file into a directory is durable only once the directory itself is flushed. */
const syncDirectory = async (dir: string): Promise<void> => {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/** Writes `text` as the whole of the file at `path` (a LineFile of one write): `name` as LineFile's. */
export const writeWholeFile = async (path: string, text: string, name = path): Promise<void> => {
  const file = new LineFile(path, undefined, name);
  file.write(text);
  await file.close();
};
