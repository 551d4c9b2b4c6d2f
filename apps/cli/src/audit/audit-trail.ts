import { auditProjection, findCall, type ReadModels } from '#read-models';

/** One step of a call as an auditor reads it (the projector's audit entry, its data left out). */
export interface AuditRow {
  readonly simulatedTime: string;
  readonly type: string;
  readonly actor: string;
  readonly onBehalfOf: string | null;
  readonly permission: string | null;
  readonly stream: string;
  readonly revision: string;
  readonly position: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly commandId: string;
  readonly eventId: string;
  /** Each entry's hash chains the previous one (see the projector's audit-csv.ts). */
  readonly hash?: string;
}

/** A trail entry as the projector answers it (its audit endpoint, or its code run here on the store). */
export interface ChainedEntry extends Omit<AuditRow, 'hash'> {
  /** sha256 over the previous entry's hash and this entry: an edited or dropped step breaks the chain. */
  readonly chainHash?: string;
}

export const rowOf = (entry: ChainedEntry): AuditRow => ({
  simulatedTime: entry.simulatedTime,
  type: entry.type,
  actor: entry.actor,
  onBehalfOf: entry.onBehalfOf,
  permission: entry.permission,
  stream: entry.stream,
  revision: entry.revision,
  position: entry.position,
  correlationId: entry.correlationId,
  causationId: entry.causationId,
  commandId: entry.commandId,
  eventId: entry.eventId,
  ...(entry.chainHash ? { hash: entry.chainHash } : {}),
});

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

const COLUMNS: readonly (keyof AuditRow)[] = [
  'simulatedTime',
  'type',
  'actor',
  'onBehalfOf',
  'permission',
  'revision',
  'position',
  'commandId',
  'correlationId',
  'causationId',
];

const csvCell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export const toCsv = (rows: readonly AuditRow[]): string => {
  const columns: (keyof AuditRow)[] = [
    ...COLUMNS,
    'stream',
    'eventId',
    ...(rows.some((r) => r.hash) ? (['hash'] as const) : []),
  ];
  return (
    [columns.join(','), ...rows.map((row) => columns.map((c) => csvCell(row[c])).join(','))].join('\n') + '\n'
  );
};

/** A fixed-width table for people; long ids are shortened (the JSON and CSV keep them whole). */
export const toTable = (callId: string, rows: readonly AuditRow[]): string => {
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
