import type { DomainEvent, EventOfType } from '#events';
import type { StoredEvent } from '#eventstore';

/**
 * A read model's state is a set of named tables, each a Map from a string key to a plain JSON value.
 * Keeping every projection to that one shape lets the engine snapshot, restore and digest any of them
 * without per-projection code, and makes "canonical form" unambiguous (tables and keys sorted).
 * Values are mutated in place by handlers: a replay of millions of events must not copy state.
 */
export type Tables = Readonly<Record<string, Map<string, unknown>>>;

/** Marks an event type a projection has looked at and decided it does not need. */
export const IRRELEVANT = 'irrelevant';

/**
 * Declared as a method so that its parameters are bivariant: the engine holds projections of many
 * state shapes in one list and always hands each handler the state its own projection created.
 */
export type Handler<S extends Tables, E extends DomainEvent> = {
  apply(state: S, stored: StoredEvent<E>): void;
}['apply'];

/**
 * Every event type of the catalogue slice `E` must be listed: with a handler or as IRRELEVANT. The
 * compiler then flags a projection the day a new event type lands, and at run time an event type
 * that no projection has heard of stops the projector instead of being skipped silently.
 */
export type Handlers<S extends Tables, E extends DomainEvent> = {
  readonly [T in E['type']]: Handler<S, EventOfType<E, T>> | typeof IRRELEVANT;
};

export interface Projection<S extends Tables = Tables> {
  readonly name: string;
  /**
   * Bumped whenever what the handlers compute changes: a snapshot written by another version of a
   * projection is not resumed from, the read models are rebuilt from the first event instead.
   */
  readonly version: number;
  create(): S;
  handlerFor(type: string): Handler<S, DomainEvent> | typeof IRRELEVANT | undefined;
}

export interface ProjectionDefinition<S extends Tables, E extends DomainEvent> {
  name: string;
  version: number;
  create: () => S;
  handlers: Handlers<S, E>;
}

export const defineProjection =
  <E extends DomainEvent>() =>
  <S extends Tables>(definition: ProjectionDefinition<S, E>): Projection<S> => {
    const handlers = new Map<string, Handler<S, DomainEvent> | typeof IRRELEVANT>(
      Object.entries(definition.handlers) as [string, Handler<S, DomainEvent> | typeof IRRELEVANT][],
    );
    return {
      name: definition.name,
      version: definition.version,
      create: definition.create,
      handlerFor: (type) => handlers.get(type),
    };
  };

/**
 * The per-row lists of a read model are short and most stay empty, yet an empty array is an object
 * of its own and `push` leaves room for 16 more entries: per call that was most of the projector's
 * heap. Such lists therefore start as this one frozen empty list and grow by `appended`, which copies
 * to a list of exactly the new length. Frozen, so a `push` left somewhere fails loudly instead of
 * filling every row's list at once.
 */
export const NONE: never[] = Object.freeze([]) as never[];

/** A new list of `list`'s entries and `item`, exactly that long (see NONE); a loop is 5x `concat`'s speed. */
export const appended = <T>(list: readonly T[], item: T): T[] => {
  const next = new Array<T>(list.length + 1);
  for (let i = 0; i < list.length; i++) next[i] = list[i]!;
  next[list.length] = item;
  return next;
};

/**
 * The rows of `table` an index names (a row's list of keys, `appended` to oldest first as the log
 * goes), newest first: as the queries answer, like a phone's call log.
 */
export const newestFirst = <V>(table: ReadonlyMap<string, V>, keys: readonly string[] | undefined): V[] =>
  (keys ?? NONE).map((key) => table.get(key)!).reverse();

/** Thrown by a handler when an event contradicts what the projection knows (or its data is malformed). */
export class ProjectionInvariantError extends Error {
  override readonly name = 'ProjectionInvariantError';
}

export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ProjectionInvariantError(message);
}

/** Looks up a row a handler relies on; its absence means the log and the projection disagree. */
export const existing = <V>(table: Map<string, V>, key: string, what: string): V => {
  const row = table.get(key);
  if (row === undefined) throw new ProjectionInvariantError(`${what} ${key} is unknown`);
  return row;
};

/** An event a projection could not apply: the projector stops on it and says exactly where. */
export class ProjectionFailure extends Error {
  override readonly name = 'ProjectionFailure';
  constructor(
    readonly projection: string,
    readonly eventType: string,
    readonly stream: string,
    readonly revision: bigint,
    readonly position: bigint | undefined,
    readonly reason: string,
  ) {
    super(
      `projection ${projection} cannot apply ${eventType} (stream ${stream}@${revision}, $all position ` +
        `${position ?? 'unknown'}): ${reason}`,
    );
  }

  toJSON(): Record<string, string | null> {
    return {
      projection: this.projection,
      eventType: this.eventType,
      stream: this.stream,
      revision: String(this.revision),
      position: this.position === undefined ? null : String(this.position),
      reason: this.reason,
      message: this.message,
    };
  }
}
