import { ALICE, CALLER, apiForSuite, startApi, type Api } from './lines.support.js';

const BOB = 'bob';
const REUSED = 'IDEMPOTENCY_KEY_REUSED';

/**
 * An idempotency key names one request (Stripe's semantics): the same party's identical resend gets
 * the first result, a different request under the key is refused 422 and appends nothing. Checked from
 * the request digest the first command's events carry, so a restarted api, or another instance racing
 * the same key, refuses it too.
 */
describe('an idempotency key reused for a different request', () => {
  const api = apiForSuite();

  const lineWith = () => api.seedLine('idem', { delegates: [{ id: BOB }] });

  it('Given a placed call, When the same party resends its key with another body or route, Then 422 and nothing appended; the identical resend gets the first result', async () => {
    const { path, storedEvents } = await lineWith();
    const place = { actor: ALICE, to: CALLER, callId: 'c1', commandId: 'k-1' };
    const first = await api.command(`${path}/calls`, place);
    expect(first.status).toBe(201);

    for (const [route, body, headers] of [
      // Another callee
      [`${path}/calls`, { ...place, to: '+15550199' }, undefined],
      // Another route altogether
      [`${path}/calls/c1/hang-up`, { actor: ALICE, commandId: 'k-1' }, undefined],
      // The key in the header instead, on another request
      [`${path}/calls`, { actor: ALICE, to: CALLER, callId: 'c2' }, { 'idempotency-key': 'k-1' }],
    ] as const) {
      const reused = await api.command(route, body, headers);
      expect({ route, status: reused.status, code: reused.body.code }).toEqual({
        route,
        status: 422,
        code: REUSED,
      });
      expect(reused.body.message).toBe(
        'command id k-1 was already used for a different request on this line or account; resend that request unchanged for its result, or send this one under an id of its own',
      );
    }
    expect(await storedEvents()).toHaveLength(1);

    // While the identical request is a resend, whether its key is in the body or the header
    expect(await api.command(`${path}/calls`, place)).toMatchObject({
      status: 201,
      body: { ...first.body, duplicate: true },
    });
    const { commandId: _key, ...withoutKey } = place;
    expect(await api.command(`${path}/calls`, withoutKey, { 'idempotency-key': 'k-1' })).toMatchObject({
      status: 201,
      body: { ...first.body, duplicate: true },
    });
    // And the events record the request they were decided for
    const [stored] = await storedEvents();
    expect(stored!.metadata.requestDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('Given a request naming one command id in its body and another in Idempotency-Key, When it is sent, Then 400 naming both and nothing appended; the same id in both is one command', async () => {
    const { path, storedEvents } = await lineWith();
    const place = { actor: ALICE, to: CALLER, callId: 'c1', commandId: 'k-body' };
    const twoIds = await api.command(`${path}/calls`, place, { 'idempotency-key': 'k-header' });
    expect(twoIds).toMatchObject({
      status: 400,
      body: {
        code: 'INVALID_REQUEST',
        errors: [
          {
            field: 'idempotency-key',
            messages: ["is k-header, but the body's commandId is k-body: send one id, or the same in both"],
          },
        ],
      },
    });
    expect(await storedEvents()).toHaveLength(0);

    const first = await api.command(`${path}/calls`, place, { 'idempotency-key': 'k-body' });
    expect(first.status).toBe(201);
    expect(await api.command(`${path}/calls`, place)).toMatchObject({
      status: 201,
      body: { ...first.body, duplicate: true },
    });
  });

  it('Given a key used before an api restart, When a new api process is sent another request under it, Then it is refused from what the store holds', async () => {
    const { path, storedEvents } = await lineWith();
    const place = { actor: ALICE, to: CALLER, callId: 'r1', commandId: 'k-restart' };
    const first = await api.command(`${path}/calls`, place);
    expect(first.status).toBe(201);
    const restarted = await startApi();
    try {
      const reused = await restarted.command(`${path}/calls`, { ...place, to: '+15550199' });
      expect(reused).toMatchObject({ status: 422, body: { code: REUSED } });
      expect(await restarted.command(`${path}/calls`, place)).toMatchObject({
        status: 201,
        body: { ...first.body, duplicate: true },
      });
    } finally {
      await restarted.close();
    }
    expect(await storedEvents()).toHaveLength(1);
  });

  it('Given two api instances, When two different requests race under one key, Then one is decided and the other refused, never told it succeeded', async () => {
    const other = await startApi();
    try {
      for (let round = 0; round < 5; round++) {
        const { path, storedEvents } = await lineWith();
        // Both instances know the line's fold before the race, so each decides on the same revision.
        await Promise.all([api.get(path), other.get(path)]);
        const key = `k-race-${round}`;
        const [one, two] = await Promise.all([
          api.command(`${path}/calls`, { actor: ALICE, to: CALLER, callId: 'x1', commandId: key }),
          other.command(`${path}/calls`, { actor: ALICE, to: '+15550199', callId: 'x2', commandId: key }),
        ]);
        const outcomes = [one, two].map((reply) => reply.body.code ?? reply.status).sort();
        expect({ round, outcomes }).toEqual({ round, outcomes: [201, REUSED].sort() });
        const stored = await storedEvents();
        const winner = one.status === 201 ? one : two;
        expect(stored.map((event) => event.event.data)).toEqual(
          winner.body.events.map((event) => event.data),
        );
      }
    } finally {
      await other.close();
    }
  });

  describe('after a command that changed nothing', () => {
    /**
     * A line with two voicemails (the calls came in while Alice's own call held the line), the first
     * already read by Bob: reading it again changes nothing.
     */
    const lineWithVoicemails = async () => {
      const line = await lineWith();
      expect(
        (await api.command(`${line.path}/calls`, { actor: ALICE, to: CALLER, callId: 'out' })).status,
      ).toBe(201);
      for (const callId of ['vm-1', 'vm-2'])
        expect((await api.command(`${line.path}/incoming-calls`, { from: CALLER, callId })).status).toBe(201);
      expect(
        (await api.command(`${line.path}/voicemails/vm-1/read`, { actor: BOB })).body.events,
      ).toHaveLength(1);
      return line;
    };
    const read = (
      on: Api,
      path: string,
      messageId: string,
      body: Record<string, unknown>,
      headers?: Record<string, string>,
    ) => on.command(`${path}/voicemails/${messageId}/read`, body, headers);

    it('Given a key answered as a no-op, When another request comes under it, Then 422 (or 409 from another party) and nothing appended; the identical request is decided again', async () => {
      const { path, storedEvents } = await lineWithVoicemails();
      const readAgain = { actor: BOB, commandId: 'k-noop' };
      const noOp = await read(api, path, 'vm-1', readAgain);
      expect(noOp).toMatchObject({ status: 200, body: { events: [] } });
      const before = await storedEvents();

      // Another request under the key: the other voicemail's read, the key in the body or the header
      for (const [body, headers] of [
        [{ actor: BOB, commandId: 'k-noop' }, undefined],
        [{ actor: BOB }, { 'idempotency-key': 'k-noop' }],
      ] as const) {
        const reused = await read(api, path, 'vm-2', body, headers);
        expect(reused).toMatchObject({ status: 422, body: { code: REUSED } });
        expect(reused.body.message).toBe(
          'command id k-noop was already used for a different request on this line or account; resend that request unchanged for its result, or send this one under an id of its own',
        );
      }
      // Another party under the key
      const taken = await read(api, path, 'vm-2', { actor: ALICE, commandId: 'k-noop' });
      expect(taken).toMatchObject({ status: 409, body: { code: 'COMMAND_ID_TAKEN' } });
      expect(await storedEvents()).toHaveLength(before.length);

      // While the identical request is decided again, and changes nothing again
      expect(await read(api, path, 'vm-1', readAgain)).toMatchObject({
        status: 200,
        body: { events: [], duplicate: false },
      });
      // And the other request goes through under a key of its own
      const own = await read(api, path, 'vm-2', { actor: BOB, commandId: 'k-other' });
      expect(own.body.events).toEqual([expect.objectContaining({ type: 'VoicemailRead' })]);
    });

    it('Given a key answered as a no-op, When a restarted api is sent another request under it, Then that api decides it as a new one: no-ops are remembered in memory only', async () => {
      const { path, storedEvents } = await lineWithVoicemails();
      const key = { actor: BOB, commandId: 'k-noop-restart' };
      expect((await read(api, path, 'vm-1', key)).body.events).toEqual([]);
      const restarted = await startApi();
      try {
        const decided = await read(restarted, path, 'vm-2', key);
        expect(decided.body.events).toEqual([expect.objectContaining({ type: 'VoicemailRead' })]);
      } finally {
        await restarted.close();
      }
      // Its events now carry the key: the first api, reading them, answers their resend with them
      const resent = await read(api, path, 'vm-2', key);
      expect(resent.body).toMatchObject({
        duplicate: true,
        events: [expect.objectContaining({ type: 'VoicemailRead' })],
      });
      expect((await storedEvents()).filter((e) => e.event.type === 'VoicemailRead')).toHaveLength(2);
    });
  });
});
