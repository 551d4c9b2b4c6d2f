import { csvDocument } from '#http';
import { AUDIT_ENTRY_FIELDS, type ChainedAuditEntry } from './audit-chain.js';

/** The columns of an exported trail, named as the JSON names them; the projector and the CLI write these. */
export const AUDIT_CSV_COLUMNS = [
  ...AUDIT_ENTRY_FIELDS,
  'chainHash',
] as const satisfies readonly (keyof ChainedAuditEntry)[];

export const auditCsv = (entries: readonly ChainedAuditEntry[]): string =>
  csvDocument(AUDIT_CSV_COLUMNS, entries);
