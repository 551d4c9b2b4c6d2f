import {
  InvalidStreamIdError,
  VIRTUAL_CLOCK_STREAM,
  accountIdOf,
  accountStream,
  isAccountsStream,
  lineKey,
  lineKeyOf,
  lineStream,
  lineStreamOfKey,
  parseAccountStream,
  parseLineKey,
  parseLineStream,
  parseStream,
  splitLineKey,
} from './stream-names.js';

describe('the stream-name codec', () => {
  describe('given ids validated at the edge', () => {
    it('names an account stream and reads it back', () => {
      expect(accountStream('acme')).toBe('account-acme');
      expect(parseStream(accountStream('acme'))).toEqual({ kind: 'account', accountId: 'acme' });
      expect(parseAccountStream('account-acme')).toBe('acme');
    });

    it('names a line stream and reads it back', () => {
      const stream = lineStream('acme-east', '15550000001');
      expect(stream).toBe('line-acme-east.15550000001');
      expect(parseStream(stream)).toEqual({
        kind: 'line',
        accountId: 'acme-east',
        number: '15550000001',
        key: 'acme-east.15550000001',
      });
      expect(parseLineStream(stream)).toEqual({
        accountId: 'acme-east',
        number: '15550000001',
        key: lineKey('acme-east', '15550000001'),
      });
      expect(lineStreamOfKey(lineKey('acme-east', '15550000001'))).toBe(stream);
    });

    it('reads the virtual clock stream', () => {
      expect(parseStream(VIRTUAL_CLOCK_STREAM)).toEqual({ kind: 'clock' });
    });

    it('keys read models by the same parts', () => {
      expect(lineKeyOf('line-acme.15550000001')).toBe('acme.15550000001');
      expect(splitLineKey('acme.15550000001')).toEqual({ accountId: 'acme', number: '15550000001' });
      expect(accountIdOf('account-acme')).toBe('acme');
    });

    it('tells which streams belong to an account', () => {
      expect(isAccountsStream('account-acme', 'acme')).toBe(true);
      expect(isAccountsStream('line-acme.15550000001', 'acme')).toBe(true);
      expect(isAccountsStream('account-acme2', 'acme')).toBe(false);
      expect(isAccountsStream('line-acme2.15550000001', 'acme')).toBe(false);
      expect(isAccountsStream(VIRTUAL_CLOCK_STREAM, 'acme')).toBe(false);
    });
  });

  describe('given an id that is not valid', () => {
    it.each([
      ['', '1555'],
      ['acme.east', '1555'],
      ['acme', '1.5'],
      ['constructor', '1555'],
      ['$all', '1555'],
    ])('refuses to build a line stream for %j / %j', (accountId, number) => {
      expect(() => lineStream(accountId, number)).toThrow(InvalidStreamIdError);
    });

    it('refuses to build an account stream for an id with a separator', () => {
      expect(() => accountStream('a.b')).toThrow(InvalidStreamIdError);
    });
  });

  describe('given a name read from the store that is not ours', () => {
    it.each([
      '',
      '$all',
      '$$account-acme',
      '$et-LineCreated',
      'account-',
      'account-a.b',
      'account-constructor',
      'line-',
      'line-acme',
      'line-acme.',
      'line-.1555',
      'line-acme.1555.2',
      'line-acme.15 55',
      'clock-other',
      'orders-42',
      'x'.repeat(10_000),
    ])('answers undefined for %j without throwing', (stream) => {
      expect(parseStream(stream)).toBeUndefined();
      expect(parseLineStream(stream)).toBeUndefined();
      expect(parseAccountStream(stream)).toBeUndefined();
      expect(isAccountsStream(stream, 'acme')).toBe(false);
    });

    it('answers undefined for a line key without two valid ids', () => {
      expect(parseLineKey('acme')).toBeUndefined();
      expect(parseLineKey('acme.1555.2')).toBeUndefined();
      expect(parseLineKey('acme.1555')).toEqual({ accountId: 'acme', number: '1555', key: 'acme.1555' });
    });
  });
});
