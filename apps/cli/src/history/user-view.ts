import {
  accountsProjection,
  lineAccess,
  lineHistory,
  lineKey,
  lineState,
  partyKey,
  type ReadModels,
  voicemailProjection,
} from '#read-models';

/**
 * What the people of the read models see, flattened to one value per field: for every account, every
 * party and every line that party may see (R10, R17), its lamp (R11, R12), its shared inbox and its
 * shared history (R17), as the projector's line routes and the panel show them. Keyed by
 * `<accountId>/<partyId>` then `+<number>` then the field's path (`lamp.state`,
 * `history[c1].labels`, `voicemail.messages[m1].read`), each value as canonical text to compare.
 */
export type UserView = Map<string, Map<string, Map<string, string>>>;

export const userView = (readModels: ReadModels): UserView => {
  const { accounts, parties } = readModels.state(accountsProjection);
  const { inboxes, messages, missedCalls } = readModels.state(voicemailProjection);
  const view: UserView = new Map();
  for (const account of accounts.values()) {
    const { accountId } = account;
    const numbers = new Set(
      account.parties.flatMap(
        (partyId) =>
          parties.get(partyKey(accountId, partyId))?.directNumbers.map((n) => n.replace(/^\+/, '')) ?? [],
      ),
    );
    for (const viewer of account.parties) {
      const lines = new Map<string, Map<string, string>>();
      for (const digits of numbers) {
        const access = lineAccess(readModels, accountId, digits, viewer);
        if (!access.allowed) continue;
        const inbox = inboxes.get(lineKey(accountId, digits)) ?? { messages: [], missedCalls: [] };
        const fields = new Map<string, string>();
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
          fields,
        );
        lines.set(`+${digits}`, fields);
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
const flatten = (value: unknown, path: string, into: Map<string, string>): void => {
  if (value instanceof Map) {
    for (const [key, row] of value) flatten(row, `${path}[${String(key)}]`, into);
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
  into.set(path, JSON.stringify(value ?? null));
};

export interface FieldChange {
  readonly before?: unknown;
  readonly after?: unknown;
}

/**
 * What each viewer sees change between two points, field by field: viewer, then line, then field;
 * a field only one side has is shown with only `before` (it went away) or only `after` (it appeared).
 */
export const diffViews = (
  before: UserView,
  after: UserView,
): Record<string, Record<string, Record<string, FieldChange>>> => {
  const changes = new Map<string, Map<string, Map<string, FieldChange>>>();
  const viewers = new Set([...before.keys(), ...after.keys()]);
  for (const viewer of viewers) {
    const a = before.get(viewer) ?? new Map<string, Map<string, string>>();
    const b = after.get(viewer) ?? new Map<string, Map<string, string>>();
    for (const line of new Set([...a.keys(), ...b.keys()])) {
      const fa = a.get(line) ?? new Map<string, string>();
      const fb = b.get(line) ?? new Map<string, string>();
      for (const field of new Set([...fa.keys(), ...fb.keys()])) {
        const was = fa.get(field);
        const now = fb.get(field);
        if (was === now) continue;
        const lines = changes.get(viewer) ?? changes.set(viewer, new Map()).get(viewer)!;
        const fields = lines.get(line) ?? lines.set(line, new Map()).get(line)!;
        fields.set(field, {
          ...(was === undefined ? {} : { before: JSON.parse(was) as unknown }),
          ...(now === undefined ? {} : { after: JSON.parse(now) as unknown }),
        });
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
