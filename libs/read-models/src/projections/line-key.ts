/**
 * Call, message and recording ids are client-chosen and unique on one line only: any other line may
 * use the same id. A row about such a thing is therefore keyed by its line and id (`<line>/<id>`, ids
 * never contain `/`).
 */
export const lineScoped = (line: string, id: string): string => `${line}/${id}`;

/** The line key a row key starts with. */
export const lineOfRowKey = (rowKey: string): string => rowKey.slice(0, rowKey.indexOf('/'));

/**
 * The row key of a call starting at `revision` of its line's stream. A call id names one call of its
 * line for good (R12, refused by the line decider since), but a log written before may hold a later
 * call with the id of an earlier one that is over: that call keeps its own row and history entry,
 * keyed `<line>/<callId>@<revision>` by the stream revision of its first event, and from then on the
 * events naming the id mean it (`reused` maps the address to it). The earlier call keeps its key.
 */
export const callRowKey = (
  rows: ReadonlyMap<string, unknown>,
  reused: Map<string, string>,
  address: string,
  revision: bigint,
): string => {
  if (!rows.has(address)) return address;
  const key = `${address}@${revision}`;
  reused.set(address, key);
  return key;
};

/** The key of the latest call at `address` (see callRowKey). */
export const latestCallKey = (reused: ReadonlyMap<string, string>, address: string): string =>
  reused.get(address) ?? address;

/**
 * Message and recording ids are numbered instead when a line reuses them (a recording id may be
 * used again on a call once its recording stopped): the latest row at `address`; `reuses` holds n
 * only for addresses used more than once.
 */
export const currentKey = (reuses: ReadonlyMap<string, number>, address: string): string => {
  const n = reuses.get(address);
  return n === undefined ? address : `${address}/${n}`;
};

/** The key for a new row at `address`: the address itself the first time, numbered after that. */
export const nextKey = (
  rows: ReadonlyMap<string, unknown>,
  reuses: Map<string, number>,
  address: string,
): string => {
  if (!rows.has(address)) return address;
  const n = (reuses.get(address) ?? 1) + 1;
  reuses.set(address, n);
  return `${address}/${n}`;
};
