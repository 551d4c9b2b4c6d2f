import type { DomainEvent, EventMetadata } from '#events';
import type { StoredEvent } from '#eventstore';
import { defineProjection, IRRELEVANT, invariant } from './projection.js';

/**
 * A minimal projection for the engine's own specs: the engine is generic, its specs should not depend
 * on what the domain projections compute. The event types here are test vocabulary, not domain events.
 */
export type TallyEvent =
  | DomainEvent<'Tallied', { amount: number }>
  | DomainEvent<'Reset', Record<string, never>>
  | DomainEvent<'Noted', { note: string }>;

export const tally = defineProjection<TallyEvent>()({
  name: 'tally',
  version: 1,
  create: () => ({ totals: new Map<string, { total: number; count: number }>() }),
  handlers: {
    Tallied: (state, { stream, event }) => {
      invariant(Number.isFinite(event.data.amount), `amount ${String(event.data.amount)} is not a number`);
      const row = state.totals.get(stream) ?? { total: 0, count: 0 };
      row.total += event.data.amount;
      row.count++;
      state.totals.set(stream, row);
    },
    Reset: (state, { stream }) => {
      invariant(state.totals.has(stream), `${stream} was never tallied`);
      state.totals.delete(stream);
    },
    Noted: IRRELEVANT,
  },
});

const metadata = (simulatedTime: string): EventMetadata => ({
  $correlationId: 'corr',
  $causationId: 'cause',
  commandId: 'cmd',
  actor: 'tester',
  onBehalfOf: null,
  permission: null,
  simulatedTime,
  schemaVersion: 1,
});

let revisions = new Map<string, bigint>();

/** Stored events as the subscription yields them, at consecutive `$all` positions. */
export const storedLog = (events: readonly [stream: string, event: DomainEvent][]): StoredEvent[] => {
  revisions = new Map();
  return events.map(([stream, event], index) => {
    const revision = revisions.get(stream) ?? 0n;
    revisions.set(stream, revision + 1n);
    return {
      event,
      metadata: metadata(new Date(Date.UTC(2026, 0, 1, 9, 0, index)).toISOString()),
      id: `id-${index}`,
      stream,
      revision,
      position: BigInt((index + 1) * 100),
      created: new Date(0),
    };
  });
};
