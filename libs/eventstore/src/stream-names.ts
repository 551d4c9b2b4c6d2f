/**
 * Stream names are built from validated ids only (SPEC §2): an id is letters, digits, `_` and `-`,
 * starting with a letter or digit, at most 64 characters. That excludes `$` (system streams), `/`,
 * `.` (our separator inside a name), whitespace and control characters, so no user-supplied id can
 * address `$all`, a `$$metadata` stream or another category.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export class InvalidStreamIdError extends Error {
  override readonly name = 'InvalidStreamIdError';
  constructor(readonly id: string) {
    super(`"${id}" is not a valid id: use 1-64 letters, digits, "_" or "-", starting with a letter or digit`);
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
