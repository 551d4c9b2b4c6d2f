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
