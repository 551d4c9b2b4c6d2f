import { RequestPolicy, normalizeOrigin, parseAuthority, type Verdict } from './request-policy.js';

const defaults = RequestPolicy.fromEnv({});
const at = (host: string | undefined, extra: Record<string, string> = {}) =>
  host === undefined ? extra : { host, ...extra };
const refusal = (verdict: Verdict) => (verdict.allowed ? undefined : verdict.refusal.code);

describe('RequestPolicy from the environment', () => {
  it('answers by default to localhost, 127.0.0.1 and [::1] on any port, and to pages of the stack', () => {
    expect(defaults.hosts).toEqual([{ name: 'localhost' }, { name: '127.0.0.1' }, { name: '[::1]' }]);
    expect([...defaults.origins].sort()).toEqual(
      [
        'http://127.0.0.1:3000',
        'http://127.0.0.1:3001',
        'http://[::1]:3000',
        'http://[::1]:3001',
        'http://localhost:3000',
        'http://localhost:3001',
      ].sort(),
    );
  });

  it('takes the stack origins from API_PORT and PROJECTOR_PORT; port 0 names none', () => {
    const policy = RequestPolicy.fromEnv({ API_PORT: '4300', PROJECTOR_PORT: '0' });
    expect([...policy.origins].sort()).toEqual([
      'http://127.0.0.1:4300',
      'http://[::1]:4300',
      'http://localhost:4300',
    ]);
  });

  it('adds an address API_HOST or PROJECTOR_HOST binds to, but not a wildcard', () => {
    const policy = RequestPolicy.fromEnv({ API_HOST: '192.168.1.5', PROJECTOR_HOST: '0.0.0.0' });
    expect(policy.hosts).toContainEqual({ name: '192.168.1.5' });
    expect(policy.hosts).not.toContainEqual({ name: '0.0.0.0' });
    expect(RequestPolicy.fromEnv({ API_HOST: 'fe80::1' }).hosts).toContainEqual({ name: '[fe80::1]' });
    expect(RequestPolicy.fromEnv({ API_HOST: '::' }).hosts).toHaveLength(3);
  });

  it('replaces the defaults with SWITCHBOARD_ALLOWED_HOSTS and SWITCHBOARD_ALLOWED_ORIGINS', () => {
    const policy = RequestPolicy.fromEnv({
      SWITCHBOARD_ALLOWED_HOSTS: ' Switchboard.Example:8443 , api ',
      SWITCHBOARD_ALLOWED_ORIGINS: 'HTTPS://Ops.Example:443,http://localhost:5173',
    });
    expect(policy.hosts).toEqual([{ name: 'switchboard.example', port: 8443 }, { name: 'api' }]);
    expect([...policy.origins]).toEqual(['https://ops.example', 'http://localhost:5173']);
  });

  it('derives the default origins from configured names, keeping a name’s fixed port', () => {
    const policy = RequestPolicy.fromEnv({ SWITCHBOARD_ALLOWED_HOSTS: 'api,proxy.example:8080' });
    expect([...policy.origins]).toEqual(['http://api:3000', 'http://api:3001', 'http://proxy.example:8080']);
  });

  it('treats a blank variable as unset (docker compose passes empty values)', () => {
    const policy = RequestPolicy.fromEnv({ SWITCHBOARD_ALLOWED_HOSTS: ' ', SWITCHBOARD_ALLOWED_ORIGINS: '' });
    expect(policy.hosts).toEqual(defaults.hosts);
    expect(policy.origins).toEqual(defaults.origins);
  });

  it.each([
    [
      'SWITCHBOARD_ALLOWED_HOSTS',
      'http://example.com',
      /SWITCHBOARD_ALLOWED_HOSTS: "http:\/\/example.com" is not a host name/,
    ],
    ['SWITCHBOARD_ALLOWED_HOSTS', 'example.com/path', /SWITCHBOARD_ALLOWED_HOSTS: /],
    ['SWITCHBOARD_ALLOWED_HOSTS', 'example.com:99999', /SWITCHBOARD_ALLOWED_HOSTS: /],
    [
      'SWITCHBOARD_ALLOWED_ORIGINS',
      'example.com',
      /SWITCHBOARD_ALLOWED_ORIGINS: "example.com" is not an origin/,
    ],
    ['SWITCHBOARD_ALLOWED_ORIGINS', 'https://example.com/', /SWITCHBOARD_ALLOWED_ORIGINS: /],
    ['SWITCHBOARD_ALLOWED_ORIGINS', 'https://user@example.com', /SWITCHBOARD_ALLOWED_ORIGINS: /],
    ['SWITCHBOARD_ALLOWED_ORIGINS', 'null', /SWITCHBOARD_ALLOWED_ORIGINS: /],
  ])('refuses to start with %s=%j', (name, value, message) => {
    expect(() => RequestPolicy.fromEnv({ [name]: value })).toThrow(message);
  });
});

describe('RequestPolicy.check', () => {
  describe('Host', () => {
    it.each(['localhost:3000', 'LOCALHOST', '127.0.0.1:1', '[::1]:3001', '[::1]'])(
      'answers to %s',
      (host) => {
        expect(defaults.check('GET', at(host))).toEqual({ allowed: true });
      },
    );

    it.each([
      ['a missing Host', undefined],
      ['an empty Host', ''],
      ['a rebound name', 'evil.example:3000'],
      ['a local-looking name', 'localhost.evil.example'],
      ['a trailing dot', 'localhost.:3000'],
      ['another address', '10.0.0.1:3000'],
      ['userinfo', 'evil@localhost:3000'],
      ['a bad port', 'localhost:70000'],
      ['two Host values', 'localhost:3000, evil.example'],
    ])('refuses %s with 421', (_what, host) => {
      const verdict = defaults.check('GET', at(host));
      expect(verdict).toMatchObject({
        allowed: false,
        refusal: { statusCode: 421, code: 'HOST_NOT_ALLOWED' },
      });
    });

    it('matches a configured name with a port on that port only', () => {
      const policy = new RequestPolicy({ hosts: ['proxy.example:8443'], origins: [] });
      expect(policy.check('GET', at('proxy.example:8443')).allowed).toBe(true);
      expect(refusal(policy.check('GET', at('proxy.example:8444')))).toBe('HOST_NOT_ALLOWED');
      expect(refusal(policy.check('GET', at('proxy.example')))).toBe('HOST_NOT_ALLOWED');
    });

    it('checks Host before Origin: a rebinding page is same-origin to the browser', () => {
      const verdict = defaults.check('POST', at('evil.example:3000', { origin: 'http://evil.example:3000' }));
      expect(refusal(verdict)).toBe('HOST_NOT_ALLOWED');
    });
  });

  describe('Origin', () => {
    it('lets requests without Origin through: they are not a page’s script', () => {
      expect(defaults.check('POST', at('127.0.0.1:3000', { 'content-type': 'application/json' }))).toEqual({
        allowed: true,
      });
    });

    it('lets a page the server served itself through, on any port, with no CORS needed', () => {
      for (const [host, origin] of [
        ['127.0.0.1:4321', 'http://127.0.0.1:4321'],
        ['LocalHost:4321', 'http://localhost:4321'],
        ['localhost:80', 'http://localhost'],
      ]) {
        expect(defaults.check('GET', at(host, { origin }))).toEqual({ allowed: true });
      }
    });

    it('lets an allowed page elsewhere through and names it for CORS', () => {
      expect(defaults.check('GET', at('127.0.0.1:3000', { origin: 'http://localhost:3001' }))).toEqual({
        allowed: true,
        crossOrigin: 'http://localhost:3001',
      });
    });

    it.each([
      'http://evil.example',
      'null',
      'http://127.0.0.1:8080',
      'http://localhost:3001, http://evil.example',
      'http://LOCALHOST:3001',
      'not an origin',
    ])('refuses %j with 403, on reads too', (origin) => {
      for (const method of ['GET', 'OPTIONS', 'POST']) {
        const verdict = defaults.check(
          method,
          at('127.0.0.1:3000', { origin, 'content-type': 'application/json' }),
        );
        expect(verdict).toMatchObject({
          allowed: false,
          refusal: { statusCode: 403, code: 'ORIGIN_NOT_ALLOWED' },
        });
      }
    });
  });

  describe('a command’s body type', () => {
    const command = (method: string, headers: Record<string, string>) =>
      defaults.check(method, at('127.0.0.1:3000', headers));
    /** The answers to a body of `headers` sent with each command method: POST, PUT, PATCH, DELETE. */
    const onEveryCommandMethod = (headers: Record<string, string>) =>
      ['POST', 'PUT', 'PATCH', 'DELETE'].map((method) => command(method, headers));

    /** What every command method answers a body of a declared type with, its length aside. */
    const ANSWERS = {
      accepts: { allowed: true },
      'refuses with 415': {
        allowed: false,
        refusal: expect.objectContaining({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }),
      },
    };

    it.each<[keyof typeof ANSWERS, string]>([
      ['accepts', 'application/json'],
      ['accepts', 'application/json; charset=utf-8'],
      ['accepts', 'APPLICATION/JSON'],
      ['accepts', ' application/json ;charset=UTF-8'],
      ['refuses with 415', 'application/x-www-form-urlencoded'],
      ['refuses with 415', 'multipart/form-data; boundary=x'],
      ['refuses with 415', 'text/plain'],
      ['refuses with 415', 'application/json-patch+json'],
      ['refuses with 415', 'application/jsonp'],
      ['refuses with 415', 'json'],
      ['refuses with 415', ''],
    ])('%s %j on every command method, with a body or an empty one', (answer, contentType) => {
      for (const contentLength of ['2', '0'])
        expect(
          onEveryCommandMethod({ 'content-type': contentType, 'content-length': contentLength }),
        ).toEqual(Array(4).fill(ANSWERS[answer]));
    });

    it('needs no type without a body, and refuses an untyped body', () => {
      expect(command('POST', {})).toEqual({ allowed: true });
      expect(command('POST', { 'content-length': '0' })).toEqual({ allowed: true });
      expect(refusal(command('POST', { 'content-length': '12' }))).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(refusal(command('DELETE', { 'transfer-encoding': 'chunked' }))).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('leaves reads alone, whatever they carry', () => {
      for (const method of ['GET', 'HEAD', 'OPTIONS']) {
        expect(command(method, { 'content-type': 'text/plain', 'content-length': '3' })).toEqual({
          allowed: true,
        });
      }
    });
  });
});

describe('parsing', () => {
  it('reads a Host as a lower-case name and an optional port', () => {
    expect(parseAuthority('Example.COM:8080')).toEqual({ name: 'example.com', port: 8080 });
    expect(parseAuthority('[::1]')).toEqual({ name: '[::1]' });
    expect(parseAuthority('::1')).toBeUndefined();
    expect(parseAuthority('host:')).toBeUndefined();
  });

  it('serializes an origin as browsers send it', () => {
    expect(normalizeOrigin('HTTP://LocalHost:80')).toBe('http://localhost');
    expect(normalizeOrigin('https://[::1]:8443')).toBe('https://[::1]:8443');
    expect(normalizeOrigin('http://localhost:3000/')).toBeUndefined();
  });
});
