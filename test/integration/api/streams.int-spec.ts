import { jest } from '@jest/globals';
import { createEventStoreClient, EventStore } from '#eventstore';
import { collect } from '../../support/collect.js';
import { CALLER, apiForSuite, startApi, type Api, type SeededLine } from './lines.support.js';

// Over a thousand commands on one line, and api processes started and stopped.
jest.setTimeout(120_000);

/** Starts an api whose idempotency window is `seconds` (IDEMPOTENCY_WINDOW_SECONDS). */
const startApiWithWindow = async (seconds: string): Promise<Api> => {
  const saved = process.env.IDEMPOTENCY_WINDOW_SECONDS;
  process.env.IDEMPOTENCY_WINDOW_SECONDS = seconds;
  try {
    return await startApi();
  } finally {
    if (saved === undefined) delete process.env.IDEMPOTENCY_WINDOW_SECONDS;
    else process.env.IDEMPOTENCY_WINDOW_SECONDS = saved;
  }
};

describe('idempotent commands over HTTP: a window in time, across restarts', () => {
  const api = apiForSuite();

  const lineOf = () => api.seedLine('idem', { delegates: [{ id: 'bob' }] });
  const received = async (line: SeededLine, callId: string) =>
    (await line.storedEvents()).filter(
      (stored) =>
        stored.event.type === 'IncomingCallReceived' &&
        (stored.event.data as { callId: string }).callId === callId,
    ).length;

  it('answers a resend after 1,200 later commands on the line, and after an api restart, with the first answer', async () => {
    const line = await lineOf();
    const { accountId, path } = line;
    const ring = { from: CALLER, callId: 'first-call', commandId: 'ring-first' };
    const first = await api.command(`${path}/incoming-calls`, ring);
    expect(first.status).toBe(201);
    await api.post(`${path}/calls/first-call/external-hang-up`, {});
    for (let n = 0; n < 600; n++) {
      expect((await api.post(`${path}/incoming-calls`, { from: CALLER, callId: `later-${n}` })).status).toBe(
        201,
      );
      expect((await api.post(`${path}/calls/later-${n}/external-hang-up`, {})).status).toBe(200);
    }
    const again = await api.command(`${path}/incoming-calls`, ring);
    expect(again).toEqual({ status: 201, body: { ...first.body, duplicate: true } });

    const restarted = await startApi();
    try {
      const afterRestart = await restarted.command(`${path}/incoming-calls`, ring);
      expect(afterRestart).toEqual({ status: 201, body: { ...first.body, duplicate: true } });
      // An account command's id survives the restart too.
      const revoke = `/accounts/${accountId}/delegations/del-bob/revoke`;
      const revoked = await api.post(revoke, { actor: 'alice', commandId: 'revoke-before-restart' });
      expect(revoked.status).toBe(200);
      expect(await restarted.post(revoke, { actor: 'alice', commandId: 'revoke-before-restart' })).toEqual({
        ...revoked,
        body: { ...revoked.body, duplicate: true },
      });
    } finally {
      await restarted.close();
    }
    expect(await received(line, 'first-call')).toBe(1);
  });

  it('answers a resend of a call whose id the api generated with the same call, not a new id', async () => {
    const { path } = await lineOf();
    const first = await api.command(`${path}/incoming-calls`, {
      from: CALLER,
      commandId: 'ring-no-id',
    });
    const again = await api.command(`${path}/incoming-calls`, {
      from: CALLER,
      commandId: 'ring-no-id',
    });
    expect(first.body.callId).toEqual(expect.any(String));
    expect(again.body).toEqual({ ...first.body, duplicate: true });
  });

  it('decides a resend anew once IDEMPOTENCY_WINDOW_SECONDS has passed', async () => {
    // A window of 5 s: the four requests before the check "within the window" take well over a second
    // when the machine is busy (a 1 s window once ran out under CI's load before that check).
    const shortWindow = await startApiWithWindow('5');
    try {
      const line = await lineOf();
      const { path } = line;
      const first = await shortWindow.command(`${path}/incoming-calls`, {
        from: CALLER,
        callId: 'early',
        commandId: 'ring-reused',
      });
      await shortWindow.post(`${path}/calls/early/external-hang-up`, {});
      const within = await shortWindow.command(`${path}/incoming-calls`, {
        from: CALLER,
        callId: 'early',
        commandId: 'ring-reused',
      });
      expect(within.body).toEqual({ ...first.body, duplicate: true });
      // Within the window the id names that request; once it has passed, the id is free for another
      const other = { from: CALLER, callId: 'late', commandId: 'ring-reused' };
      expect((await shortWindow.post(`${path}/incoming-calls`, other)).body).toMatchObject({
        code: 'IDEMPOTENCY_KEY_REUSED',
      });
      await new Promise((pass) => setTimeout(pass, 5_100));
      const after = await shortWindow.command(`${path}/incoming-calls`, {
        from: CALLER,
        callId: 'late',
        commandId: 'ring-reused',
      });
      expect(after.body).toMatchObject({ duplicate: false, callId: 'late' });
      expect(await received(line, 'late')).toBe(1);
    } finally {
      await shortWindow.close();
    }
  });
});

describe('streams deleted in the store behind the api: 410 STREAM_DELETED', () => {
  const api = apiForSuite();
  const store = new EventStore(createEventStoreClient(process.env.EVENTSTORE_CONNECTION_STRING!));
  afterAll(() => store.client.dispose());

  /** An account with a line that has had a call: both streams exist and are cached by the api. */
  const accountWithLine = async () => {
    const line = await api.seedLine('gone', { delegates: [{ id: 'bob' }] });
    expect((await api.post(`${line.path}/incoming-calls`, { from: CALLER, callId: 'c1' })).status).toBe(201);
    expect((await api.get(`/accounts/${line.accountId}`)).status).toBe(200);
    return line;
  };
  const gone = (reply: { status: number; body: unknown }, deletion: string) => {
    expect(reply.status).toBe(410);
    expect(reply.body).toMatchObject({
      code: 'STREAM_DELETED',
      details: { deletion },
      message: expect.stringMatching(/deleted|tombstoned/),
    });
  };
  /**
   * The api learns of a deletion through its subscriptions: ask until it answers 410, for 20 s at most
   * (fifty tries 20 ms apart, a second, is within what a subscription lags on a busy machine).
   */
  const eventually = async <T>(ask: () => Promise<T & { status: number }>): Promise<T> => {
    const giveUpAt = Date.now() + 20_000;
    let reply = await ask();
    while (reply.status !== 410 && Date.now() < giveUpAt) {
      await new Promise((retry) => setTimeout(retry, 20));
      reply = await ask();
    }
    return reply;
  };
  const appendedTo = async (stream: string) => collect(store.readStream(stream)).catch(() => []);

  for (const deletion of ['tombstoned', 'softDeleted'] as const) {
    const remove = (stream: string) =>
      deletion === 'tombstoned' ? store.client.tombstoneStream(stream) : store.client.deleteStream(stream);

    it(`an account ${deletion}: reads, account commands and its lines' commands answer 410`, async () => {
      const { accountId, path, stream: lineStream } = await accountWithLine();
      const lineBefore = await appendedTo(lineStream);
      await remove(`account-${accountId}`);
      gone(await eventually(() => api.get(`/accounts/${accountId}`)), deletion);
      gone(await eventually(() => api.post(`${path}/calls/c1/external-hang-up`, {})), deletion);
      gone(await api.get(path), deletion);
      gone(await api.post(`/accounts/${accountId}/delegations/del-bob/revoke`, { actor: 'alice' }), deletion);
      // Not recreated under the same id: the read models and the audit trail still hold its history.
      gone(await api.post('/accounts', { actor: 'root', accountId, name: 'Again' }), deletion);
      expect(await appendedTo(lineStream)).toEqual(lineBefore);
    });

    it(`a line ${deletion}: its reads and commands answer 410, the account carries on`, async () => {
      const { accountId, path, stream: lineStream } = await accountWithLine();
      await remove(lineStream);
      gone(await eventually(() => api.get(path)), deletion);
      gone(await eventually(() => api.post(`${path}/calls/c1/external-hang-up`, {})), deletion);
      gone(await api.post(`${path}/incoming-calls`, { from: CALLER, callId: 'c2' }), deletion);
      expect((await api.get(`/accounts/${accountId}`)).status).toBe(200);
      await expect(collect(store.client.readStream(lineStream))).rejects.toThrow();
    });
  }
});
