import { randomUUID } from 'node:crypto';

import { EventStoreDBClient } from '@eventstore/db-client';

import { EDGE_REASONS } from '#domain';
import { WRITE_PROBE_STREAM } from '#eventstore';

import { noSpaceLeft } from '../../../apps/eventstore/src/storage/failing-disk.fixture.js';
import { PROCESS_BUDGET_MS } from '../../support/embedded-eventstore.js';
import { servedOpenApi } from '../../support/openapi-document.js';
import { phoneUser } from '../api/accounts.support.js';
import { startApi, type Api } from '../api/lines.support.js';
import { storeOnFailingDiskForSuite } from './failing-disk-store.js';
import { collect } from './support.js';

/**
 * The api in front of an embedded store whose disk fills up: a command is refused as the store's
 * unavailability, not as a bug of ours, and nothing of it is appended.
 */
describe('the api while the event store cannot write its log', () => {
  const store = storeOnFailingDiskForSuite('disk-full-api');
  let api: Api;
  let reader: EventStoreDBClient;

  beforeAll(async () => {
    reader = EventStoreDBClient.connectionString(store.connectionString);
    api = await startApi({ connectionString: store.connectionString });
  }, PROCESS_BUDGET_MS);
  afterAll(async () => {
    await api?.close();
    await reader?.dispose();
  }, PROCESS_BUDGET_MS);

  const post = (path: string, body: object) => api.post(path, body);
  const health = async () => {
    const answer = await fetch(`${api.url}/health`);
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  };
  const metrics = async () => (await fetch(`${api.url}/metrics`)).text();
  /** The value of an unlabelled series in a Prometheus text exposition. */
  const metricValue = (exposition: string, name: string) => {
    const value = new RegExp(`^${name} (\\d+)$`, 'm').exec(exposition)?.[1];
    if (value === undefined) throw new Error(`no series ${name} in:\n${exposition}`);
    return Number(value);
  };
  const storedTypes = async (accountId: string) =>
    (await collect(reader.readStream(`account-${accountId}`))).map((resolved) => resolved.event!.type);

  it('a command answers 503 STORE_CANNOT_WRITE naming the cause and appends nothing; the same command succeeds once the store can write', async () => {
    const accountId = `acct-${randomUUID().replaceAll('-', '')}`;
    expect((await post('/accounts', { actor: 'root', accountId, name: 'Acme', policy: {} })).status).toBe(
      201,
    );
    const addAlice = {
      actor: 'root',
      partyId: 'alice',
      name: 'ALICE',
      directNumbers: ['+15550000001'],
      callingPlan: 'unlimited',
      powerPack: false,
      assistantEnabled: true,
      desktopClient: { platform: 'windows', version: '6.2.1' },
      commandId: 'add-alice',
    };
    store.disk.fail(await noSpaceLeft());

    const refused = await post(`/accounts/${accountId}/phone-users`, addAlice);

    expect(refused).toEqual({
      status: EDGE_REASONS.STORE_CANNOT_WRITE.status,
      body: expect.objectContaining({
        statusCode: 503,
        code: 'STORE_CANNOT_WRITE',
        message: expect.stringMatching(/cannot write its log.*nothing was appended/),
        details: { cause: 'ENOSPC' },
      }),
    });
    expect(await storedTypes(accountId)).toEqual(['AccountCreated']);
    // Still full: refused the same way again, decided on the state the store holds.
    expect((await post(`/accounts/${accountId}/phone-users`, addAlice)).body.code).toBe('STORE_CANNOT_WRITE');
    store.disk.heal();
    expect((await post(`/accounts/${accountId}/phone-users`, addAlice)).status).toBe(201);
    expect(await storedTypes(accountId)).toEqual(['AccountCreated', 'PhoneUserProvisioned']);
  });

  it('says on /health and /metrics that the store cannot write from the first refused command until one is appended again, and stays ready meanwhile', async () => {
    const accountId = `acct-${randomUUID().replaceAll('-', '')}`;
    expect((await post('/accounts', { actor: 'root', accountId, name: 'Acme', policy: {} })).status).toBe(
      201,
    );
    const addPhoneUser = (partyId: string, directNumber: string) =>
      post(`/accounts/${accountId}/phone-users`, {
        ...phoneUser(partyId, 0, { numbers: [directNumber] }),
        commandId: `add-${partyId}`,
      });
    const refusedBefore = metricValue(await metrics(), 'api_store_commands_refused_total');
    expect(await health()).toMatchObject({
      status: 200,
      body: { status: 'ok', eventStore: { status: 'up', writes: { status: 'ok' } } },
    });
    expect(metricValue(await metrics(), 'api_store_writes_failing')).toBe(0);

    store.disk.fail(await noSpaceLeft());
    const firstRefusal = Date.now();
    expect((await addPhoneUser('alice', '+15550000011')).body.code).toBe('STORE_CANNOT_WRITE');
    expect((await addPhoneUser('bob', '+15550000012')).body.code).toBe('STORE_CANNOT_WRITE');

    const failing = await health();
    expect(failing).toEqual({
      status: 200,
      body: expect.objectContaining({
        status: 'degraded',
        eventStore: expect.objectContaining({
          status: 'up',
          writes: {
            status: 'failing',
            cause: 'ENOSPC',
            since: expect.any(String),
            refusedCommands: 2,
            refusedSnapshots: 0,
          },
        }),
      }),
    });
    const since = Date.parse((failing.body.eventStore as { writes: { since: string } }).writes.since);
    expect(since).toBeGreaterThanOrEqual(firstRefusal);
    expect(since).toBeLessThanOrEqual(Date.now());
    const whileFailing = await metrics();
    expect(metricValue(whileFailing, 'api_store_writes_failing')).toBe(1);
    expect(metricValue(whileFailing, 'api_store_commands_refused_total')).toBe(refusedBefore + 2);
    expect(whileFailing).toMatch(/^# TYPE api_store_writes_failing gauge$/m);
    expect(whileFailing).toMatch(/^# TYPE api_store_commands_refused_total counter$/m);

    store.disk.heal();
    expect((await addPhoneUser('bob', '+15550000012')).status).toBe(201);

    expect(await health()).toMatchObject({
      status: 200,
      body: { status: 'ok', eventStore: { status: 'up', writes: { status: 'ok' } } },
    });
    const healed = await metrics();
    expect(metricValue(healed, 'api_store_writes_failing')).toBe(0);
    expect(metricValue(healed, 'api_store_commands_refused_total')).toBe(refusedBefore + 2);
  });

  it('a ring timeout that falls due while the store cannot write sends the call to voicemail once the store can, exactly once', async () => {
    // Given a line whose calls ring for 5 s, and a call ringing on it
    const accountId = `acct-${randomUUID().replaceAll('-', '')}`;
    const send = async (method: string, path: string, body: object) =>
      (
        await fetch(`${api.url}${path}`, {
          method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).status;
    expect(await send('POST', '/accounts', { actor: 'root', accountId, name: 'Acme', policy: {} })).toBe(201);
    expect(
      await send('POST', `/accounts/${accountId}/phone-users`, {
        actor: 'root',
        partyId: 'alice',
        name: 'ALICE',
        directNumbers: ['+15550000021'],
        callingPlan: 'unlimited',
        powerPack: false,
        assistantEnabled: false,
        desktopClient: { platform: 'windows', version: '6.2.1' },
      }),
    ).toBe(201);
    expect(
      await send('PUT', `/accounts/${accountId}/parties/alice/ring-timeout`, {
        actor: 'alice',
        ringTimeoutSeconds: 5,
      }),
    ).toBe(200);
    const ringing = await post(`/accounts/${accountId}/lines/15550000021/incoming-calls`, {
      callId: 'c1',
      from: '+15550100',
    });
    expect(ringing.status).toBe(201);
    const rang = (ringing.body.events as { type: string; data: { ringTimeoutAt?: string } }[]).find(
      (event) => event.type === 'CallRang',
    );
    const dueAt = Date.parse(rang!.data.ringTimeoutAt!);
    const lineTypes = async () =>
      (await collect(reader.readStream(`line-${accountId}.15550000021`))).map(
        (resolved) => resolved.event!.type,
      );

    // When the store cannot write from before the ring times out until a while after
    store.disk.fail(await noSpaceLeft());
    await new Promise((wait) => setTimeout(wait, dueAt + 1_500 - Date.now()));
    expect(await lineTypes()).not.toContain('CallSentToVoicemail');
    store.disk.heal();

    // Then the timer is sent again and the call goes to voicemail, once (it is sent again each second:
    // waited for up to 20 s, as a loaded machine's resend, append and read may take seconds)
    let types = await lineTypes();
    for (let waited = 0; !types.includes('CallSentToVoicemail') && waited < 20_000; waited += 100) {
      await new Promise((poll) => setTimeout(poll, 100));
      types = await lineTypes();
    }
    expect(types.filter((type) => type === 'CallSentToVoicemail')).toHaveLength(1);
    // And the timer, sent again each second until then, appended nothing more afterwards
    await new Promise((wait) => setTimeout(wait, 1_500));
    expect((await lineTypes()).filter((type) => type === 'CallSentToVoicemail')).toHaveLength(1);
    // About 9 s of it waits in real time (ring, full disk, check after): room for a busy machine's requests.
  }, 60_000);

  it('an idle api learns from its write probe that the store writes again, and sends no probe while writes succeed', async () => {
    const accountId = `acct-${randomUUID().replaceAll('-', '')}`;
    const create = { actor: 'root', accountId, name: 'Acme', policy: {}, commandId: 'create' };
    const probesBefore = metricValue(await metrics(), 'api_store_write_probes_total');
    // Counted from here: a spell of an earlier test may have ended with a probe of its own.
    const probeEventsBefore = (await collect(reader.readStream(WRITE_PROBE_STREAM)).catch(() => [])).length;
    store.disk.fail(await noSpaceLeft());
    expect((await post('/accounts', create)).body.code).toBe('STORE_CANNOT_WRITE');

    // The first probe comes a second after the refusal, and is refused too (waited for, not slept
    // for: a busy machine fires the probe's timer late).
    const probing = Date.now();
    while (metricValue(await metrics(), 'api_store_write_probes_total') === probesBefore) {
      expect(Date.now() - probing).toBeLessThan(10_000);
      await new Promise((again) => setTimeout(again, 100));
    }
    expect((await health()).body.status).toBe('degraded');
    store.disk.heal();
    const healed = Date.now();
    while ((await health()).body.status !== 'ok') {
      expect(Date.now() - healed).toBeLessThan(10_000);
      await new Promise((again) => setTimeout(again, 100));
    }

    expect(await health()).toMatchObject({ status: 200, body: { eventStore: { writes: { status: 'ok' } } } });
    const probesWhenHealed = metricValue(await metrics(), 'api_store_write_probes_total');
    await new Promise((idle) => setTimeout(idle, 2_500));
    expect(metricValue(await metrics(), 'api_store_write_probes_total')).toBe(probesWhenHealed);
    // One probe event for the whole spell, in a stream no reader of Switchboard's events follows.
    expect(await collect(reader.readStream(WRITE_PROBE_STREAM))).toHaveLength(probeEventsBefore + 1);
  }, 60_000);

  it('under load, each command the full disk refuses is answered 503 STORE_CANNOT_WRITE over the connection the api had; once there is room each is appended exactly once', async () => {
    const commands = Array.from({ length: 120 }, (_, index) => ({
      actor: 'root',
      accountId: `acct-${randomUUID().replaceAll('-', '')}`,
      name: `Load ${index}`,
      policy: {},
      commandId: `create-${index}`,
    }));
    const connectionsBefore = store.connectionsOpened();
    store.disk.fail(await noSpaceLeft());

    const refused = await Promise.all(commands.map((command) => post('/accounts', command)));

    expect(refused.map(({ status, body }) => `${status} ${String(body.code)}`)).toEqual(
      commands.map(() => '503 STORE_CANNOT_WRITE'),
    );
    // Before, every refusal ended the api's BatchAppend call with UNAVAILABLE and the client dropped
    // and reopened its connection to the store, reads and subscriptions with it.
    expect(store.connectionsOpened()).toBe(connectionsBefore);
    store.disk.heal();
    const resent = await Promise.all(commands.map((command) => post('/accounts', command)));
    expect(resent.map(({ status }) => status)).toEqual(commands.map(() => 201));
    for (const { accountId } of commands) expect(await storedTypes(accountId)).toEqual(['AccountCreated']);
    expect(store.connectionsOpened()).toBe(connectionsBefore);
  });

  it('documents both 503s, the store down and the store unable to write, on every route that appends', async () => {
    const { paths } = await servedOpenApi(api.url);
    const appending = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([method]) => method === 'post')
        .map(([method, operation]) => {
          const answers = operation.responses as Record<string, { description?: string }> | undefined;
          return { route: `${method} ${path}`, unavailable: answers?.['503']?.description ?? '' };
        }),
    );

    expect(appending.length).toBeGreaterThan(20);
    expect(
      appending.filter(({ unavailable }) => !/STORE_UNAVAILABLE.*STORE_CANNOT_WRITE/.test(unavailable)),
    ).toEqual([]);
  });
});
