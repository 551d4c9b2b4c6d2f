import { csvDocument } from '#http';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../engine/canonical-json.js';
import type { AuditEntry } from './audit-trail.js';

/**
 * Each entry carries `chainHash` = sha256(previous chainHash + canonical JSON of the entry): an
 * exported trail whose rows were edited, dropped or reordered no longer reproduces its last hash, and
 * re-exporting from the log gives the same hashes. Computed when the trail is read, so replaying the
 * log stays as fast as possible.
 */
export type ChainedAuditEntry = AuditEntry & { readonly chainHash: string };

export const chained = (entries: readonly AuditEntry[]): ChainedAuditEntry[] => {
  let previous = '';
  return entries.map((entry) => {
    previous = createHash('sha256').update(previous).update(canonicalJson(entry)).digest('hex');
    return { ...entry, chainHash: previous };
  });
};

/** The columns of an exported trail, named as the JSON names them; the projector and the CLI write these. */
export const AUDIT_CSV_COLUMNS = [
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
] as const satisfies readonly (keyof ChainedAuditEntry)[];

export const auditCsv = (entries: readonly ChainedAuditEntry[]): string =>
  csvDocument(AUDIT_CSV_COLUMNS, entries);
