import type { HistoryEvent } from '../history/history-event.js';

/** One step of a call as an auditor reads it (the projector's audit entry shape, minus the hash chain). */
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
  /** Present when the trail came from the projector: each entry's hash chains the previous one. */
  readonly hash?: string;
}

export const rowFromEvent = (event: HistoryEvent): AuditRow => {
  const m = (event.metadata ?? {}) as Record<string, string | null>;
  return {
    simulatedTime: String(m.simulatedTime ?? ''),
    type: event.type,
    actor: String(m.actor ?? ''),
    onBehalfOf: m.onBehalfOf ?? null,
    permission: m.permission ?? null,
    stream: event.stream,
    revision: event.revision,
    position: event.position,
    correlationId: String(m.$correlationId ?? ''),
    causationId: String(m.$causationId ?? ''),
    commandId: String(m.commandId ?? ''),
    eventId: event.id,
  };
};

/** Does a line event belong to the call? Voicemail events name the message; its VoicemailLeft names the call. */
export class CallMatcher {
  private readonly messages = new Set<string>();

  constructor(readonly callId: string) {}

  matches(event: HistoryEvent): boolean {
    const data = event.data as { callId?: string; messageId?: string };
    if (data.callId === this.callId) {
      if (data.messageId) this.messages.add(data.messageId);
      return true;
    }
    return data.messageId !== undefined && this.messages.has(data.messageId);
  }
}

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
