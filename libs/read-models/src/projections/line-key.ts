/** A shared line is addressed by its stream `line-<accountId>.<number>`; its key here is `<accountId>.<number>`. */
export const LINE_STREAM_PREFIX = 'line-';
export const ACCOUNT_STREAM_PREFIX = 'account-';

export const lineKeyOf = (stream: string): string => stream.slice(LINE_STREAM_PREFIX.length);

export const lineKey = (accountId: string, number: string): string => `${accountId}.${number}`;

export const splitLineKey = (key: string): { accountId: string; number: string } => {
  const dot = key.indexOf('.');
  return { accountId: key.slice(0, dot), number: key.slice(dot + 1) };
};

/**
 * Call, message and recording ids are client-chosen and unique only on one line, and only among its
 * recent calls (the line decider remembers the last few): any other line may use the same id at any
 * time, and the same line may use it again later. A row about such a thing is therefore keyed by its
 * line and id (`<line>/<id>`, ids never contain `/`), and a later one reusing both gets
 * `<line>/<id>/<n>` (n = 2, 3, …). Events name the id only, and always mean the latest one of it.
 */
export const lineScoped = (line: string, id: string): string => `${line}/${id}`;

/** The line key a row key starts with. */
export const lineOfRowKey = (rowKey: string): string => rowKey.slice(0, rowKey.indexOf('/'));

/** The key of the latest row at `address`; `reuses` holds n only for addresses used more than once. */
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

/** How many rows have used `address` (0 when none). */
export const keyCount = (
  rows: ReadonlyMap<string, unknown>,
  reuses: ReadonlyMap<string, number>,
  address: string,
): number => (rows.has(address) ? (reuses.get(address) ?? 1) : 0);

/** The key of the n-th row at `address` (1-based). */
export const nthKey = (address: string, n: number): string => (n === 1 ? address : `${address}/${n}`);
