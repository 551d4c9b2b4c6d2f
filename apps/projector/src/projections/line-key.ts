/** A shared line is addressed by its stream `line-<accountId>.<number>`; its key here is `<accountId>.<number>`. */
export const LINE_STREAM_PREFIX = 'line-';
export const ACCOUNT_STREAM_PREFIX = 'account-';

export const lineKeyOf = (stream: string): string => stream.slice(LINE_STREAM_PREFIX.length);

export const lineKey = (accountId: string, number: string): string => `${accountId}.${number}`;

export const splitLineKey = (key: string): { accountId: string; number: string } => {
  const dot = key.indexOf('.');
  return { accountId: key.slice(0, dot), number: key.slice(dot + 1) };
};
