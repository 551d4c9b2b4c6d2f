import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { parseLineStream } from '#events';
import { csvText, opensAsFormula, parseCsv } from '#http';
import type { AuditEntry } from './audit-trail.js';

/**
 * The audit trail's hash chain (docs/audit-trail.md): each entry carries
 * `chainHash = hex(SHA-256(UTF-8(previous chainHash + JCS(entry))))`, the first entry's previous hash
 * being the empty string, where JCS is the JSON Canonicalization Scheme of RFC 8785 and `entry` is the
 * row without its `chainHash`. An exported trail whose rows were edited, dropped or reordered no longer
 * reproduces its hashes, and re-exporting from the log gives the same hashes. Computed when the trail
 * is read, so replaying the log stays as fast as possible.
 */
export type ChainedAuditEntry = AuditEntry & { readonly chainHash: string };

/** The fields of an entry, in the order the CSV writes them; `chainHash` comes last. */
export const AUDIT_ENTRY_FIELDS = [
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
] as const satisfies readonly (keyof AuditEntry)[];

/**
 * Who acted and on whose behalf by name, beside their ids, as the read models name the parties (the
 * projector's exports; `null` for an actor that is no party, a timer's `system:…`). Outside the hash
 * chain, as the CLI's `what` is: `audit verify` reads a trail with or without them, and checks them
 * apart from the chain (`verifyNames`, and with a store `compareNamesWithLog`).
 */
export const AUDIT_NAME_COLUMNS = ['actorName', 'onBehalfOfName'] as const;

type Field = (typeof AUDIT_ENTRY_FIELDS)[number];
const NULLABLE: ReadonlySet<Field> = new Set(['onBehalfOf', 'permission']);

/** RFC 8785 canonical JSON, by the `canonicalize` package (its author co-wrote the RFC). */
export const jcs = (value: unknown): string => {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('a value with no JSON form has no canonical JSON');
  return text;
};

/** The hash of `entry` chained to `previous` (the empty string for a trail's first entry). */
export const chainHashOf = (previous: string, entry: AuditEntry): string => {
  const fields = Object.fromEntries(AUDIT_ENTRY_FIELDS.map((field) => [field, entry[field]]));
  return createHash('sha256')
    .update(previous + jcs(fields), 'utf8')
    .digest('hex');
};

export const chained = (entries: readonly AuditEntry[]): ChainedAuditEntry[] => {
  let previous = '';
  return entries.map((entry) => {
    previous = chainHashOf(previous, entry);
    return { ...entry, chainHash: previous };
  });
};

/** Where an exported trail first goes wrong: the row's index (0 = the first entry) and the field. */
export interface AuditFailure {
  readonly index: number;
  readonly field: string;
  readonly expected: string;
  readonly actual: string;
}

/** A file that is no audit trail at all: said in a sentence, not as a row. */
export class AuditFileError extends Error {}

/**
 * A value as a failure quotes it, in JSON. JSON.parse reads nesting far deeper than JSON.stringify can
 * write back (a RangeError), so a hand-made file nested that deep is said in words instead.
 */
const shown = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value);
  } catch {
    return `${Array.isArray(value) ? 'a list' : 'an object'} nested too deep to show`;
  }
};

/**
 * One place an export names a party (the projector's: a row's `actorName` or `onBehalfOfName`, an entry
 * of the JSON's `parties`), for `verifyNames` and `compareNamesWithLog`. `partyId` is null where the row
 * names nobody (no `onBehalfOf`), whose name must then be null too.
 */
export interface NameMention {
  readonly index: number;
  readonly field: string;
  readonly partyId: string | null;
  readonly name: string | null;
}

/** The entries of an exported trail: `audit call --json` / the projector's JSON, or their CSV. */
export const parseAuditExport = (
  exported: string,
): { rows: ChainedAuditEntry[]; names?: NameMention[]; lineName?: unknown } | { failure: AuditFailure } => {
  // A byte order mark (spreadsheet programs save UTF-8 CSV with one) is no part of the first field.
  const text = exported.startsWith('\uFEFF') ? exported.slice(1) : exported;
  // Read as CSV, an empty file was refused for a header "not " followed by nothing: a failed
  // `audit call … > FILE` leaves one behind, and the sentence should say where a trail comes from.
  if (text.trim() === '') {
    throw new AuditFileError(
      'the file is empty; export a trail with `switchboard audit call ID --json` (or --csv)',
    );
  }
  const {
    entries: raw,
    parties,
    armed,
    about,
  } = text.trimStart().startsWith('{') || text.trimStart().startsWith('[') ? fromJson(text) : fromCsv(text);
  if (armed) return { failure: armed };
  const rows: ChainedAuditEntry[] = [];
  for (const [index, row] of raw.entries()) {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      return { failure: { index, field: 'row', expected: 'an object', actual: shown(row) } };
    }
    const record = row as Record<string, unknown>;
    for (const field of [...AUDIT_ENTRY_FIELDS, 'chainHash'] as const) {
      const value = Object.hasOwn(record, field) ? record[field] : undefined;
      const ok =
        field === 'data'
          ? value !== null && typeof value === 'object' && !Array.isArray(value)
          : typeof value === 'string' || (value === null && NULLABLE.has(field as Field));
      if (!ok) {
        const expected =
          field === 'data' ? 'an object' : NULLABLE.has(field as Field) ? 'a string or null' : 'a string';
        return { failure: { index, field, expected, actual: shown(value) } };
      }
    }
    rows.push(record as unknown as ChainedAuditEntry);
  }
  const misnamed = about && rows[0] && aboutFailure(about, rows[0]);
  if (misnamed) return { failure: misnamed };
  const names = namesIn(raw as Record<string, unknown>[], parties);
  if ('failure' in names) return names;
  // The projector's `lineName` (R23: the line's name when the call started) is in no entry: `--store` checks it.
  return {
    rows,
    ...(names.mentions.length > 0 && { names: names.mentions }),
    ...(about && Object.hasOwn(about, 'lineName') && { lineName: about.lineName }),
  };
};

/**
 * Where an export names the parties: every row's two name columns when its first row has them (the
 * projector's exports; the CLI's have none), then the JSON's `parties`. A name is a string, or null for
 * an actor that is no party; a row short of a name another row has is a row edited, as is a wrong type.
 */
const namesIn = (
  rows: readonly Record<string, unknown>[],
  parties: unknown,
): { mentions: NameMention[] } | { failure: AuditFailure } => {
  const mentions: NameMention[] = [];
  const named = rows.length > 0 && AUDIT_NAME_COLUMNS.some((column) => Object.hasOwn(rows[0]!, column));
  for (const [index, row] of (named ? rows : []).entries()) {
    for (const field of AUDIT_NAME_COLUMNS) {
      const name = Object.hasOwn(row, field) ? row[field] : undefined;
      if (name !== null && typeof name !== 'string') {
        return { failure: { index, field, expected: 'a string or null', actual: shown(name) } };
      }
      const partyId = (field === 'actorName' ? row.actor : row.onBehalfOf) as string | null;
      mentions.push({ index, field, partyId, name });
    }
  }
  if (parties === undefined) return { mentions };
  if (!Array.isArray(parties)) {
    return { failure: { index: 0, field: 'parties', expected: 'a list', actual: shown(parties) } };
  }
  for (const [i, party] of parties.entries()) {
    const { partyId, name } = (party ?? {}) as { partyId?: unknown; name?: unknown };
    if (typeof partyId !== 'string' || typeof name !== 'string') {
      const expected = 'a partyId and a name, both strings';
      return { failure: { index: 0, field: `parties[${i}]`, expected, actual: shown(party) } };
    }
    // Said at the first row naming the party, where an auditor looks; the first row when none does.
    const at = mentions.find((mention) => mention.partyId === partyId)?.index ?? 0;
    mentions.push({ index: at, field: `parties[${i}].name`, partyId, name });
  }
  return { mentions };
};

/**
 * The names an export carries are outside the chain (docs/audit-trail.md), yet they are what an auditor
 * reads: a name edited in one place must not pass as the trail exported. Within one export every
 * mention of a party gives the same name (the projector names them all as of one point, and a party's
 * name never changes once provisioned), and a row naming nobody on whose behalf names nobody.
 */
export const verifyNames = (mentions: readonly NameMention[]): AuditFailure | undefined => {
  const first = new Map<string, NameMention>();
  for (const mention of mentions) {
    if (mention.partyId === null) {
      if (mention.name !== null) {
        return { ...mention, expected: 'no name (nobody in that column)', actual: shown(mention.name) };
      }
      continue;
    }
    const earlier = first.get(mention.partyId);
    if (!earlier) first.set(mention.partyId, mention);
    else if (earlier.name !== mention.name) {
      const where = `${shown(earlier.name)} (as row ${earlier.index}'s ${earlier.field} names ${mention.partyId})`;
      return { index: mention.index, field: mention.field, expected: where, actual: shown(mention.name) };
    }
  }
  return undefined;
};

/**
 * Each name an export carries against the party's name in the log (`nameOf`: the account's name of a
 * party id, null for an id that is no party), so a trail whose names were all changed alike is found too.
 */
export const compareNamesWithLog = (
  mentions: readonly NameMention[],
  nameOf: (partyId: string) => string | null,
): AuditFailure | undefined => {
  for (const mention of mentions) {
    const expected = mention.partyId === null ? null : nameOf(mention.partyId);
    if (expected !== mention.name) {
      return {
        index: mention.index,
        field: mention.field,
        expected: shown(expected),
        actual: shown(mention.name),
      };
    }
  }
  return undefined;
};

/**
 * What a JSON export says of the call beside its entries (`callId`; the projector's `line` and
 * `lineOwner`), outside the chain but read by an auditor first: each must be what the trail's first
 * entry, the call's start, says (its data's `callId` and `owner`, its stream), so an edit of one is found.
 */
const aboutFailure = (about: Record<string, unknown>, first: ChainedAuditEntry): AuditFailure | undefined => {
  const data = first.data as Record<string, unknown>;
  const line = parseLineStream(first.stream);
  const expected = {
    callId: Object.hasOwn(data, 'callId') ? data.callId : undefined,
    line: line && { accountId: line.accountId, number: line.number },
    lineOwner: Object.hasOwn(data, 'owner') ? data.owner : null,
  };
  // The projector's export (the one with `parties`) says all three; `{"entries": [...]}` alone is a trail too.
  const required = Object.hasOwn(about, 'parties');
  for (const field of ['callId', 'line', 'lineOwner'] as const) {
    const value = expected[field];
    if (value === undefined || (!required && !Object.hasOwn(about, field))) continue;
    const given = Object.hasOwn(about, field) ? about[field] : undefined;
    if (jcs(given ?? null) !== jcs(value)) {
      return { index: 0, field, expected: `${shown(value)} (as the first entry says)`, actual: shown(given) };
    }
  }
  return undefined;
};

/** A JSON trail's entries, and the `parties` list of the projector's export (undefined without one). */
const fromJson = (
  text: string,
): { entries: unknown[]; parties: unknown; armed?: undefined; about?: Record<string, unknown> } => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AuditFileError(`not JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(parsed)) return { entries: parsed, parties: undefined };
  const { entries, parties } = parsed as { entries?: unknown; parties?: unknown };
  if (!Array.isArray(entries)) throw new AuditFileError('a JSON trail holds an "entries" list');
  return { entries, parties, about: parsed as Record<string, unknown> };
};

const COLUMNS = [...AUDIT_ENTRY_FIELDS, 'chainHash'] as const;

/**
 * A CSV trail's rows, and its first cell that a spreadsheet would run as a formula (`armed`): every such
 * cell the export wrote is behind a quote mark, so one without it reads back the same, but the file is no
 * longer the export, and opening it runs the formula.
 */
const fromCsv = (
  text: string,
): { entries: Record<string, unknown>[]; parties: undefined; armed?: AuditFailure; about?: undefined } => {
  let armed: AuditFailure | undefined;
  let lines: string[][];
  try {
    lines = parseCsv(text);
  } catch (error) {
    throw new AuditFileError((error as Error).message);
  }
  const [header = [], ...cells] = lines;
  // The projector's export names the parties after the trail's own columns; the chain leaves them out.
  const named = [...COLUMNS, ...AUDIT_NAME_COLUMNS];
  if (header.join(',') !== COLUMNS.join(',') && header.join(',') !== named.join(',')) {
    throw new AuditFileError(
      `a CSV trail's header is ${COLUMNS.join(',')} (then, from the projector, ${AUDIT_NAME_COLUMNS.join(',')}), not ${header.join(',')}`,
    );
  }
  const entries = cells.map((row, index) => {
    if (row.length !== header.length) {
      throw new AuditFileError(`CSV row ${index} has ${row.length} cells, not ${header.length}`);
    }
    const record: Record<string, unknown> = {};
    const formula = row.findIndex(opensAsFormula);
    if (formula >= 0 && !armed) {
      armed = {
        index,
        field: header[formula]!,
        expected:
          "a cell a spreadsheet shows as text (one starting with =, +, -, @, a tab or a CR is behind a ')",
        actual: JSON.stringify(row[formula]),
      };
    }
    COLUMNS.forEach((column, c) => {
      const cell = csvText(row[c]!);
      // The CSV writes null as an empty cell and the data object as its JSON.
      if (NULLABLE.has(column as Field) && cell === '') record[column] = null;
      else if (column === 'data') {
        try {
          record[column] = JSON.parse(cell);
        } catch {
          record[column] = cell;
        }
      } else record[column] = cell;
    });
    // A name is never blank (the api refuses one), so an empty cell is null, as the CSV writes it.
    AUDIT_NAME_COLUMNS.forEach((column, c) => {
      if (header.length === named.length) record[column] = csvText(row[COLUMNS.length + c]!) || null;
    });
    return record;
  });
  return { entries, parties: undefined, ...(armed && { armed }) };
};

/** The first entry whose `chainHash` is not the hash of its fields chained to the one before. */
export const verifyChain = (rows: readonly ChainedAuditEntry[]): AuditFailure | undefined => {
  let previous = '';
  for (const [index, row] of rows.entries()) {
    const expected = chainHashOf(previous, row);
    if (row.chainHash !== expected) return { index, field: 'chainHash', expected, actual: row.chainHash };
    previous = row.chainHash;
  }
  return undefined;
};

/**
 * The first difference between an exported trail and the same call's trail read from the log, field
 * by field (`data` compared as canonical JSON), or a row missing on either side.
 */
export const compareWithLog = (
  rows: readonly ChainedAuditEntry[],
  log: readonly ChainedAuditEntry[],
): AuditFailure | undefined => {
  for (let index = 0; index < Math.max(rows.length, log.length); index++) {
    const row = rows[index];
    const logged = log[index];
    const step = (entry: ChainedAuditEntry): string => `${entry.type} at revision ${entry.revision}`;
    if (!row) return { index, field: 'row', expected: step(logged!), actual: 'no row' };
    if (!logged) return { index, field: 'row', expected: 'no row', actual: step(row) };
    for (const field of COLUMNS) {
      const expected = field === 'data' ? jcs(logged.data) : shown(logged[field]);
      const actual = field === 'data' ? jcs(row.data) : shown(row[field]);
      if (expected !== actual) return { index, field, expected, actual };
    }
  }
  return undefined;
};
