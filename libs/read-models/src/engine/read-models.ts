import type { DomainEvent, ForeignReason } from '#events';
import type { ForeignEvent, StoredEvent } from '#eventstore';
import { CanonicalHasher } from './canonical-json.js';
import { IRRELEVANT, ProjectionFailure, type Handler, type Projection, type Tables } from './projection.js';
import { CapturableTable, RowCapture, type NamedTable, type Row, type RowSink } from './row-capture.js';

interface Dispatch {
  readonly projection: string;
  readonly state: Tables;
  readonly handler: Handler<Tables, DomainEvent>;
}

/** An applied event by its `$all` position and id. */
export interface AppliedEvent {
  readonly position: bigint;
  readonly id: string;
}

/**
 * An event the read models skip, kept with where it is and why (a dead letter): a foreign event
 * (always parked) or one a projection could not apply (parked only when the projector is told to).
 * No time of parking: a rebuild parks the same events and must produce the same digest.
 */
export interface ParkedEvent {
  readonly position: string;
  readonly stream: string;
  readonly revision: string;
  readonly id: string;
  readonly type: string;
  readonly reason: ForeignReason | 'PROJECTION_FAILED';
  /** The projection that could not apply it, for PROJECTION_FAILED. */
  readonly projection: string | null;
  readonly detail: string;
}

/** Where parked events live: a table of their own, snapshotted and digested with the read models. */
const PARKED = { projection: '$projector', table: 'parked' } as const;

/** Table keys sort as positions do. */
const parkedKey = (position: bigint): string => position.toString().padStart(20, '0');

/**
 * Events the server examines between two checkpoints of a projector subscription: a read batch of the
 * embedded server. At the client's default of 32 the server cut its catch-up reads into 32-event
 * batches, each followed by a checkpoint message to handle, for a third more server work per event;
 * a position still moves past other streams' events within this many events.
 */
export const CHECKPOINT_EVERY = 512;

/**
 * Every read model of the projector, in memory, with the `$all` position they reflect. `apply` is
 * synchronous: a query never observes an event half-applied across projections.
 */
export class ReadModels {
  /** `$all` commit position everything up to which is reflected (undefined: nothing read yet). */
  position: bigint | undefined;
  eventCount = 0;
  /** Simulated time of the last applied event (R21), for "as of time" answers and lag reports. */
  lastSimulatedTime: string | undefined;
  /**
   * The latest simulated time of all applied events (undefined: none, or not known because these
   * read models were restored from a snapshot that did not keep it). Events are not in simulated-time
   * order across api instances, so this is what says that a prefix of the log is all at or before T.
   */
  maxSimulatedTime: string | undefined;
  private maxSimulatedMs: number | undefined;
  /** False once restored from a snapshot without a maxSimulatedTime: it stays unknown. */
  private maxSimulatedKnown = true;
  /** The last applied event: what tells a snapshot's store from another one (see Projector). */
  lastEvent: AppliedEvent | undefined;
  private lastEventPosition: bigint | undefined;
  private readonly states = new Map<string, Tables>();
  private readonly tables: NamedTable[] = [];
  private readonly dispatch = new Map<string, readonly Dispatch[]>();
  private readonly parkedTable = new CapturableTable<ParkedEvent>();

  constructor(readonly projections: readonly Projection[]) {
    for (const projection of projections) {
      if (this.states.has(projection.name)) throw new Error(`two projections named ${projection.name}`);
      // Each table the projection creates is swapped for a capturable one: see beginCapture.
      const created = Object.entries(projection.create()).map(([name, table]) => {
        if (table.size > 0) throw new Error(`projection ${projection.name} creates table ${name} with rows`);
        const capturable = new CapturableTable<unknown>();
        this.tables.push({ projection: projection.name, name, table: capturable });
        return [name, capturable] as const;
      });
      this.states.set(projection.name, Object.fromEntries(created));
    }
    this.states.set(PARKED.projection, { [PARKED.table]: this.parkedTable });
    this.tables.push({
      projection: PARKED.projection,
      name: PARKED.table,
      table: this.parkedTable as CapturableTable<unknown>,
    });
  }

  /** Events the read models skip, in log order. */
  get parked(): ParkedEvent[] {
    return [...this.parkedTable.keys()].sort().map((key) => this.parkedTable.get(key)!);
  }

  get parkedCount(): number {
    return this.parkedTable.size;
  }

  /**
   * Applies the event, or, when a projection cannot apply it, undoes what the projections before it
   * did and parks it: the read models are then exactly as if it were not in the log. Slower than
   * `apply` (every row an event touches is copied first), so only a projector told to park uses it.
   */
  applyOrPark(stored: StoredEvent): ParkedEvent | undefined {
    for (const { table } of this.tables) table.beginUndo();
    try {
      this.apply(stored);
    } catch (error) {
      if (!(error instanceof ProjectionFailure) || stored.position === undefined) throw error;
      for (const { table } of this.tables) table.rollBack();
      return this.park({
        id: stored.id,
        stream: stored.stream,
        revision: stored.revision,
        position: stored.position,
        type: stored.event.type,
        reason: 'PROJECTION_FAILED',
        projection: error.projection,
        detail: error.reason,
      });
    } finally {
      for (const { table } of this.tables) table.endUndo();
    }
    return undefined;
  }

  /** Parks a foreign event: the read models move past it without applying it. */
  parkForeign(foreign: ForeignEvent): ParkedEvent | undefined {
    if (foreign.position === undefined) return undefined;
    return this.park({ ...foreign, position: foreign.position, projection: null });
  }

  private park(event: {
    id: string;
    stream: string;
    revision: bigint;
    position: bigint;
    type: string;
    reason: ParkedEvent['reason'];
    projection: string | null;
    detail: string;
  }): ParkedEvent | undefined {
    // Delivered again after a reconnect: already parked (or applied) at this position.
    if (this.lastEventPosition !== undefined && event.position <= this.lastEventPosition) return undefined;
    const parked: ParkedEvent = {
      position: String(event.position),
      stream: event.stream,
      revision: String(event.revision),
      id: event.id,
      type: event.type,
      reason: event.reason,
      projection: event.projection,
      detail: event.detail,
    };
    this.parkedTable.set(parkedKey(event.position), parked);
    this.lastEventPosition = event.position;
    this.lastEvent = { position: event.position, id: event.id };
    this.position = event.position;
    return parked;
  }

  state<S extends Tables>(projection: Projection<S>): S {
    const state = this.states.get(projection.name);
    if (!state) throw new Error(`projection ${projection.name} is not part of these read models`);
    return state as S;
  }

  /** Applies one event to every projection; throws ProjectionFailure (and stops there) when one cannot. */
  apply(stored: StoredEvent): void {
    if (stored.position === undefined)
      throw failure(stored, 'projector', 'the event carries no $all position');
    if (this.lastEventPosition !== undefined && stored.position <= this.lastEventPosition) {
      throw failure(stored, 'projector', `delivered out of order after position ${this.lastEventPosition}`);
    }
    for (const { projection, state, handler } of this.dispatchFor(stored)) {
      try {
        handler(state, stored);
      } catch (error) {
        throw failure(stored, projection, error instanceof Error ? error.message : String(error));
      }
    }
    this.lastEventPosition = stored.position;
    this.lastEvent = { position: stored.position, id: stored.id };
    this.position = stored.position;
    this.eventCount++;
    const simulatedTime = stored.metadata?.simulatedTime;
    this.lastSimulatedTime = simulatedTime;
    if (this.maxSimulatedKnown && simulatedTime !== undefined) {
      const ms = Date.parse(simulatedTime);
      if (this.maxSimulatedMs === undefined || ms > this.maxSimulatedMs) {
        this.maxSimulatedMs = ms;
        this.maxSimulatedTime = simulatedTime;
      }
    }
  }

  /** The server examined the log up to `position` without a matching event: nothing to apply before it. */
  advanceTo(position: bigint): void {
    if (this.position === undefined || position > this.position) this.position = position;
  }

  /**
   * Where following the log again starts: right after the last applied (or parked) event. Past it the
   * position moved only on server checkpoints, over records these read models do not follow; resuming
   * from there would skip followed events written in their place if those records were cut from the
   * store (see Projector.checkAgainstStore). With no event yet, the start. The position itself when the
   * last event is not known: a snapshot written before it was kept, with events in it.
   */
  get resumePosition(): bigint | undefined {
    if (this.lastEvent) return this.lastEvent.position;
    return this.eventCount === 0 && this.parkedTable.size === 0 ? undefined : this.position;
  }

  /**
   * A replay stopped at the record at `position` without taking it: the read models reflect exactly
   * what lies before it (a server checkpoint may have said it had looked that far already).
   */
  stopBefore(position: bigint): void {
    this.position = position - 1n;
  }

  /** sha256 over the canonical JSON of every read model, tables and keys in sorted order. */
  digest(): string {
    const hasher = new CanonicalHasher();
    hasher.write('{');
    // Without parked events the digest is what it was before parking existed.
    const names = [...this.states.keys()].filter(
      (name) => name !== PARKED.projection || this.parkedTable.size > 0,
    );
    names.sort().forEach((name, i) => {
      if (i > 0) hasher.write(',');
      hasher.write(`${JSON.stringify(name)}:{`);
      const tables = this.states.get(name)!;
      Object.keys(tables)
        .sort()
        .forEach((tableName, j) => {
          if (j > 0) hasher.write(',');
          hasher.write(`${JSON.stringify(tableName)}:{`);
          // eslint-disable-next-line local/no-prototype-lookup -- one of the projection's own table names, from Object.keys
          const table = tables[tableName]!;
          [...table.keys()].sort().forEach((key, k) => {
            if (k > 0) hasher.write(',');
            hasher.write(`${JSON.stringify(key)}:`);
            hasher.value(table.get(key));
          });
          hasher.write('}');
        });
      hasher.write('}');
    });
    hasher.write('}');
    return hasher.digest();
  }

  *rows(): Generator<Row> {
    for (const { projection, name, table } of this.tables) {
      for (const [key, value] of table) yield [projection, name, key, value];
    }
  }

  /**
   * Starts copying every row, as it stands now, to `sink` while events go on being applied: a
   * snapshot of a state that does not hold still while it is written. The position, event count
   * and simulated time it reflects are those of this moment.
   */
  beginCapture(sink: RowSink): RowCapture {
    return new RowCapture(this.tables, sink);
  }

  restoreRow([name, tableName, key, value]: Row): void {
    this.tableNamed(name, tableName).set(key, value);
  }

  /** Removes a row a later checkpoint records as deleted (see ScopeCheckpoints). */
  restoreDeletion(name: string, tableName: string, key: string): void {
    this.tableNamed(name, tableName).delete(key);
  }

  private tableNamed(name: string, tableName: string): Tables[string] {
    // The table name comes from a file: only the projection's own tables are tables.
    const tables = this.states.get(name);
    const table = tables && Object.hasOwn(tables, tableName) ? tables[tableName] : undefined;
    if (!table) throw new Error(`snapshot row for unknown table ${name}.${tableName}`);
    return table;
  }

  /** Starts noting the rows events touch, for `takeTouchedRows`. */
  trackTouches(): void {
    for (const { table } of this.tables) table.trackTouches();
  }

  /**
   * The rows touched since `trackTouches` or the last take, as they stand now (`deleted`: gone since),
   * and a new tally starts: what changed between two checkpoints of a scope.
   */
  *takeTouchedRows(): Generator<Row | { readonly deleted: readonly [string, string, string] }> {
    for (const { projection, name, table } of this.tables) {
      for (const key of table.takeTouched()) {
        if (Map.prototype.has.call(table, key))
          yield [projection, name, key, Map.prototype.get.call(table, key)];
        else yield { deleted: [projection, name, key] };
      }
    }
  }

  /** Puts back the position bookkeeping of a snapshot (rows are restored one by one). */
  restorePosition(
    position: bigint | undefined,
    eventCount: number,
    lastSimulatedTime: string | undefined,
    lastEvent: AppliedEvent | undefined,
    maxSimulatedTime: string | undefined,
  ): void {
    // Nothing applied before: nothing unknown either.
    this.maxSimulatedKnown = maxSimulatedTime !== undefined || eventCount === 0;
    this.maxSimulatedTime = this.maxSimulatedKnown ? maxSimulatedTime : undefined;
    this.maxSimulatedMs = maxSimulatedTime === undefined ? undefined : Date.parse(maxSimulatedTime);
    this.position = position;
    this.lastEventPosition = position;
    this.eventCount = eventCount;
    this.lastSimulatedTime = lastSimulatedTime;
    this.lastEvent = lastEvent;
  }

  private dispatchFor(stored: StoredEvent): readonly Dispatch[] {
    const { type } = stored.event;
    const cached = this.dispatch.get(type);
    if (cached) return cached;
    const list: Dispatch[] = [];
    for (const projection of this.projections) {
      const handler = projection.handlerFor(type);
      if (handler === undefined) {
        throw failure(stored, projection.name, 'unknown event type: neither handled nor declared irrelevant');
      }
      if (handler !== IRRELEVANT) {
        list.push({ projection: projection.name, state: this.states.get(projection.name)!, handler });
      }
    }
    this.dispatch.set(type, list);
    return list;
  }
}

const failure = (stored: StoredEvent, projection: string, reason: string): ProjectionFailure =>
  new ProjectionFailure(
    projection,
    stored.event.type,
    stored.stream,
    stored.revision,
    stored.position,
    reason,
  );
