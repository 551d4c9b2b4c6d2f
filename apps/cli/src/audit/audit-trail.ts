import { auditProjection, auditStep, findCall, type ReadModels } from '#read-models';
import type { ChainedAuditEntry } from '#read-models';

export type TrailLookup =
  | { readonly kind: 'found'; readonly line: string; readonly revisions: readonly number[] }
  | { readonly kind: 'notFound' }
  | { readonly kind: 'ambiguous'; readonly lines: readonly string[] };

/**
 * The revisions of a call's trail in read models replayed from the store, found as the projector's
 * audit endpoint finds it: call ids are unique per line only, so an id several lines used needs the
 * line, and a line that reused the id means its latest call.
 */
export const trailOf = (readModels: ReadModels, callId: string, line?: string): TrailLookup => {
  const found = findCall(readModels, callId, line);
  if (found.kind !== 'found') return found.kind === 'ambiguous' ? found : { kind: 'notFound' };
  const revisions = readModels.state(auditProjection).trails.get(found.call.key) ?? [];
  return { kind: 'found', line: found.call.line, revisions };
};

/**
 * A fixed-width table for people, each step saying what happened (`auditStep`); long ids are
 * shortened (the JSON and CSV keep them whole).
 */
export const toTable = (callId: string, rows: readonly ChainedAuditEntry[]): string => {
  const shorten = (text: string, width: number): string =>
    text.length > width ? `${text.slice(0, width - 1)}…` : text;
  const cells = rows.map((row, i) => [
    String(i + 1),
    row.simulatedTime,
    row.type,
    row.actor,
    row.onBehalfOf ?? '-',
    row.permission ?? '-',
    row.revision,
    row.position,
    shorten(row.commandId, 18),
    shorten(row.correlationId, 12),
    shorten(row.causationId, 12),
    auditStep(row),
  ]);
  const header = [
    '#',
    'time',
    'event',
    'actor',
    'on behalf of',
    'permission',
    'rev',
    'position',
    'command',
    'correlation',
    'causation',
    'what happened',
  ];
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, c) => v.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  const stream = rows[0]?.stream ?? '?';
  return (
    [
      `call ${callId} on ${stream}: ${rows.length} events`,
      line(header),
      line(widths.map((w) => '-'.repeat(w))),
      ...cells.map(line),
    ].join('\n') + '\n'
  );
};

/**
 * `audit call --json`: the trail with each step's sentence beside its event data. `what` is derived
 * from `type` and `data`, outside the hash chain, so `audit verify` takes this file as it is.
 */
export const toJson = (callId: string, rows: readonly ChainedAuditEntry[]): string =>
  `${JSON.stringify({ callId, entries: rows.map((row) => ({ ...row, what: auditStep(row) })) }, null, 2)}\n`;
