/** One row of a read model, as written to a snapshot. */
export type Row = readonly [projection: string, table: string, key: string, value: unknown];

/** Receives each row of a capture once, as the row stood when the capture began. */
export type RowSink = (row: Row) => void;

/** How many rows are copied between two looks at the clock while a slice runs. */
const ROWS_PER_CLOCK_CHECK = 64;

const rawGet = Map.prototype.get;
const rawHas = Map.prototype.has;
const ABSENT = Symbol('absent');

/** What a table needs to hand a row to the capture under way before anything changes it. */
interface TableCapture {
  before(key: string): void;
  beforeClear(): void;
}

/**
 * A read-model table. Outside a capture it is a plain Map. During one, the first `get`, `set` or
 * `delete` of a key the capture has not copied yet copies that row first, as it still stands: the
 * handlers mutate the values they `get` in place, so a `get` is where a row may start to change.
 * Projections have no other way to reach a row (they never iterate a table), which is what makes the
 * copy taken at first touch the row as of the capture's start.
 */
export class CapturableTable<V> extends Map<string, V> {
  private capture: TableCapture | undefined;
  /**
   * While an event is applied with an undo (see ReadModels.applyOrPark): each row as it stood before
   * the event first touched it, a copy, since handlers mutate what they `get` in place.
   */
  private undo: Map<string, V | typeof ABSENT> | undefined;
  /** While touches are tracked (see trackTouches): every key read, written or deleted since. */
  private touched: Set<string> | undefined;

  override get(key: string): V | undefined {
    this.capture?.before(key);
    if (this.undo) this.keep(key);
    this.touched?.add(key);
    return super.get(key);
  }

  override set(key: string, value: V): this {
    this.capture?.before(key);
    if (this.undo) this.keep(key);
    this.touched?.add(key);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.capture?.before(key);
    if (this.undo) this.keep(key);
    this.touched?.add(key);
    return super.delete(key);
  }

  override clear(): void {
    this.capture?.beforeClear();
    if (this.undo) for (const key of this.keys()) this.keep(key);
    if (this.touched) for (const key of this.keys()) this.touched.add(key);
    super.clear();
  }

  /**
   * Starts (or starts over) noting every key touched: the rows that may have changed since, for a
   * checkpoint that holds only those (see ScopeCheckpoints). A `get` counts, since handlers change
   * the values they get in place.
   */
  trackTouches(): void {
    this.touched = new Set();
  }

  /** The keys touched since `trackTouches` (or the last take), which starts a new tally. */
  takeTouched(): ReadonlySet<string> {
    const touched = this.touched ?? new Set<string>();
    this.touched = new Set();
    return touched;
  }

  /** Starts keeping what the rows touched from now on looked like, for `rollBack`. */
  beginUndo(): void {
    this.undo = new Map();
  }

  /** Forgets the kept rows: the changes since `beginUndo` stand. */
  endUndo(): void {
    this.undo = undefined;
  }

  /** Puts every row touched since `beginUndo` back as it was. */
  rollBack(): void {
    const undo = this.undo;
    this.undo = undefined;
    if (!undo) return;
    for (const [key, value] of undo) {
      if (value === ABSENT) this.delete(key);
      else this.set(key, value);
    }
  }

  private keep(key: string): void {
    if (this.undo!.has(key)) return;
    this.undo!.set(key, rawHas.call(this, key) ? structuredClone(rawGet.call(this, key) as V) : ABSENT);
  }

  /** Used by RowCapture only: one capture at a time watches a table. */
  attach(capture: TableCapture): void {
    if (this.capture) throw new Error('a capture of this table is already under way');
    this.capture = capture;
  }

  detach(capture: TableCapture): void {
    if (this.capture === capture) this.capture = undefined;
  }
}

/** A table of a read model, named for the rows it produces. */
export interface NamedTable {
  readonly projection: string;
  readonly name: string;
  readonly table: CapturableTable<unknown>;
}

/**
 * Copies every row of a set of tables as they stood at its start, while the tables go on changing:
 * the snapshot of a projector that does not stop applying events while it writes one. Rows are copied
 * in slices (`copyFor`), between which the caller lets events be applied; a row touched before its
 * turn is copied at that moment, before the change (see CapturableTable). Each row reaches the sink
 * exactly once; a key added after the start is never copied, a key deleted after it is copied as it
 * was.
 */
export class RowCapture {
  private readonly copied = new Map<CapturableTable<unknown>, Set<string>>();
  private readonly watchers = new Map<CapturableTable<unknown>, TableCapture>();
  private readonly remaining: Iterator<readonly [NamedTable, string, unknown]>;
  private finished = false;
  /** A sink that threw while a handler touched a row: `copyFor` throws it instead. */
  private failure: unknown;

  constructor(
    private readonly tables: readonly NamedTable[],
    private readonly sink: RowSink,
  ) {
    try {
      for (const named of tables) {
        const copied = new Set<string>();
        this.copied.set(named.table, copied);
        const watcher: TableCapture = {
          before: (key) => this.copyBeforeTouch(named, copied, key),
          beforeClear: () => {
            for (const key of named.table.keys()) this.copyBeforeTouch(named, copied, key);
          },
        };
        named.table.attach(watcher);
        this.watchers.set(named.table, watcher);
      }
    } catch (error) {
      this.release();
      throw error;
    }
    this.remaining = this.untouched();
  }

  /**
   * Copies untouched rows for about `ms` milliseconds. Answers true while rows remain; once none
   * remain the tables are released and later changes are no longer watched.
   */
  copyFor(ms: number): boolean {
    if (this.finished) return false;
    const deadline = performance.now() + ms;
    try {
      for (let n = 1; ; n++) {
        if (this.failure !== undefined) throw this.failure;
        const next = this.remaining.next();
        if (next.done) {
          this.release();
          return false;
        }
        const [named, key, value] = next.value;
        this.sink([named.projection, named.name, key, value]);
        if (n % ROWS_PER_CLOCK_CHECK === 0 && performance.now() >= deadline) return true;
      }
    } catch (error) {
      this.release();
      throw error;
    }
  }

  /** Stops watching the tables: the capture is done or abandoned. */
  release(): void {
    this.finished = true;
    for (const [table, watcher] of this.watchers) table.detach(watcher);
  }

  /** Rows not copied yet, table by table; Map iterators see rows added later, which are skipped. */
  private *untouched(): Generator<readonly [NamedTable, string, unknown]> {
    for (const named of this.tables) {
      const copied = this.copied.get(named.table)!;
      for (const [key, value] of named.table) {
        if (copied.has(key)) continue;
        copied.add(key);
        yield [named, key, value];
      }
    }
  }

  private copyBeforeTouch(named: NamedTable, copied: Set<string>, key: string): void {
    if (copied.has(key)) return;
    copied.add(key);
    // A key absent now was added after the start: marking it copied keeps it out of the capture.
    if (!rawHas.call(named.table, key) || this.failure !== undefined) return;
    try {
      this.sink([named.projection, named.name, key, rawGet.call(named.table, key)]);
    } catch (error) {
      // Thrown here it would reach the handler that touched the row and stop the projector.
      this.failure = error;
    }
  }
}
