import { FOREIGN_REASONS, type ForeignReason } from '#events';
import type { ForeignEvent } from './event-store.js';

/** How many of the latest foreign events a tally keeps for an operator to look up. */
const KEPT = 10;

/** A foreign event as an operator sees it on `/health`: positions as strings (JSON has no bigint). */
export interface ForeignEventView {
  readonly id: string;
  readonly stream: string;
  readonly revision: string;
  readonly position: string | null;
  readonly type: string;
  readonly reason: ForeignReason;
  readonly detail: string;
}

export interface ForeignEventCounts {
  readonly total: number;
  readonly byReason: Readonly<Record<ForeignReason, number>>;
  /** The latest few, oldest first. */
  readonly last: readonly ForeignEventView[];
}

export const viewOfForeign = (foreign: ForeignEvent): ForeignEventView => ({
  id: foreign.id,
  stream: foreign.stream,
  revision: String(foreign.revision),
  position: foreign.position === undefined ? null : String(foreign.position),
  type: foreign.type,
  reason: foreign.reason,
  detail: foreign.detail,
});

/**
 * What one consumer of the log did not read as its own: counts by reason and the last few, in
 * bounded memory however many arrive. Skipping is never silent: `/health` and `/metrics` show this.
 */
export class ForeignEventTally {
  private total = 0;
  private readonly byReason = Object.fromEntries(FOREIGN_REASONS.map((reason) => [reason, 0])) as Record<
    ForeignReason,
    number
  >;
  private readonly last: ForeignEventView[] = [];

  record(foreign: ForeignEvent): void {
    this.total++;
    this.byReason[foreign.reason]++;
    this.last.push(viewOfForeign(foreign));
    if (this.last.length > KEPT) this.last.shift();
  }

  counts(): ForeignEventCounts {
    return { total: this.total, byReason: { ...this.byReason }, last: [...this.last] };
  }
}

/**
 * Prometheus lines for tallies by consumer: `<name>{consumer,reason}` counters (every reason, zeros
 * included, so a rate() has a series from the start).
 */
export const foreignEventMetrics = (
  name: string,
  help: string,
  tallies: Readonly<Record<string, ForeignEventCounts>>,
): string => {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} counter`];
  for (const [consumer, counts] of Object.entries(tallies)) {
    for (const reason of FOREIGN_REASONS) {
      lines.push(`${name}{consumer="${consumer}",reason="${reason}"} ${counts.byReason[reason]}`);
    }
  }
  return `${lines.join('\n')}\n`;
};
