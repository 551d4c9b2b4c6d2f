import {
  ADMIN,
  EVERYDAY,
  apiForSuite,
  expectStatus,
  phoneUser,
  storedTypes,
  type Answer,
} from './accounts.support.js';

/** Malformed input gets a 400 with a message per field, never a 500, and appends nothing (SPEC §4, §5). */
describe('account api: bad input', () => {
  const api = apiForSuite();
  let accountId: string;
  let before: string[];
  beforeAll(async () => {
    accountId = await api.accountWith(['alice', 'bob']);
    expectStatus(
      await api.call('POST', `/accounts/${accountId}/delegations`, {
        actor: 'alice',
        delegationId: 'ab',
        delegatorId: 'alice',
        delegateId: 'bob',
        permissions: EVERYDAY,
        sharedLines: ['+15550000001'],
      }),
      201,
    );
    before = await storedTypes(accountId);
  });
  afterEach(async () => {
    expect(await storedTypes(accountId)).toEqual(before);
  });

  const validInvite = () => ({
    actor: 'alice',
    delegatorId: 'alice',
    delegateId: 'bob',
    permissions: EVERYDAY,
    sharedLines: ['+15550000001'],
  });

  const fieldsOf = (answer: Answer): string[] =>
    (answer.body.errors as { field: string }[]).map((error) => error.field);

  function expectInvalid(answer: Answer, fields: string[], code = 'INVALID_REQUEST'): void {
    expect(answer).toMatchObject({ status: 400, body: { statusCode: 400, code } });
    expect(fieldsOf(answer)).toEqual(expect.arrayContaining(fields));
    for (const error of answer.body.errors) expect(error.messages.length).toBeGreaterThan(0);
  }

  describe('missing and mistyped fields', () => {
    it.each([
      ['no delegateId', { delegateId: undefined }, ['delegateId']],
      [
        'no permissions and no sharedLines',
        { permissions: undefined, sharedLines: undefined },
        ['permissions', 'sharedLines'],
      ],
      ['no actor', { actor: undefined }, ['actor']],
      ['permissions as a string', { permissions: 'placeCalls' }, ['permissions']],
      ['a number as actor', { actor: 42 }, ['actor']],
      ['sharedLines with a non-number', { sharedLines: ['call me'] }, ['sharedLines']],
      [
        'sharedLines of 21 numbers',
        { sharedLines: Array.from({ length: 21 }, (_, i) => `+1555000${1000 + i}`) },
        ['sharedLines'],
      ],
      ['an invalid commandId', { commandId: 'spaces are not ids' }, ['commandId']],
      ['an `at` that is not a time', { at: 'yesterday' }, ['at']],
    ])('invite with %s → 400 naming the field', async (_name, change, fields) => {
      expectInvalid(
        await api.call('POST', `/accounts/${accountId}/delegations`, { ...validInvite(), ...change }),
        fields,
      );
    });

    it.each([
      ['/phone-users', { ...phoneUser('carol', 3), powerPack: 'yes' }, ['powerPack']],
      ['/phone-users', { ...phoneUser('carol', 3), name: 'x'.repeat(101) }, ['name']],
      // A display name is one line people read: blank, invisible or control characters are malformed,
      // and so is a text-direction override, which would show what follows it backwards.
      ['/phone-users', { ...phoneUser('carol', 3), name: '   ' }, ['name']],
      ['/phone-users', { ...phoneUser('carol', 3), name: 'Carol\u202e' }, ['name']],
      ['/phone-users', { ...phoneUser('carol', 3), name: '\u2067Carol' }, ['name']],
      ['/phone-users', { ...phoneUser('carol', 3), name: '\u200b' }, ['name']],
      ['/phone-users', { ...phoneUser('carol', 3), name: 'Carol\u0000' }, ['name']],
      ['/phone-users', { ...phoneUser('carol', 3), name: 'Carol\nAdmin' }, ['name']],
      [
        '/phone-users',
        { ...phoneUser('carol', 3), desktopClient: { platform: 'windows' } },
        ['desktopClient.version'],
      ],
      ['/parties/alice/ring-timeout', { actor: ADMIN, ringTimeoutSeconds: '30' }, ['ringTimeoutSeconds']],
      ['/parties/alice/business-hours', { actor: 'alice' }, ['businessHours']],
      [
        '/parties/alice/business-hours',
        { actor: 'alice', businessHours: { utcOffsetMinutes: 0, windows: 'always' } },
        ['businessHours.windows'],
      ],
      [
        '/parties/alice/business-hours',
        { actor: 'alice', businessHours: { utcOffsetMinutes: 0, windows: [[]] } },
        ['businessHours.windows'],
      ],
      ['/parties/alice/vip-routing', { actor: 'alice', mode: 'delegatorFirst' }, ['delaySeconds']],
      [
        '/policy',
        { actor: ADMIN, policy: { maxDelegatesPerDelegator: 'many' } },
        ['policy.maxDelegatesPerDelegator'],
      ],
    ])('%s with a missing or mistyped field → 400', async (path, body, fields) => {
      const method = path === '/phone-users' ? 'POST' : path === '/policy' ? 'PATCH' : 'PUT';
      expectInvalid(await api.call(method, `/accounts/${accountId}${path}`, body), fields);
    });

    it.each([
      ['null', 'null'],
      ['an array', '[]'],
      ['an array of the fields', '[{"actor": "alice"}]'],
      ['a string', '"invite"'],
      ['a number', '42'],
    ])('a body that is %s → 400 naming the body, not fields it never had', async (_name, body) => {
      // Given a line command too: an array's prototype has an `at`, which it must not be judged by
      for (const path of [
        `/accounts/${accountId}/delegations`,
        `/accounts/${accountId}/lines/1001/calls/c1/answer`,
      ]) {
        const answer = await api.call('POST', path, body);
        expect(answer).toMatchObject({ status: 400, body: { statusCode: 400, code: 'INVALID_REQUEST' } });
        expect((answer.body as { errors: unknown }).errors).toEqual([
          { field: 'body', messages: ["body must be a JSON object of the command's fields"] },
        ]);
      }
    });

    it.each([
      ['broken JSON', '{"actor": "alice",'],
      // Well under 64 KiB, yet deep enough to overflow the stack of a recursive walk of the body.
      ['an object nested 5,000 deep', `{"actor":"alice","x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`],
      ['an array nested 20,000 deep', `{"actor":"alice","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`],
      [
        'a known field nested 5,000 deep',
        `{"actor":"alice","permissions":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      ],
    ])('a body that is %s → 400', async (_name, body) => {
      const answer = await api.call('POST', `/accounts/${accountId}/delegations`, body);
      expect(answer).toMatchObject({ status: 400, body: { statusCode: 400, code: 'INVALID_REQUEST' } });
    });

    it('a body that is not JSON → 415', async () => {
      const res = await fetch(`${api.url}/accounts/${accountId}/delegations`, {
        method: 'POST',
        headers: { 'content-type': 'application/xml' },
        body: '<invite actor="alice"/>',
      });
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    });
  });

  describe('text that is not Unicode and numbers JSON cannot hold', () => {
    // JSON may escape half of a surrogate pair ("\ud800") and write 1e999, yet neither is a value: the
    // first has no UTF-8 form for the store to keep, the second reads as Infinity.
    const line = (action: string) => `/accounts/${accountId}/lines/%2B15550000001/calls/c1/${action}`;
    it.each([
      ['a name', 'POST', `/phone-users`, { ...phoneUser('carol', 3), name: 'Carol \ud800' }, ['name']],
      ['an actor', 'POST', '/delegations', { ...validInvite(), actor: '\udc00alice' }, ['actor']],
      ["a line command's at", 'POST', 'answer', { actor: 'bob', at: '2026-01-05T09:00:00Z\ud800' }, ['at']],
      ['a key', 'POST', '/delegations', { ...validInvite(), ['x\ud83d']: 1 }, ['x\ud83d']],
      [
        'a member of a list',
        'PUT',
        '/delegations/ab/shared-lines',
        { actor: 'alice', sharedLines: ['\ud800'] },
        ['sharedLines.0'],
      ],
    ])('%s with a lone surrogate → 400 naming the field', async (_name, method, path, body, fields) => {
      const where = path.startsWith('/') ? `/accounts/${accountId}${path}` : line(path);
      const answer = await api.call(method, where, body);
      expectInvalid(answer, fields);
      expect(answer.body.message).toMatch(/surrogate/);
    });

    it('a body that is only a lone surrogate → 400 naming the body', async () => {
      const answer = await api.call('POST', `/accounts/${accountId}/delegations`, '"\\ud800"');
      expectInvalid(answer, ['body']);
    });

    it('a number beyond a double (1e999) → 400 naming the field', async () => {
      const answer = await api.call(
        'PUT',
        `/accounts/${accountId}/parties/alice/business-hours`,
        '{"actor":"alice","businessHours":{"utcOffsetMinutes":1e999,"windows":[]}}',
      );
      expectInvalid(answer, ['businessHours.utcOffsetMinutes']);
    });
  });

  describe('unknown enum values and unknown properties', () => {
    it.each([
      [
        '/delegations',
        'POST',
        { ...validInvite(), permissions: ['placeCalls', 'makeCoffee'] },
        ['permissions'],
      ],
      ['/delegations/ab/permissions', 'PUT', { actor: 'alice', permissions: ['superuser'] }, ['permissions']],
      ['/phone-users', 'POST', { ...phoneUser('carol', 3), callingPlan: 'gold' }, ['callingPlan']],
      [
        '/parties/bob/desktop-client',
        'PUT',
        { actor: 'bob', platform: 'amiga', version: '1.0' },
        ['platform'],
      ],
      ['/parties/alice/vip-routing', 'PUT', { actor: 'alice', mode: 'random' }, ['mode']],
      [
        '/parties/alice/business-hours',
        'PUT',
        {
          actor: 'alice',
          businessHours: { utcOffsetMinutes: 0, windows: [{ day: 'funday', from: '09:00', to: '17:00' }] },
        },
        ['businessHours.windows.0.day'],
      ],
    ])('%s with an unknown enum value → 400 naming the field', async (path, method, body, fields) => {
      const answer = await api.call(method, `/accounts/${accountId}${path}`, body);
      expectInvalid(answer, fields);
      expect(answer.body.message).toMatch(/must be one of the following values/);
    });

    it('a permission named makeCoffee is refused, not ignored', async () => {
      const answer = await api.call('POST', `/accounts/${accountId}/delegations`, {
        ...validInvite(),
        permissions: ['makeCoffee'],
      });
      expect(answer.body.message).toContain('permissions');
      expect(answer.body.message).toContain('placeCalls');
    });

    it.each([
      ['top level', { ...validInvite(), admin: true }, ['admin']],
      ['nested', { actor: ADMIN, policy: { delegationEnabled: true, godMode: true } }, ['policy.godMode']],
    ])('an unknown property at the %s → 400', async (where, body, fields) => {
      const path = where === 'nested' ? '/policy' : '/delegations';
      const answer = await api.call(
        where === 'nested' ? 'PATCH' : 'POST',
        `/accounts/${accountId}${path}`,
        body,
      );
      expectInvalid(answer, fields);
      expect(answer.body.message).toMatch(/should not exist/);
    });
  });

  it('an oversized body (> 64 KiB) → 413 before parsing', async () => {
    const answer = await api.call('POST', `/accounts/${accountId}/delegations`, {
      ...validInvite(),
      padding: 'x'.repeat(65 * 1024),
    });
    expect(answer).toMatchObject({ status: 413, body: { statusCode: 413, code: 'PAYLOAD_TOO_LARGE' } });
  });

  describe('ids that try to leave the account category', () => {
    const hostile = [
      ['$all', '$all'],
      ['$$x', '$$x'],
      ['a/b', 'a%2Fb'],
      ['..', '..'],
      ['acme.x', 'acme.x'],
      ['a NUL', 'a%00b'],
      ['a newline', 'a%0Ab'],
      ['a space', 'a%20b'],
      ['65 characters', 'a'.repeat(65)],
      ['a leading dash', '-acme'],
      ['non-ASCII', '%C3%A9t%C3%A9'],
    ] as const;

    it.each(hostile)('%s as the account id in a path → 400 INVALID_ID', async (_name, segment) => {
      const answer = await api.rawCall('POST', `/accounts/${segment}/delegations`, validInvite());
      expect(answer).toMatchObject({ status: 400, body: { code: 'INVALID_ID' } });
      expect(answer.body.message).toMatch(/^accountId must be 1-64 letters/);
      expect(fieldsOf(answer)).toEqual(['accountId']);
    });

    it.each(hostile)('%s as a delegation or party id in a path → 400 INVALID_ID', async (_name, segment) => {
      const accept = await api.rawCall('POST', `/accounts/${accountId}/delegations/${segment}/accept`, {
        actor: 'bob',
      });
      expect(accept).toMatchObject({ status: 400, body: { code: 'INVALID_ID' } });
      expect(fieldsOf(accept)).toEqual(['delegationId']);
      const party = await api.rawCall('POST', `/accounts/${accountId}/parties/${segment}/delegation-lock`, {
        actor: ADMIN,
      });
      expect(party).toMatchObject({ status: 400, body: { code: 'INVALID_ID' } });
    });

    it.each(hostile)('%s as the id of a GET → 400 INVALID_ID', async (_name, segment) => {
      expect(await api.rawCall('GET', `/accounts/${segment}`, undefined)).toMatchObject({
        status: 400,
        body: { code: 'INVALID_ID' },
      });
    });

    it.each(hostile.map(([name, segment]) => [name, decodeURIComponent(segment)]))(
      '%s as an id in a body → 400 naming the field',
      async (_name, id) => {
        expectInvalid(await api.call('POST', '/accounts', { actor: ADMIN, accountId: id, name: 'Evil' }), [
          'accountId',
        ]);
        expectInvalid(
          await api.call('POST', `/accounts/${accountId}/delegations`, {
            ...validInvite(),
            delegationId: id,
          }),
          ['delegationId'],
        );
        expectInvalid(
          await api.call('POST', `/accounts/${accountId}/delegations`, {
            ...validInvite(),
            delegatorId: id,
          }),
          ['delegatorId'],
        );
        expectInvalid(
          await api.call('POST', `/accounts/${accountId}/delegations`, { ...validInvite(), actor: id }),
          ['actor'],
        );
        expectInvalid(await api.call('POST', `/accounts/${accountId}/phone-users`, { ...phoneUser(id, 3) }), [
          'partyId',
        ]);
        expectInvalid(
          await api.call('POST', '/accounts', { actor: ADMIN, accountId: 'fine', name: 'x', admins: [id] }),
          ['admins'],
        );
      },
    );

    it('no hostile id created a stream', async () => {
      for (const id of ['acme.x', '-acme']) expect(await storedTypes(id)).toEqual([]);
    });

    it('a hostile correlation id header → 400, and a number that is not one in a path → 400', async () => {
      const answer = await api.call('POST', `/accounts/${accountId}/delegations`, validInvite(), {
        'x-correlation-id': '$all',
      });
      expect(answer).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST' } });
      const vip = await api.call('DELETE', `/accounts/${accountId}/parties/alice/vip-contacts/call-me`, {
        actor: 'alice',
      });
      expect(vip).toMatchObject({
        status: 400,
        body: { code: 'INVALID_NUMBER', errors: [{ field: 'number' }] },
      });
    });
  });

  it('R8: a delegation limit no JSON number holds exactly (1e308, 2^64) is refused (422), not stored rounded', async () => {
    for (const limit of [1e308, 2 ** 64]) {
      expect(
        await api.call('PATCH', `/accounts/${accountId}/policy`, {
          actor: ADMIN,
          policy: { maxDelegatesPerDelegator: limit },
        }),
      ).toMatchObject({ status: 422, body: { code: 'INVALID_DELEGATION_LIMIT', rule: 'R8' } });
    }
  });

  it('an `at` in realtime mode is a domain rejection (422 R21), not a crash', async () => {
    expect(
      await api.call('POST', `/accounts/${accountId}/delegations/ab/accept`, {
        actor: 'bob',
        at: '2026-01-05T10:00:00Z',
      }),
    ).toMatchObject({ status: 422, body: { code: 'AT_REQUIRES_VIRTUAL_CLOCK', rule: 'R21' } });
  });

  it('an unknown route → 404 with a code', async () => {
    expect(
      await api.call('POST', `/accounts/${accountId}/delegations/ab/teleport`, { actor: 'bob' }),
    ).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
  });
});
