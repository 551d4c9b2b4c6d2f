import { createHash } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LINE_STREAM_PREFIX, lineKeyOf } from '#events';
import { DeletedStreamError, type EventStore, checkReaderAgainstStore, whyStartOver } from '#eventstore';
import type { LogIndex } from './log-index.js';
import { ProjectionFailure, type Projection } from './projection.js';
import { ReadModels, type AppliedEvent, type ParkedEvent } from './read-models.js';
import { readScope, streamsOfScope } from './scope-read.js';
import { projectionMismatch } from './snapshot-file.js';

/**
 * /2: a segment's checksum covers its header line too (under /1 the rows only, so a damaged position
 * in a header was used: records folded twice, or skipped).
 */
const FORMAT = 'switchboard-scope-checkpoint/2';
/** Under a projector's data directory (see Projector.dataDir). */
export const SCOPE_CHECKPOINT_DIR = 'scope-checkpoints';
/** Records of an account's scope (its streams' and the clocks') between two of its checkpoints. */
export const DEFAULT_SCOPE_CHECKPOINT_EVERY = 400;
const FILE = /^scope-([A-Za-z0-9_-]*)\.ndjson$/;
const fileFor = (accountId: string): string => `scope-${Buffer.from(accountId).toString('base64url')}.ndjson`;
const IDLE_MS = 1_000;
/** The first three fields of a row line when they need no unescaping: projection, table, key. */
const ROW_HEAD = /^\["([^"\\]*)","([^"\\]*)","([^"\\]*)"/;

/**
 * How a line's query takes one table's rows from its account's checkpoint (see `load`): `whole`, a
 * row of the account (or the clocks) folded from no line's stream; `line`, a row keyed by its line
 * (`<line>` or `<line>/…`) folded from that line's stream alone, taken only for the query's line; a
 * function, for a row several lines add to, the query's line's part of its value (`ofLine` says
 * whether a row key is the line's; undefined: no part, no row). The projections' own are LINE_ROWS.
 */
export type LineRowRule =
  'whole' | 'line' | ((value: unknown, ofLine: (rowKey: string) => boolean) => unknown);
/** A rule for every table, by projection name then table name. */
export type LineRowRules = Readonly<Record<string, Readonly<Record<string, LineRowRule>>>>;

/** What a line's query takes of a checkpoint: the rows its own fold would hold (see LineRowRule). */
interface LineRestriction {
  /** Whether the row is taken at all: not a row of another line. */
  takes(projection: string, table: string, key: string): boolean;
  /** The part of a taken row's value the line's fold would hold (undefined: none, no row). */
  part(projection: string, table: string, value: unknown): unknown;
}

const lineRestriction = (rules: LineRowRules, lineKey: string): LineRestriction => {
  const ofLine = (rowKey: string): boolean => rowKey === lineKey || rowKey.startsWith(`${lineKey}/`);
  return {
    takes: (projection, table, key) => ruleOf(rules, projection, table) !== 'line' || ofLine(key),
    part: (projection, table, value) => {
      // Parked records (see ReadModels): those of the streams the line's fold reads.
      if (projection === '$projector' && table === 'parked') {
        const { stream } = value as ParkedEvent;
        return !stream.startsWith(LINE_STREAM_PREFIX) || lineKeyOf(stream) === lineKey ? value : undefined;
      }
      const rule = ruleOf(rules, projection, table);
      // A table no rule names is none of the projections': restoring it fails, as it does whole.
      return typeof rule === 'function' ? rule(value, ofLine) : value;
    },
  };
};

const ruleOf = (rules: LineRowRules, projection: string, table: string): LineRowRule | undefined => {
  const tables = Object.hasOwn(rules, projection) ? rules[projection] : undefined;
  return tables && Object.hasOwn(tables, table) ? tables[table] : undefined;
};

/** The first line of a segment: which state of which account the rows after it complete. */
interface SegmentHeader {
  readonly format: string;
  readonly account: string;
  /** The `$all` position of the last record folded. */
  readonly position: string;
  /** Records of the scope folded up to it (events, parked ones included). */
  readonly records: number;
  readonly eventCount: number;
  readonly lastSimulatedTime: string | null;
  readonly maxSimulatedTime: string | null;
  readonly lastEvent: { readonly position: string; readonly id: string };
  readonly projections: Readonly<Record<string, number>>;
}

interface SegmentTrailer {
  readonly end: true;
  readonly rows: number;
  /** SHA-256 of the segment's row lines as written, newlines included. */
  readonly sha256: string;
}

/** One checkpoint of an account's scope: the state after its first `records` records. */
export interface ScopeCheckpoint {
  readonly accountId: string;
  readonly position: bigint;
  readonly records: number;
  readonly eventCount: number;
  readonly lastSimulatedTime: string | undefined;
  readonly maxSimulatedTime: string | undefined;
  readonly lastEvent: AppliedEvent;
  /** Where its segment ends in the account's file: the state is the file up to here. */
  readonly end: number;
}

interface AccountFile {
  readonly path: string;
  readonly checkpoints: ScopeCheckpoint[];
  bytes: number;
}

export interface ScopeCheckpointStats {
  readonly accounts: number;
  readonly count: number;
  readonly bytes: number;
  /** Files found unusable (another format or projection version, corrupt, another store's) and removed. */
  readonly ignored: number;
  readonly everyRecords: number;
}

export interface ScopeCheckpointOptions {
  readonly everyRecords?: number;
  readonly parkFailedEvents?: boolean;
  /**
   * How each table's rows belong to lines (LINE_ROWS for the projections): with them a line's query
   * also goes on from its account's checkpoints, taking only its line's rows (see `load`).
   */
  readonly lineRows?: LineRowRules;
  readonly log?: (line: string) => void;
}

/**
 * Checkpoints of each account's scoped read models (see TimeMachine.scoped), so that an account's
 * as-of query folds only the distance from the nearest one at or before the point instead of the
 * account's whole history: reading an account's events costs far more than folding them, and an
 * account of ten busy lines has thousands.
 *
 * On disk, one file per account, `scope-<base64url id>.ndjson`, appended to and never rewritten:
 * each checkpoint is a segment (a header, the rows the events since the previous checkpoint touched,
 * a deleted row as `[projection, table, key]`, and a trailer with the row count and a SHA-256 of the
 * rows), so the state at checkpoint k is the file read up to the end of segment k. A row is thus
 * written again only when it changed: the file holds about the account's read models once over plus
 * the rows that grow (a line's list of calls, a party's history), not a whole state per checkpoint.
 * In memory, only each segment's position, counts and offset.
 *
 * Built in the background (`start`), never by a query, while the log is quiet: once the log index has
 * reached the head and no record has come for a second, each account with `everyRecords` records past
 * its last checkpoint is folded from that checkpoint (its streams read from the index's revision at
 * that position), writing a segment every `everyRecords` records. Never the truth: a file of another format or projection version, a segment failing its
 * count or checksum, or a checkpoint whose last event is not in the store at its position is logged,
 * counted and removed with its whole file; a segment cut short by a crash is cut off; the queries
 * then fold from the first event until the file is built again.
 */
export class ScopeCheckpoints {
  readonly everyRecords: number;
  private readonly parkFailedEvents: boolean;
  private readonly lineRows: LineRowRules | undefined;
  private readonly log: (line: string) => void;
  private readonly files = new Map<string, AccountFile>();
  /** Accounts a fold cannot go through (a deleted stream, an event a projection refuses): left alone. */
  private readonly unbuildable = new Set<string>();
  private ignoredCount = 0;
  /** Builds run one at a time: two at once would append the same checkpoint twice. */
  private building: Promise<unknown> = Promise.resolve();
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();

  constructor(
    readonly dir: string,
    readonly projections: readonly Projection[],
    private readonly store: EventStore,
    private readonly index: LogIndex,
    options: ScopeCheckpointOptions = {},
  ) {
    this.everyRecords = options.everyRecords ?? DEFAULT_SCOPE_CHECKPOINT_EVERY;
    this.parkFailedEvents = options.parkFailedEvents ?? false;
    this.log = options.log ?? ((line) => console.log(line));
    this.lineRows = options.lineRows;
    // A table without a rule would be taken by a guess: refused at once instead.
    const unruled = projections.flatMap((projection) =>
      Object.keys(projection.create())
        .filter((table) => options.lineRows && !ruleOf(options.lineRows, projection.name, table))
        .map((table) => `${projection.name}.${table}`),
    );
    if (unruled.length > 0) throw new Error(`the line row rules say nothing of ${unruled.join(', ')}`);
  }

  /** Whether a line's query can go on from its account's checkpoints (see `load`). */
  get servesLines(): boolean {
    return this.lineRows !== undefined;
  }

  /** Indexes the files on disk (their segments' headers); unusable ones are removed, torn tails cut off. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const file of await readdir(this.dir)) {
      const path = join(this.dir, file);
      const match = FILE.exec(file);
      if (!match) continue;
      const accountId = Buffer.from(match[1]!, 'base64url').toString();
      const scanned = await this.scan(path, accountId);
      if (typeof scanned === 'string') {
        await this.discard(path, accountId, scanned);
        continue;
      }
      if (scanned.checkpoints.length === 0) {
        await rm(path, { force: true });
        continue;
      }
      if (scanned.torn) {
        this.log(`time travel: ${file} ends in a segment cut short; cut off`);
        await truncate(path, scanned.bytes);
      }
      this.files.set(accountId, { path, checkpoints: scanned.checkpoints, bytes: scanned.bytes });
    }
  }

  get stats(): ScopeCheckpointStats {
    let count = 0;
    let bytes = 0;
    for (const file of this.files.values()) {
      count += file.checkpoints.length;
      bytes += file.bytes;
    }
    return {
      accounts: this.files.size,
      count,
      bytes,
      ignored: this.ignoredCount,
      everyRecords: this.everyRecords,
    };
  }

  /** The account's checkpoints, in log order. */
  of(accountId: string): readonly ScopeCheckpoint[] {
    return this.files.get(accountId)?.checkpoints ?? [];
  }

  /** The latest checkpoint of the account at or before `until` (undefined: the latest of all). */
  nearest(accountId: string, until: bigint | undefined): ScopeCheckpoint | undefined {
    const checkpoints = this.of(accountId);
    let low = 0;
    let high = checkpoints.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (until === undefined || checkpoints[mid]!.position <= until) low = mid + 1;
      else high = mid;
    }
    return checkpoints[low - 1];
  }

  /**
   * The account's scoped read models at the checkpoint, or undefined when they cannot be had (then
   * the account's file is removed): a segment fails its checks, or the checkpoint's last event is not
   * in `store` at its position (the store was replaced since).
   *
   * With `lineKey` (one of the account's lines; only when `servesLines`), the read models a fold of
   * that line's scope (the account's stream, the line's and the clocks') holds at the checkpoint,
   * row for row: the rows of the account and the clocks, the line's own, and of a row several lines
   * add to, the line's part (see LineRowRule); the rows of the account's other lines are skipped
   * unparsed, and parked records of their streams left out. Its `eventCount` is then that scope's,
   * from the log index; its `lastEvent` stays the checkpoint's, which may be another line's.
   */
  async load(checkpoint: ScopeCheckpoint, lineKey?: string): Promise<ReadModels | undefined> {
    const file = this.files.get(checkpoint.accountId);
    if (!file) return undefined;
    let restriction: LineRestriction | undefined;
    if (lineKey !== undefined) {
      if (!this.lineRows) throw new Error('without line row rules a checkpoint is loaded whole only');
      restriction = lineRestriction(this.lineRows, lineKey);
    }
    const readModels = new ReadModels(this.projections);
    const problem = await this.restore(file.path, checkpoint.end, readModels, restriction).catch(
      (error: unknown) => `unreadable: ${error instanceof Error ? error.message : String(error)}`,
    );
    if (problem !== undefined) {
      await this.discard(file.path, checkpoint.accountId, problem);
      return undefined;
    }
    const last = checkpoint.lastEvent;
    const check = await checkReaderAgainstStore(this.store, last);
    if (check.kind !== 'kept') {
      await this.discard(file.path, checkpoint.accountId, whyStartOver(last, check));
      return undefined;
    }
    let eventCount = checkpoint.eventCount;
    if (lineKey !== undefined) {
      // The scope's records up to the checkpoint, less those parked: what its fold would have applied.
      let records = 0;
      for (const stream of streamsOfScope(this.index, { accountIds: [checkpoint.accountId], lineKey }))
        records += this.index.recordsUntil(stream, checkpoint.position);
      eventCount = records - readModels.parkedCount;
    }
    readModels.restorePosition(
      checkpoint.position,
      eventCount,
      checkpoint.lastSimulatedTime,
      last,
      checkpoint.maxSimulatedTime,
    );
    return readModels;
  }

  /**
   * Builds checkpoints in the background from now on, whenever accounts have grown by `everyRecords`
   * and the log has been quiet (no new record) for `IDLE_MS`. Building reads and folds an account's
   * events a second time: under load it doubled the projector's CPU per command in bench:e2e, so a
   * projector that is busy projecting spends nothing on them, and a build stops at its next
   * checkpoint when records arrive. Until an account's checkpoints are built, its as-of queries fold
   * from its first event (or its last checkpoint): slower, never different.
   */
  start(): void {
    this.running ??= (async () => {
      let seen: bigint | undefined | null = null;
      while (!this.stopping.signal.aborted) {
        const quiet = this.index.caughtUp && this.index.position === seen;
        seen = this.index.position;
        const since = seen;
        let written = 0;
        if (quiet) {
          try {
            written = await this.catchUp(() => this.index.position !== since);
          } catch (error) {
            this.log(`time travel: building scope checkpoints failed (${String(error)}); trying again`);
          }
        }
        if (written === 0)
          await sleep(IDLE_MS, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    await this.building;
  }

  /**
   * Writes every checkpoint due as far as the index has seen the log, or until `busy` says the log
   * has work for the projector again; answers how many it wrote.
   */
  catchUp(busy: () => boolean = () => false): Promise<number> {
    return this.exclusive(async () => {
      let written = 0;
      for (const accountId of [...this.index.accounts]) {
        if (this.stopping.signal.aborted || busy()) break;
        if (!this.unbuildable.has(accountId)) written += await this.build(accountId, busy);
      }
      return written;
    });
  }

  private async build(accountId: string, busy: () => boolean): Promise<number> {
    const streams = streamsOfScope(this.index, { accountIds: [accountId] });
    let indexed = 0;
    for (const stream of streams) indexed += this.index.recordsOf(stream);
    const last = this.of(accountId).at(-1);
    if (indexed - (last?.records ?? 0) < this.everyRecords) return 0;
    const loaded = last && (await this.load(last));
    const from = loaded ? last : undefined;
    const readModels = loaded || new ReadModels(this.projections);
    const until = this.index.position;
    let written = 0;
    try {
      const items = await readScope(this.store, this.index, streams, from?.position, until);
      readModels.trackTouches();
      let records = from?.records ?? 0;
      for (const [i, item] of items.entries()) {
        if (item.kind === 'foreign') readModels.parkForeign(item.foreign);
        else if (this.parkFailedEvents) readModels.applyOrPark(item.stored);
        else readModels.apply(item.stored);
        records++;
        if ((i + 1) % this.everyRecords === 0) {
          await this.append(accountId, readModels, records);
          written++;
          if (busy()) break;
        }
      }
    } catch (error) {
      if (!(error instanceof DeletedStreamError) && !(error instanceof ProjectionFailure)) throw error;
      // A query about it meets the same and answers as it can (see TimeMachine.scoped).
      this.unbuildable.add(accountId);
      this.log(`time travel: no scope checkpoints for account ${accountId} (${error.message})`);
    }
    return written;
  }

  private async append(accountId: string, readModels: ReadModels, records: number): Promise<void> {
    const lastEvent = readModels.lastEvent!;
    const header: SegmentHeader = {
      format: FORMAT,
      account: accountId,
      position: String(lastEvent.position),
      records,
      eventCount: readModels.eventCount,
      lastSimulatedTime: readModels.lastSimulatedTime ?? null,
      maxSimulatedTime: readModels.maxSimulatedTime ?? null,
      lastEvent: { position: String(lastEvent.position), id: lastEvent.id },
      projections: Object.fromEntries(this.projections.map((p) => [p.name, p.version])),
    };
    const lines = [JSON.stringify(header)];
    const checksum = createHash('sha256').update(lines[0] + '\n');
    let rows = 0;
    for (const touched of readModels.takeTouchedRows()) {
      const line = JSON.stringify('deleted' in touched ? touched.deleted : touched);
      checksum.update(line + '\n');
      lines.push(line);
      rows++;
    }
    lines.push(JSON.stringify({ end: true, rows, sha256: checksum.digest('hex') } satisfies SegmentTrailer));
    const text = lines.join('\n') + '\n';
    const path = join(this.dir, fileFor(accountId));
    const file = this.files.get(accountId) ?? { path, checkpoints: [], bytes: 0 };
    await mkdir(this.dir, { recursive: true });
    // Not synced: a checkpoint is never the truth, and a segment a crash cut short is cut off on open.
    await appendFile(path, text);
    file.bytes += Buffer.byteLength(text);
    file.checkpoints.push({
      accountId,
      position: lastEvent.position,
      records,
      eventCount: header.eventCount,
      lastSimulatedTime: readModels.lastSimulatedTime,
      maxSimulatedTime: readModels.maxSimulatedTime,
      lastEvent,
      end: file.bytes,
    });
    this.files.set(accountId, file);
  }

  /**
   * Restores the rows of the file up to `end` into `readModels` (with `restriction`, those a line's
   * query takes); answers what is wrong, if anything. Every segment is checked whole either way.
   */
  private async restore(
    path: string,
    end: number,
    readModels: ReadModels,
    restriction: LineRestriction | undefined,
  ): Promise<string | undefined> {
    const handle = await open(path, 'r');
    const buffer = Buffer.alloc(end);
    try {
      const { bytesRead } = await handle.read(buffer, 0, end, 0);
      if (bytesRead !== end) return `${bytesRead} bytes, ${end} expected`;
    } finally {
      await handle.close();
    }
    // Segment by segment: its header, its rows (hashed as one slice of bytes, then parsed), its trailer.
    let offset = 0;
    const lineAt = (from: number): { text: string; next: number } | undefined => {
      const newline = buffer.indexOf(0x0a, from);
      return newline < 0 ? undefined : { text: buffer.toString('utf8', from, newline), next: newline + 1 };
    };
    while (offset < end) {
      const header = lineAt(offset);
      if (!header || !header.text.startsWith('{')) return 'a segment without its header';
      const rowsStart = header.next;
      // The trailer is the first line after the rows that is not one ("\n{").
      let rowsEnd = rowsStart;
      while (rowsEnd < end && buffer[rowsEnd] === 0x5b /* [ */) {
        const newline = buffer.indexOf(0x0a, rowsEnd);
        if (newline < 0) return 'the last segment is cut short';
        rowsEnd = newline + 1;
      }
      const trailerLine = lineAt(rowsEnd);
      if (!trailerLine) return 'the last segment is cut short';
      const trailer = JSON.parse(trailerLine.text) as Partial<SegmentTrailer>;
      if (trailer.end !== true) return 'a segment without its trailer';
      const rows = rowsEnd === rowsStart ? [] : buffer.toString('utf8', rowsStart, rowsEnd - 1).split('\n');
      if (trailer.rows !== rows.length)
        return `${rows.length} rows in a segment, its trailer says ${trailer.rows}`;
      // From the header on: its position says where the rows' state ends.
      const checksum = createHash('sha256').update(buffer.subarray(offset, rowsEnd)).digest('hex');
      if (trailer.sha256 !== checksum) return 'header or rows do not match their checksum';
      for (const line of rows) {
        // Most of an account's rows are its lines': another line's is passed over without parsing it.
        const head = restriction && ROW_HEAD.exec(line);
        if (head && !restriction.takes(head[1]!, head[2]!, head[3]!)) continue;
        const row = JSON.parse(line) as unknown[];
        if (row.length !== 4 && row.length !== 3) return `a row of ${row.length} fields`;
        const [projection, table, key] = [String(row[0]), String(row[1]), String(row[2])];
        if (restriction && !restriction.takes(projection, table, key)) continue;
        const value =
          row.length === 3 ? undefined : restriction ? restriction.part(projection, table, row[3]) : row[3];
        if (value === undefined) readModels.restoreDeletion(projection, table, key);
        else readModels.restoreRow([projection, table, key, value]);
      }
      offset = trailerLine.next;
    }
    return undefined;
  }

  /** The segments of an account's file, by their headers and trailers (rows are checked when loaded). */
  private async scan(
    path: string,
    accountId: string,
  ): Promise<string | { checkpoints: ScopeCheckpoint[]; bytes: number; torn: boolean }> {
    const text = await readFile(path);
    const checkpoints: ScopeCheckpoint[] = [];
    let header: SegmentHeader | undefined;
    let offset = 0;
    let bytes = 0;
    while (offset < text.length) {
      const newline = text.indexOf(0x0a, offset);
      if (newline < 0) break;
      const first = text[offset];
      const line = first === 0x7b /* { */ ? text.toString('utf8', offset, newline) : undefined;
      offset = newline + 1;
      if (line === undefined) continue;
      let object: Partial<SegmentTrailer> & Partial<SegmentHeader>;
      try {
        object = JSON.parse(line) as typeof object;
      } catch {
        return 'a header or trailer that is not JSON';
      }
      if (object.end === true) {
        if (!header) return 'a trailer without its header';
        checkpoints.push({
          accountId,
          position: BigInt(header.position),
          records: header.records,
          eventCount: header.eventCount,
          lastSimulatedTime: header.lastSimulatedTime ?? undefined,
          maxSimulatedTime: header.maxSimulatedTime ?? undefined,
          lastEvent: { position: BigInt(header.lastEvent.position), id: header.lastEvent.id },
          end: offset,
        });
        bytes = offset;
        header = undefined;
        continue;
      }
      if (header) return 'a segment without its trailer';
      if (object.format !== FORMAT) return `format ${String(object.format)}, expected ${FORMAT}`;
      const mismatch = projectionMismatch(object.projections ?? {}, this.projections);
      if (mismatch) return mismatch;
      if (object.account !== accountId) return `a segment of account ${String(object.account)}`;
      header = object as SegmentHeader;
    }
    return { checkpoints, bytes, torn: bytes !== text.length };
  }

  private async discard(path: string, accountId: string, reason: string): Promise<void> {
    this.ignoredCount++;
    this.log(`time travel: scope checkpoints of account ${accountId} ignored and removed (${reason})`);
    this.files.delete(accountId);
    await rm(path, { force: true });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.building.then(work);
    this.building = run.catch(() => undefined);
    return run;
  }
}
