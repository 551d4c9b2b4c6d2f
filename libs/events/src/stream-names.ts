/**
 * Names every JavaScript object answers from its prototype (`constructor`, `toString`, `valueOf`,
 * `hasOwnProperty`...), and `prototype`, which every function owns. They are not ids: a lookup that
 * forgot to be a Map or an own-property check would find Object.prototype's member for them, so they
 * are refused wherever an id enters, whatever the lookups behind do. (`__proto__` and the other `__`
 * names already fail the pattern's first character.)
 */
export const RESERVED_IDS: readonly string[] = [
  ...Object.getOwnPropertyNames(Object.prototype).filter((name) => /^[A-Za-z0-9]/.test(name)),
  'prototype',
];

/** How an id is written, in the words every 400 about an id uses. */
export const ID_RULE =
  'must be 1-64 letters, digits, "_" or "-", starting with a letter or digit, and not a name ' +
  `JavaScript objects reserve (${RESERVED_IDS.join(', ')})`;

/**
 * Stream names are built from validated ids only (SPEC §2): an id is letters, digits, `_` and `-`,
 * starting with a letter or digit, at most 64 characters, and not one of RESERVED_IDS. That excludes
 * `$` (system streams), `/`, `.` (our separator inside a name), whitespace and control characters, so
 * no user-supplied id can address `$all`, a `$$metadata` stream or another category.
 */
export const ID_PATTERN = new RegExp(`^(?!(?:${RESERVED_IDS.join('|')})$)[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`);

export class InvalidStreamIdError extends Error {
  override readonly name = 'InvalidStreamIdError';
  constructor(readonly id: string) {
    super(`"${id}" is not a valid id: it ${ID_RULE}`);
  }
}

export const assertValidId = (id: string): string => {
  if (!ID_PATTERN.test(id)) throw new InvalidStreamIdError(id);
  return id;
};

/** `category-id1.id2`: EventStoreDB's category convention is the part before the first `-`. */
export const streamName = (category: string, ...ids: readonly string[]): string =>
  `${category}-${ids.map(assertValidId).join('.')}`;

export const categoryOf = (stream: string): string => {
  const dash = stream.indexOf('-');
  return dash < 0 ? stream : stream.slice(0, dash);
};

/*
 * The stream-name codec: every stream Switchboard writes is named here, and every name read back from
 * the store is taken apart here. Building is for ids already validated at the edge (it throws
 * InvalidStreamIdError otherwise); parsing meets whatever the store holds (streams written by other
 * tools, an imported log), so it answers undefined for a name that is not one of ours and never throws.
 */

export const ACCOUNT_STREAM_PREFIX = 'account-';
export const LINE_STREAM_PREFIX = 'line-';
export const CLOCK_STREAM_PREFIX = 'clock-';

/** Stream of the simulation's virtual clock (R21): its time survives restarts and replays. */
export const VIRTUAL_CLOCK_STREAM = `${CLOCK_STREAM_PREFIX}virtual`;

/** An account's stream: `account-<accountId>`. */
export const accountStream = (accountId: string): string => streamName('account', accountId);

/**
 * A shared line's key, `<accountId>.<digits>` (the number's E.164 digits without `+`): what a line's
 * stream name holds after `line-`, and how the read models key a line. Ids never contain a `.`.
 */
export const lineKey = (accountId: string, number: string): string => `${accountId}.${number}`;

/**
 * The line key of a stream the store delivered under the `line-` prefix filter: its name after the
 * prefix. Total, for the read models, which key whatever a line event's stream is; use
 * parseLineStream to learn whether the name is a line's.
 */
export const lineKeyOf = (stream: string): string =>
  stream.startsWith(LINE_STREAM_PREFIX) ? stream.slice(LINE_STREAM_PREFIX.length) : stream;

/** The account id of a stream the store delivered under the `account-` prefix filter (see lineKeyOf). */
export const accountIdOf = (stream: string): string =>
  stream.startsWith(ACCOUNT_STREAM_PREFIX) ? stream.slice(ACCOUNT_STREAM_PREFIX.length) : stream;

/** A line key the read models made (lineKey, lineKeyOf) back into its parts: split at the first `.`. */
export const splitLineKey = (key: string): { accountId: string; number: string } => {
  const dot = key.indexOf('.');
  return dot < 0
    ? { accountId: key, number: '' }
    : { accountId: key.slice(0, dot), number: key.slice(dot + 1) };
};

/** The stream of the line a read model keys by `key` (lineKey). */
export const lineStreamOfKey = (key: string): string => `${LINE_STREAM_PREFIX}${key}`;

/** A shared line's stream: `line-<accountId>.<digits>`. */
export const lineStream = (accountId: string, number: string): string =>
  streamName('line', accountId, number);

export interface LineAddress {
  readonly accountId: string;
  /** The line number's E.164 digits, without `+`. */
  readonly number: string;
  /** `<accountId>.<number>` (lineKey). */
  readonly key: string;
}

const isId = (text: string): boolean => ID_PATTERN.test(text);

/** `<accountId>.<digits>` back into its parts, or undefined when it is not a line key. */
export const parseLineKey = (key: string): LineAddress | undefined => {
  const dot = key.indexOf('.');
  if (dot < 0) return undefined;
  const accountId = key.slice(0, dot);
  const number = key.slice(dot + 1);
  return isId(accountId) && isId(number) ? { accountId, number, key } : undefined;
};

export type ParsedStream =
  | { readonly kind: 'account'; readonly accountId: string }
  | ({ readonly kind: 'line' } & LineAddress)
  | { readonly kind: 'clock' };

/** A stream name read from the store, taken apart; undefined when it is none of Switchboard's. */
export const parseStream = (stream: string): ParsedStream | undefined => {
  if (stream === VIRTUAL_CLOCK_STREAM) return { kind: 'clock' };
  if (stream.startsWith(ACCOUNT_STREAM_PREFIX)) {
    const accountId = stream.slice(ACCOUNT_STREAM_PREFIX.length);
    return isId(accountId) ? { kind: 'account', accountId } : undefined;
  }
  if (stream.startsWith(LINE_STREAM_PREFIX)) {
    const line = parseLineKey(stream.slice(LINE_STREAM_PREFIX.length));
    return line && { kind: 'line', ...line };
  }
  return undefined;
};

/** The line a stream is the log of, or undefined when it is not a line's stream. */
export const parseLineStream = (stream: string): LineAddress | undefined => {
  return stream.startsWith(LINE_STREAM_PREFIX)
    ? parseLineKey(stream.slice(LINE_STREAM_PREFIX.length))
    : undefined;
};

/** The account a stream is the log of, or undefined when it is not an account's stream. */
export const parseAccountStream = (stream: string): string | undefined => {
  const parsed = parseStream(stream);
  return parsed?.kind === 'account' ? parsed.accountId : undefined;
};

/** Whether a stream belongs to an account: its own stream or one of its lines'. */
export const isAccountsStream = (stream: string, accountId: string): boolean => {
  const parsed = parseStream(stream);
  return parsed !== undefined && parsed.kind !== 'clock' && parsed.accountId === accountId;
};
