import { createHash } from 'node:crypto';
import { type AuditEntry, canonicalJson } from '#read-models';

/**
 * Each entry carries `chainHash` = sha256(previous chainHash + canonical JSON of the entry): an
 * exported trail whose rows were edited, dropped or reordered no longer reproduces its last hash, and
 * re-exporting from the log gives the same hashes. Computed when the trail is read, so replaying the
 * log stays as fast as possible.
 */
export const chained = (entries: readonly AuditEntry[]): (AuditEntry & { chainHash: string })[] => {
  let previous = '';
  return entries.map((entry) => {
    previous = createHash('sha256').update(previous).update(canonicalJson(entry)).digest('hex');
    return { ...entry, chainHash: previous };
  });
};

const COLUMNS = [
  'position',
  'stream',
  'revision',
  'type',
  'simulatedTime',
  'recordedAt',
  'actor',
  'onBehalfOf',
  'permission',
  'correlationId',
  'causationId',
  'commandId',
  'eventId',
  'data',
  'chainHash',
] as const;

const cell = (value: unknown): string => {
  const text =
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // RFC 4180 quoting; a leading formula character is neutralised so a spreadsheet shows, not runs, it.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export const auditCsv = (entries: readonly AuditEntry[]): string =>
  [
    COLUMNS.join(','),
    ...chained(entries).map((entry) => COLUMNS.map((column) => cell(entry[column])).join(',')),
  ].join('\r\n') + '\r\n';
