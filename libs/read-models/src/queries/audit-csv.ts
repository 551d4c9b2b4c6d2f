import { csvDocument } from '#http';
import { AUDIT_ENTRY_FIELDS, AUDIT_NAME_COLUMNS, type ChainedAuditEntry } from './audit-chain.js';

/** The columns of an exported trail, named as the JSON names them; the projector and the CLI write these. */
export const AUDIT_CSV_COLUMNS = [
  ...AUDIT_ENTRY_FIELDS,
  'chainHash',
] as const satisfies readonly (keyof ChainedAuditEntry)[];

export type NamedAuditEntry = ChainedAuditEntry & {
  readonly [Column in (typeof AUDIT_NAME_COLUMNS)[number]]: string | null;
};

export const auditCsv = (entries: readonly ChainedAuditEntry[]): string =>
  csvDocument(AUDIT_CSV_COLUMNS, entries);

/** The trail with its parties' names after its own columns. */
export const namedAuditCsv = (entries: readonly NamedAuditEntry[]): string =>
  csvDocument([...AUDIT_CSV_COLUMNS, ...AUDIT_NAME_COLUMNS], entries);
