import { collect } from '../../support/collect.js';
import {
  ADMIN,
  expectStatus,
  numberOf,
  servedAccountForSuite,
  storedTypes,
  type Answer,
} from './accounts.support.js';

/**
 * R22 speed dials and R23 named lines through the api, against the embedded store: every refusal
 * with its status and code and nothing appended, a call placed from a key as dialling places it, and
 * the read models (speed dials with BLF presence, lamps, history) served by a projector over the log.
 */
describe('speed dials (R22) and named lines (R23) over HTTP', () => {
  const { api, store, accountId, read: readAnswer } = servedAccountForSuite(['alice', 'bob', 'carol']);

  const ALICE_LINE = numberOf(1);
  const BOB_LINE = numberOf(2);
  const CAROL_LINE = numberOf(3);
  const lineStream = (number: string) => `line-${accountId}.${number.slice(1)}`;
  const lineTypes = async (number: string): Promise<string[]> =>
    (await collect(store.readStream(lineStream(number)))).map((stored) => stored.event.type);
  const dials = (owner: string, rest = '') => `/accounts/${accountId}/parties/${owner}/speed-dials${rest}`;
  const lineName = (party: string, number: string) =>
    `/accounts/${accountId}/parties/${party}/lines/${encodeURIComponent(number)}/name`;

  /** A refusal: its status and code (and rule), a sentence, and the account and lines unchanged. */
  const refused = async (send: () => Promise<Answer>, status: number, code: string, rule?: string) => {
    const before = [await storedTypes(accountId), await lineTypes(ALICE_LINE)];
    const answer = await send();
    expect(answer).toMatchObject({ status, body: { code, ...(rule ? { rule } : {}) } });
    expect(answer.body.message).toEqual(expect.stringMatching(/^\S.{10,}$/));
    expect([await storedTypes(accountId), await lineTypes(ALICE_LINE)]).toEqual(before);
    return answer;
  };
  /** A malformed request: 400 with a message for each named field. */
  const malformed = async (send: () => Promise<Answer>, ...fields: string[]) => {
    const answer = await refused(send, 400, 'INVALID_REQUEST');
    expect(answer.body.errors.map((error: { field: string }) => error.field)).toEqual(
      expect.arrayContaining(fields),
    );
  };
  const read = async (path: string) => {
    const answer = await readAnswer(path);
    expect(answer.status).toBe(200);
    return answer.body;
  };

  beforeAll(async () => {
    // Bob may place calls on Alice's line and manage her speed dials; Carol is a delegate without it.
    await api.delegate(accountId, 'alice', 'bob', {
      delegationId: 'alice-bob',
      permissions: ['placeCalls', 'answerCalls', 'manageSpeedDials'],
      sharedLines: [ALICE_LINE],
    });
    await api.delegate(accountId, 'alice', 'carol', {
      delegationId: 'alice-carol',
      sharedLines: [ALICE_LINE],
    });
  });

  it('R23: the delegator names its line; bad names, strangers and foreign numbers are refused', async () => {
    const named = await api.call('PUT', lineName('alice', ALICE_LINE), { actor: 'alice', name: 'Sales' });
    expect(named).toMatchObject({ status: 200, body: { events: [{ type: 'LineNamed' }] } });
    expect(named.body.events[0].data).toMatchObject({ partyId: 'alice', number: ALICE_LINE, name: 'Sales' });

    await malformed(
      () => api.call('PUT', lineName('alice', ALICE_LINE), { actor: 'alice', name: 'x'.repeat(10_000) }),
      'name',
    );
    await malformed(
      () => api.call('PUT', lineName('alice', ALICE_LINE), { actor: 'alice', name: 7 }),
      'name',
    );
    await refused(
      () => api.call('PUT', lineName('alice', ALICE_LINE), { actor: 'bob', name: 'Mine' }),
      422,
      'ACTOR_NOT_ALLOWED',
      'R23',
    );
    await refused(
      () => api.call('PUT', lineName('alice', BOB_LINE), { actor: 'alice', name: 'Bob' }),
      404,
      'LINE_NOT_FOUND',
      'R23',
    );
    await refused(
      () => api.call('PUT', lineName('alice', '12'), { actor: 'alice', name: 'x' }),
      400,
      'INVALID_NUMBER',
    );
  });

  it('R22: keys are added by the owner or a delegate with manageSpeedDials; malformed input is a 400, rules a 4xx', async () => {
    const added = await api.call('POST', dials('alice'), {
      actor: 'bob',
      entryId: 'carol',
      label: 'Carol',
      number: CAROL_LINE,
      position: 2,
    });
    expect(added).toMatchObject({
      status: 201,
      body: { entryId: 'carol', events: [{ type: 'SpeedDialAdded' }] },
    });
    expectStatus(
      await api.call('POST', dials('alice'), {
        actor: 'alice',
        entryId: 'bob',
        label: 'Bob',
        number: BOB_LINE,
        position: 1,
      }),
      201,
    );
    expectStatus(
      await api.call('POST', dials('alice'), {
        actor: 'alice',
        entryId: 'travel',
        label: 'Travel desk',
        number: '+15558880001',
        position: 3,
      }),
      201,
    );

    const key = { actor: 'alice', entryId: 'k9', label: 'Nine', number: '+15558880009', position: 9 };
    await malformed(() => api.call('POST', dials('alice'), { ...key, label: 'x'.repeat(10_000) }), 'label');
    await malformed(() => api.call('POST', dials('alice'), { ...key, number: '555-0100' }), 'number');
    await malformed(() => api.call('POST', dials('alice'), { ...key, position: 0 }), 'position');
    await malformed(() => api.call('POST', dials('alice'), { ...key, position: 101 }), 'position');
    await malformed(() => api.call('POST', dials('alice'), { ...key, position: '1' }), 'position');
    // [whose keys, what the request changes, status, code, rule]
    const domainRefusals: [string, Record<string, unknown>, number, string, string][] = [
      ['alice', { position: 2 }, 409, 'SPEED_DIAL_POSITION_TAKEN', 'R22'],
      ['alice', { position: 25 }, 422, 'SPEED_DIAL_POSITION_OUT_OF_RANGE', 'R22'],
      ['alice', { entryId: 'bob' }, 409, 'SPEED_DIAL_ID_TAKEN', 'R22'],
      ['alice', { actor: 'carol' }, 422, 'PERMISSION_REQUIRED', 'R6'],
      ['bob', { actor: 'alice' }, 422, 'ACTOR_NOT_ALLOWED', 'R22'],
    ];
    for (const [owner, change, status, code, rule] of domainRefusals)
      await refused(() => api.call('POST', dials(owner), { ...key, ...change }), status, code, rule);
    await refused(() => api.call('POST', dials('nobody'), key), 404, 'PARTY_NOT_FOUND');
    // Ids from users never reach a lookup's prototype: the edge refuses the reserved names, and the
    // domain decides any other id as one nobody used (libs/domain/src/prototype-ids.spec.ts).
    await refused(
      () => api.call('PUT', dials('alice', '/constructor/label'), { actor: 'alice', label: 'x' }),
      400,
      'INVALID_ID',
    );
    await refused(
      () => api.call('POST', dials('alice'), { ...key, entryId: '__proto__' }),
      400,
      'INVALID_REQUEST',
    );
    await refused(
      () => api.call('DELETE', dials('alice', '/valueOf1'), { actor: 'alice' }),
      404,
      'SPEED_DIAL_NOT_FOUND',
      'R22',
    );
  });

  it('R22: relabel, move and remove are events; the account limit is an admin setting', async () => {
    expectStatus(
      await api.call('POST', dials('alice'), {
        actor: 'alice',
        entryId: 'tmp',
        label: 'Tmp',
        number: '+15558880002',
        position: 5,
      }),
      201,
    );
    const relabelled = await api.call('PUT', dials('alice', '/tmp/label'), { actor: 'bob', label: 'Temp' });
    expect(relabelled.body.events).toEqual([expect.objectContaining({ type: 'SpeedDialRelabelled' })]);
    const moved = await api.call('PUT', dials('alice', '/tmp/position'), { actor: 'alice', position: 6 });
    expect(moved.body.events[0]).toMatchObject({
      type: 'SpeedDialMoved',
      data: { fromPosition: 5, position: 6 },
    });
    await refused(
      () => api.call('PUT', dials('alice', '/tmp/position'), { actor: 'alice', position: 1 }),
      409,
      'SPEED_DIAL_POSITION_TAKEN',
    );
    await malformed(
      () => api.call('PUT', dials('alice', '/tmp/label'), { actor: 'alice', label: '' }),
      'label',
    );

    const limit = `/accounts/${accountId}/speed-dial-limit`;
    await refused(
      () => api.call('PUT', limit, { actor: 'alice', maxSpeedDials: 30 }),
      422,
      'ADMIN_ONLY',
      'R22',
    );
    await malformed(() => api.call('PUT', limit, { actor: ADMIN, maxSpeedDials: 0 }), 'maxSpeedDials');
    await refused(
      () => api.call('PUT', limit, { actor: ADMIN, maxSpeedDials: 5 }),
      409,
      'SPEED_DIAL_LIMIT_BELOW_USE',
      'R22',
    );
    expect((await api.call('PUT', limit, { actor: ADMIN, maxSpeedDials: 30 })).body.events).toEqual([
      expect.objectContaining({
        type: 'SpeedDialLimitChanged',
        data: expect.objectContaining({ maxSpeedDials: 30 }),
      }),
    ]);
    expectStatus(
      await api.call('PUT', dials('alice', '/tmp/position'), { actor: 'alice', position: 30 }),
      200,
    );
    const removed = await api.call('DELETE', dials('alice', '/tmp'), { actor: 'alice' });
    expect(removed.body.events).toEqual([expect.objectContaining({ type: 'SpeedDialRemoved' })]);
    // Who acted for whom is in the metadata, as for every delegated change (SPEC §2).
    const events = await collect(store.readStream(`account-${accountId}`));
    expect(events.find((e) => e.event.type === 'SpeedDialRelabelled')!.metadata).toMatchObject({
      actor: 'bob',
      onBehalfOf: 'alice',
      permission: 'manageSpeedDials',
    });
  });

  it('R22: pressing a key places the call on the chosen line exactly as dialling does (R11, R12)', async () => {
    const press = (entry: string, actor: string, callId: string, line = ALICE_LINE) =>
      api.call('POST', dials('alice', `/${entry}/calls`), { actor, line, callId });
    const placed = await press('carol', 'bob', 'sd-1');
    expect(placed).toMatchObject({ status: 201, body: { callId: 'sd-1' } });
    expect(placed.body.events).toEqual([
      {
        type: 'CallPlacedOnSharedLine',
        data: expect.objectContaining({
          callId: 'sd-1',
          to: CAROL_LINE,
          placedBy: 'bob',
          onBehalfOf: 'alice',
          permission: 'placeCalls',
          callerId: { number: ALICE_LINE, name: 'ALICE' },
        }),
      },
    ]);
    // The line decides as for a dialled call: busy is LINE_BUSY, naming who holds it.
    const busy = await refused(() => press('travel', 'alice', 'sd-2'), 409, 'LINE_BUSY', 'R12');
    expect(busy.body.message).toContain('sd-1');
    // The key's own refusals: a list the actor may not use, a key that does not exist.
    await refused(() => press('carol', 'carol', 'sd-3'), 422, 'PERMISSION_REQUIRED', 'R6');
    await refused(() => press('nope', 'alice', 'sd-4'), 404, 'SPEED_DIAL_NOT_FOUND', 'R22');
    await malformed(
      () => api.call('POST', dials('alice', '/carol/calls'), { actor: 'bob', line: 'x' }),
      'line',
    );
    // Alice pressing her key on Bob's line is refused by the line, as dialling there would be.
    const bobLine = await api.call('POST', dials('alice', '/travel/calls'), {
      actor: 'alice',
      line: BOB_LINE,
      callId: 'sd-5',
    });
    const dialled = await api.call('POST', `/accounts/${accountId}/lines/${BOB_LINE.slice(1)}/calls`, {
      actor: 'alice',
      to: '+15558880001',
      callId: 'sd-5',
    });
    expect({ status: bobLine.status, code: bobLine.body.code }).toEqual({
      status: dialled.status,
      code: dialled.body.code,
    });
    expect(bobLine.status).toBe(422);
  });

  it('R22/R23 read models: keys in order with BLF presence; lamps and history show the line name', async () => {
    const list = await read(dials('alice'));
    expect(list).toMatchObject({ ownerId: 'alice', maxSpeedDials: 30 });
    expect(list.entries.map((e: { entryId: string }) => e.entryId)).toEqual(['bob', 'carol', 'travel']);
    const [bob, carol, travel] = list.entries;
    // Bob is on call sd-1, Carol is not; an external number has no presence.
    expect(bob.target).toEqual({
      kind: 'internal',
      partyId: 'bob',
      partyName: 'BOB',
      lineName: null,
      presence: 'busy',
    });
    expect(carol.target).toMatchObject({ kind: 'internal', partyId: 'carol', presence: 'idle' });
    expect(travel.target).toEqual({ kind: 'external' });

    const lamp = await read(`/lines/${accountId}/${ALICE_LINE.slice(1)}/state?viewer=bob`);
    expect(lamp.line).toMatchObject({ name: 'Sales', label: `ALICE · Sales · ${ALICE_LINE}` });

    // A rename changes the lamp from now on; the history keeps the name the call was placed under.
    expectStatus(
      await api.call('PUT', lineName('alice', ALICE_LINE), { actor: ADMIN, name: 'Support' }),
      200,
    );
    const renamed = await read(`/lines/${accountId}/${ALICE_LINE.slice(1)}/state?viewer=alice`);
    expect(renamed.line).toMatchObject({
      name: 'Support',
      label: `My number Support · ${ALICE_LINE}`,
    });
    const history = await read(`/lines/${accountId}/${ALICE_LINE.slice(1)}/history?viewer=alice`);
    expect(history.calls[0]).toMatchObject({ callId: 'sd-1', lineName: 'Sales' });
    const audit = await read(`/lines/${accountId}/${ALICE_LINE.slice(1)}/calls/sd-1/audit`);
    expect(audit).toMatchObject({ callId: 'sd-1', lineName: 'Sales' });
    const busy = await read(`/lines/${accountId}/${ALICE_LINE.slice(1)}/diagnostics/busy`);
    expect(busy.question).toContain('"Support"');
  });
});
