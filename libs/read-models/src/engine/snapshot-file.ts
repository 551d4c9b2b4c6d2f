import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ReadModels } from './read-models.js';
import type { Projection } from './projection.js';
import type { Row } from './row-capture.js';

/**
 * /4: the trailer's checksum covers the header line too (under /3 it covered the rows only, so a
 * damaged position in the header was resumed from: events applied twice, or skipped).
 */
const FORMAT = 'switchboard-projector-snapshot/4';
export const SNAPSHOT_FILE = 'read-models.snapshot.ndjson';
/** How long rows are copied at a stretch before events get their turn again. */
const SLICE_MS = 4;
/** Rows are written to the file in chunks of about this many characters. */
const CHUNK_CHARS = 1 << 20;

export interface SnapshotHeader {
  readonly format: string;
  readonly position: string | null;
  readonly eventCount: number;
  readonly lastSimulatedTime: string | null;
  /**
   * The latest simulated time of every event applied so far (null or absent: not known, as in a
   * snapshot written before it was kept). A checkpoint answers "as of time T" only when this is at
   * most T: see TimeMachine.
   */
  readonly maxSimulatedTime?: string | null;
  /** The last event applied, so that a snapshot is never resumed against another store's log. */
  readonly lastEvent: { readonly position: string; readonly id: string } | null;
  readonly projections: Readonly<Record<string, number>>;
}

interface Trailer {
  readonly end: true;
  readonly rows: number;
  /** SHA-256 of the header line and the row lines as written, newlines included. */
  readonly sha256: string;
}

export type SnapshotLoad =
  | { readonly kind: 'loaded'; readonly readModels: ReadModels }
  | { readonly kind: 'none' }
  /** A snapshot exists but cannot be resumed from; the reason says why, the read models start over. */
  | { readonly kind: 'discarded'; readonly reason: string };

const versionsOf = (projections: readonly Projection[]): Record<string, number> =>
  Object.fromEntries(projections.map((p) => [p.name, p.version]));

/** A snapshot whose rows are all in its temporary file: `commit` makes it durable and the current one. */
export interface CapturedSnapshot {
  commit(): Promise<void>;
}

/**
 * The checkpoint position and the read-model state live in the same file, written atomically
 * together. Kept apart (a checkpoint stream here, a state file there) a crash between the two writes
 * would pair a state with the wrong position: resuming from a newer checkpoint than the state skips
 * events for good, from an older one applies events twice (a call answered twice, a history entry
 * duplicated). One file, written to a temporary name, fsynced and renamed over the old one, is
 * either wholly the old snapshot or wholly the new one.
 *
 * The format is one JSON line per row, so a state of millions of rows is written and read without one
 * string of its size. The trailer carries the row count and a checksum of the header and the rows: a
 * truncated or edited file (a position in its header as much as a row) is detected and discarded
 * rather than resumed from.
 *
 * The state is the one of the moment of the call, but the projector does not wait for it to be
 * written: rows are copied a few milliseconds at a time, events are applied in between, and a row an
 * event is about to change is copied first (ReadModels.beginCapture). Holding the projector while a
 * whole state was written paused it for as long as the state was large (a load test's read-model lag
 * grew spikes of that length). `commit` then makes the file durable and the current snapshot.
 */
export async function captureSnapshot(
  dir: string,
  readModels: ReadModels,
  fileName = SNAPSHOT_FILE,
): Promise<CapturedSnapshot> {
  // Everything that says which moment the snapshot holds is taken before the first await.
  const header: SnapshotHeader = {
    format: FORMAT,
    position: readModels.position === undefined ? null : String(readModels.position),
    eventCount: readModels.eventCount,
    lastSimulatedTime: readModels.lastSimulatedTime ?? null,
    maxSimulatedTime: readModels.maxSimulatedTime ?? null,
    lastEvent: readModels.lastEvent
      ? { position: String(readModels.lastEvent.position), id: readModels.lastEvent.id }
      : null,
    projections: versionsOf(readModels.projections),
  };
  const headerLine = JSON.stringify(header);
  const checksum = createHash('sha256').update(headerLine + '\n');
  let chunk: string[] = [headerLine];
  let chunkChars = 0;
  let rows = 0;
  const capture = readModels.beginCapture((row: Row) => {
    const line = JSON.stringify(row);
    checksum.update(line + '\n');
    chunk.push(line);
    chunkChars += line.length;
    rows++;
  });
  const takeChunk = (): string => {
    const text = chunk.join('\n') + '\n';
    chunk = [];
    chunkChars = 0;
    return text;
  };

  const target = join(dir, fileName);
  const temporary = `${target}.${process.pid}.tmp`;
  let file: FileHandle | undefined;
  try {
    await mkdir(dir, { recursive: true });
    file = await open(temporary, 'w');
    while (capture.copyFor(SLICE_MS)) {
      if (chunkChars >= CHUNK_CHARS) await file.write(takeChunk());
      else await nextTurn();
    }
    chunk.push(JSON.stringify({ end: true, rows, sha256: checksum.digest('hex') } satisfies Trailer));
    await file.write(takeChunk());
  } catch (error) {
    capture.release();
    await file?.close();
    // A full disk must not be kept full by the part written.
    await rm(temporary, { force: true });
    throw error;
  }
  return { commit: () => commitSnapshot(file, temporary, target, dir) };
}

async function commitSnapshot(
  file: FileHandle,
  temporary: string,
  target: string,
  dir: string,
): Promise<void> {
  try {
    await file.sync();
    await file.close();
    await rename(temporary, target);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  // The rename itself is durable only once the directory entry is flushed.
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/**
 * Removes the temporary snapshot files (`<fileName>.<pid>.tmp`) of processes that are gone: a projector
 * killed while it wrote a snapshot leaves one, up to a whole snapshot's size, and a crash loop one per
 * crash. A file of a process still running (another projector on the same directory) is left alone.
 */
export async function removeStaleTemporaries(dir: string, fileName = SNAPSHOT_FILE): Promise<string[]> {
  const pattern = new RegExp(`^${fileName.replaceAll('.', '\\.')}\\.(\\d+)\\.tmp$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return removed;
    throw error;
  }
  for (const name of names) {
    const pid = pattern.exec(name)?.[1];
    if (pid === undefined || processIsRunning(Number(pid))) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

const processIsRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
};

/** Captures and commits a snapshot: once this resolves, a restart resumes from it. */
export async function writeSnapshot(
  dir: string,
  readModels: ReadModels,
  fileName = SNAPSHOT_FILE,
): Promise<void> {
  await (await captureSnapshot(dir, readModels, fileName)).commit();
}

/** The header line of a snapshot file (undefined when the file is missing, empty or not JSON). */
export async function readSnapshotHeader(path: string): Promise<SnapshotHeader | undefined> {
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 4096 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as SnapshotHeader)
        : undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    lines.close();
    input.destroy();
  }
}

export async function readSnapshot(
  dir: string,
  projections: readonly Projection[],
  fileName = SNAPSHOT_FILE,
): Promise<SnapshotLoad> {
  const path = join(dir, fileName);
  const input = createReadStream(path, { encoding: 'utf8' });
  const opened = await new Promise<boolean>((resolve, reject) => {
    input.once('open', () => resolve(true));
    input.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' ? resolve(false) : reject(error),
    );
  });
  if (!opened) return { kind: 'none' };

  const readModels = new ReadModels(projections);
  let header: SnapshotHeader | undefined;
  let trailer: Trailer | undefined;
  let rows = 0;
  const checksum = createHash('sha256');
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (trailer) return { kind: 'discarded', reason: 'data after the trailer' };
      const parsed: unknown = JSON.parse(line);
      if (!header) {
        // The header is checksummed with the rows: its position says where the rows' state ends.
        checksum.update(line + '\n');
        header = parsed as SnapshotHeader;
        const mismatch = incompatibility(header, projections);
        if (mismatch) return { kind: 'discarded', reason: mismatch };
      } else if (Array.isArray(parsed)) {
        checksum.update(line + '\n');
        readModels.restoreRow(parsed as unknown as Row);
        rows++;
      } else {
        trailer = parsed as Trailer;
      }
    }
  } catch (error) {
    return {
      kind: 'discarded',
      reason: `unreadable: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    lines.close();
    input.destroy();
  }
  if (!header || !trailer?.end) return { kind: 'discarded', reason: 'truncated (no trailer)' };
  if (trailer.rows !== rows)
    return { kind: 'discarded', reason: `${rows} rows, trailer says ${trailer.rows}` };
  // Checked before the header is used: a damaged position (say, not a number) is never read.
  if (checksum.digest('hex') !== trailer.sha256)
    return { kind: 'discarded', reason: 'header or rows do not match their checksum' };
  readModels.restorePosition(
    header.position === null ? undefined : BigInt(header.position),
    header.eventCount,
    header.lastSimulatedTime ?? undefined,
    header.lastEvent ? { position: BigInt(header.lastEvent.position), id: header.lastEvent.id } : undefined,
    header.maxSimulatedTime ?? undefined,
  );
  return { kind: 'loaded', readModels };
}

export const removeSnapshot = (dir: string): Promise<void> => rm(join(dir, SNAPSHOT_FILE), { force: true });

export const incompatibility = (
  header: SnapshotHeader,
  projections: readonly Projection[],
): string | undefined => {
  if (header.format !== FORMAT) return `format ${String(header.format)}, expected ${FORMAT}`;
  return projectionMismatch(header.projections ?? {}, projections);
};

/** Why read models written by projections of these versions cannot be used by `projections`, if so. */
export const projectionMismatch = (
  versions: Readonly<Record<string, number>>,
  projections: readonly Projection[],
): string | undefined => {
  const expected = versionsOf(projections);
  // The versions are read from a file: their names are looked up as own properties only.
  const written = new Map(Object.entries(versions));
  for (const [name, version] of Object.entries(expected)) {
    if (written.get(name) !== version) {
      return `projection ${name} is v${version} in this build but v${written.get(name) ?? 'absent'} in the snapshot`;
    }
  }
  for (const name of written.keys()) {
    if (!Object.hasOwn(expected, name)) return `projection ${name} is in the snapshot but not in this build`;
  }
  return undefined;
};
