import { lineKey } from '#events';
import {
  accountParties,
  accountsProjection,
  lineAccess,
  lineHistory,
  lineState,
  type ReadModels,
  voicemailProjection,
} from '#read-models';

/**
 * What the people of the read models see, flattened to one value per field: for every account, every
 * party and every line that party may see (R10, R17), its lamp (R11, R12), its shared inbox and its
 * shared history (R17), as the projector's line routes and the panel show them. Keyed by
 * `<accountId>/<partyId>` then `+<number>`; per line, every field by its path (`lamp.state`,
 * `history[c1].labels`, `voicemail.messages[m1].read`) and every id-keyed row (`history[c1]`), each
 * value as JSON text to compare.
 */
export interface LineView {
  readonly fields: Map<string, string>;
  readonly rows: Map<string, string>;
}
export type UserView = Map<string, Map<string, LineView>>;

export const userView = (readModels: ReadModels): UserView => {
  const { accounts } = readModels.state(accountsProjection);
  const { inboxes, messages, missedCalls } = readModels.state(voicemailProjection);
  const view: UserView = new Map();
  for (const account of accounts.values()) {
    const { accountId } = account;
    const numbers = new Set(
      accountParties(readModels, accountId).flatMap((party) =>
        party.directNumbers.map((n) => n.replace(/^\+/, '')),
      ),
    );
    for (const viewer of account.parties) {
      const lines = new Map<string, LineView>();
      for (const digits of numbers) {
        const access = lineAccess(readModels, accountId, digits, viewer);
        if (!access.allowed) continue;
        const inbox = inboxes.get(lineKey(accountId, digits)) ?? { messages: [], missedCalls: [] };
        const line: LineView = { fields: new Map(), rows: new Map() };
        flatten(
          {
            lamp: lineState(readModels, accountId, digits, viewer, access).lamp,
            voicemail: {
              messages: byId(
                inbox.messages.map((key) => messages.get(key)!),
                (m) => m.messageId,
              ),
              missedCalls: byId(
                inbox.missedCalls.map((key) => missedCalls.get(key)!),
                (m) => m.callId,
              ),
            },
            history: byId(lineHistory(readModels, accountId, digits).reverse(), (entry) => entry.callId),
          },
          '',
          line,
        );
        lines.set(`+${digits}`, line);
      }
      if (lines.size > 0) view.set(`${accountId}/${viewer}`, lines);
    }
  }
  return view;
};

/** Rows keyed by their id, as `[id]` in a path; an id a line used again gets `[id#2]`, `[id#3]`. */
const byId = <T>(rows: readonly T[], id: (row: T) => string): Map<string, T> => {
  const keyed = new Map<string, T>();
  for (const row of rows) {
    let key = id(row);
    for (let n = 2; keyed.has(key); n++) key = `${id(row)}#${n}`;
    keyed.set(key, row);
  }
  return keyed;
};

/** Objects field by field, id-keyed rows by id, arrays of plain values whole (`labels`, `missedBy`). */
const flatten = (value: unknown, path: string, into: LineView): void => {
  if (value instanceof Map) {
    for (const [key, row] of value) {
      const rowPath = `${path}[${String(key)}]`;
      into.rows.set(rowPath, JSON.stringify(row));
      flatten(row, rowPath, into);
    }
    return;
  }
  if (Array.isArray(value) && value.some((item) => item !== null && typeof item === 'object')) {
    value.forEach((item, i) => flatten(item, `${path}[${i}]`, into));
    return;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, member] of Object.entries(value)) flatten(member, path ? `${path}.${key}` : key, into);
    return;
  }
  into.fields.set(path, JSON.stringify(value ?? null));
};

export interface FieldChange {
  readonly before?: unknown;
  readonly after?: unknown;
}

/**
 * What each viewer sees change between two points: viewer, then line, then what changed. A row that
 * appeared or went away (a history entry, a message, a missed call) is one change holding the whole
 * row (`after` or `before` only); a row on both sides, and everything else, changes field by field.
 */
export const diffViews = (
  before: UserView,
  after: UserView,
): Record<string, Record<string, Record<string, FieldChange>>> => {
  const EMPTY: LineView = { fields: new Map(), rows: new Map() };
  const changes = new Map<string, Map<string, Map<string, FieldChange>>>();
  const change = (viewer: string, line: string, path: string, was?: string, now?: string): void => {
    const lines = changes.get(viewer) ?? changes.set(viewer, new Map()).get(viewer)!;
    const fields = lines.get(line) ?? lines.set(line, new Map()).get(line)!;
    fields.set(path, {
      ...(was === undefined ? {} : { before: JSON.parse(was) as unknown }),
      ...(now === undefined ? {} : { after: JSON.parse(now) as unknown }),
    });
  };
  for (const viewer of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(viewer) ?? new Map<string, LineView>();
    const b = after.get(viewer) ?? new Map<string, LineView>();
    for (const line of new Set([...a.keys(), ...b.keys()])) {
      const va = a.get(line) ?? EMPTY;
      const vb = b.get(line) ?? EMPTY;
      const whole = [...new Set([...va.rows.keys(), ...vb.rows.keys()])].filter(
        (row) => va.rows.has(row) !== vb.rows.has(row),
      );
      for (const row of whole) change(viewer, line, row, va.rows.get(row), vb.rows.get(row));
      const inWhole = (path: string): boolean =>
        whole.some((row) => path.startsWith(`${row}.`) || path.startsWith(`${row}[`));
      for (const path of new Set([...va.fields.keys(), ...vb.fields.keys()])) {
        const was = va.fields.get(path);
        const now = vb.fields.get(path);
        if (was !== now && !inWhole(path)) change(viewer, line, path, was, now);
      }
    }
  }
  // Keys are ids from the log: Maps made into own properties, so no id can reach Object.prototype.
  return Object.fromEntries(
    [...changes].map(([viewer, lines]) => [
      viewer,
      Object.fromEntries([...lines].map(([line, fields]) => [line, Object.fromEntries(fields)])),
    ]),
  );
};
