/**
 * A domain event as the domain sees it: a past-tense `type` and its `data`. The type name is the
 * storage format (it is written to EventStoreDB as the event type): never rename a case, add a new
 * one and an upcaster instead.
 */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

export type EventOfType<E extends DomainEvent, T extends E['type']> = Extract<E, { type: T }>;
