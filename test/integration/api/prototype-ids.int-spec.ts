import { eventSchemas } from '#events';
import { AppModule } from '../../../apps/api/src/app.module.js';
import { PROTOTYPE_NAMES } from '../../../libs/events/src/prototype-names.fixture.js';
import { serveAccount, type ServedAccount } from '../../support/account-projector.js';
import { isAccountStream, openSharedStore, recordsAppendedAfter } from '../../support/shared-store.js';
import {
  CALLER,
  LINE,
  LINE_PATH_NUMBER,
  VIP_CALLER,
  startApi,
  uniqueAccountId,
  type Api,
} from './lines.support.js';
import {
  bodyClassesOf,
  exampleBody,
  fillPath,
  idFieldsOf,
  objectsIn,
  type Class,
} from './prototype-ids.support.js';
import { routesOf, type OpenApiDocument, type Route } from '../../support/openapi-document.js';

/**
 * `POST …/voicemails/constructor/read` once answered 200 on an empty inbox and appended a VoicemailRead
 * the projector could not apply, stopping it for every account. Every route of the api and of the
 * projector, taken from their own OpenAPI documents, is sent each name Object.prototype answers to,
 * in every id it takes (path, query, body, command id, Idempotency-Key) and as a body key, against a
 * line with a call, a recording, a voicemail, a delegation and a VIP contact. Each answer must be a 4xx
 * with a reason code, nothing may reach the store, and a projector following the account stays live
 * and caught up.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked by the assertions
type Json = any;

interface Answer {
  readonly status: number;
  readonly body: Json;
}

const BOB = 'bob';

const ALICE = 'alice';

describe('ids and body keys naming Object.prototype members, on every route', () => {
  const store = openSharedStore(eventSchemas);
  let api: Api;
  let served: ServedAccount;
  const accountId = uniqueAccountId('proto');
  /** The world every baseline request points at: real ids of things that exist. */
  const world = {
    accountId,
    partyId: ALICE,
    delegationId: 'd1',
    callId: 'c1',
    recordingId: 'r1',
    messageId: '',
    entryId: 'k1',
  };

  const send = async (
    base: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: Json = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (a static file): the status alone is asserted then.
    }
    return { status: res.status, body: parsed };
  };
  const ok = async (path: string, body: Record<string, unknown>): Promise<Json> => {
    const answer = await send(api.url, 'POST', path, body);
    if (answer.status >= 300) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  beforeAll(async () => {
    api = await startApi();
    const line = `/accounts/${accountId}/lines/${LINE_PATH_NUMBER}`;
    await ok('/accounts', { actor: 'root', accountId, name: 'Prototype' });
    for (const [partyId, number] of [
      [ALICE, LINE],
      [BOB, '+15551000000'],
    ] as const) {
      await ok(`/accounts/${accountId}/phone-users`, {
        actor: 'root',
        partyId,
        name: partyId,
        directNumbers: [number],
        callingPlan: 'unlimited',
        powerPack: true,
        assistantEnabled: true,
        desktopClient: { platform: 'windows', version: '6.2.1' },
      });
    }
    await ok(`/accounts/${accountId}/delegations`, {
      actor: ALICE,
      delegationId: 'd1',
      delegatorId: ALICE,
      delegateId: BOB,
      permissions: ['placeCalls', 'answerCalls', 'pickUpHeldCalls', 'joinAndMerge'],
      sharedLines: [LINE],
    });
    await ok(`/accounts/${accountId}/delegations/d1/accept`, { actor: BOB });
    await ok(`/accounts/${accountId}/parties/${ALICE}/vip-contacts`, {
      actor: ALICE,
      number: VIP_CALLER,
      name: 'Chair',
    });
    await ok(`/accounts/${accountId}/parties/${ALICE}/speed-dials`, {
      actor: ALICE,
      entryId: 'k1',
      label: 'Travel desk',
      number: '+15558880001',
      position: 1,
    });
    // A missed call leaves a voicemail; a second call is answered and recorded.
    await ok(`${line}/incoming-calls`, { from: CALLER, callId: 'c0' });
    await ok(`${line}/calls/c0/decline`, { actor: ALICE });
    await ok(`${line}/calls/c0/decline`, { actor: BOB });
    await ok(`${line}/incoming-calls`, { from: CALLER, callId: 'c1' });
    await ok(`${line}/calls/c1/answer`, { actor: BOB });
    await ok(`${line}/calls/c1/recordings`, { actor: BOB, recordingId: 'r1' });
    const view = (await send(api.url, 'GET', line)).body;
    expect(view.call).toMatchObject({ callId: 'c1', phase: 'connected' });
    expect(view.voicemails).toHaveLength(1);
    world.messageId = view.voicemails[0].messageId;

    // The panel forwards commands to this api, not to whatever the machine has on the default port.
    const savedApiUrl = process.env.SWITCHBOARD_API_URL;
    process.env.SWITCHBOARD_API_URL = api.url;
    try {
      served = await serveAccount(store, accountId);
    } finally {
      if (savedApiUrl === undefined) delete process.env.SWITCHBOARD_API_URL;
      else process.env.SWITCHBOARD_API_URL = savedApiUrl;
    }
  }, 120_000);

  afterAll(async () => {
    await served?.close();
    await api?.close();
    await store.client.dispose();
  }, 30_000);

  /** A real value for each path or query parameter, so only the one under test is hostile. */
  const valueFor = (route: Route, param: string): string => {
    if (param === 'number') return route.path.includes('vip-contacts') ? VIP_CALLER : LINE_PATH_NUMBER;
    if (param === 'action') return 'answer';
    if (param === 'viewer' || param === 'viewers' || param === 'party') return ALICE;
    if (param === 'line') return LINE;
    if (param === 'file') return 'index.js';
    if (param === 'path') return `accounts/${accountId}/parties`;
    if (param === 'account') return accountId;
    if (param === 'position') return '0';
    const value = new Map(Object.entries(world)).get(param);
    if (value === undefined)
      throw new Error(`${route.method} ${route.path}: no value for parameter ${param}`);
    return value;
  };

  /** Every hostile request of a route: what it varies, and the request. */
  interface Probe {
    readonly what: string;
    readonly path: string;
    readonly body?: unknown;
    readonly headers?: Record<string, string>;
  }

  const probesOf = (document: OpenApiDocument, bodies: Map<string, Class>, route: Route): Probe[] => {
    const bodyClass = route.bodySchema === undefined ? undefined : bodies.get(route.bodySchema);
    if (route.bodySchema && !bodyClass) throw new Error(`no handler takes a ${route.bodySchema} body`);
    const query = (hostile?: { name: string; value: string }): string => {
      const params = route.queryParams
        .filter((p) => p.required || p.name === hostile?.name)
        .map(
          (p) =>
            `${p.name}=${encodeURIComponent(p.name === hostile?.name ? hostile.value : valueFor(route, p.name))}`,
        );
      return params.length > 0 ? `?${params.join('&')}` : '';
    };
    const baselinePath = fillPath(route, (param) => valueFor(route, param)) + query();
    const baselineBody = route.bodySchema ? exampleBody(document, route.bodySchema) : undefined;
    return PROTOTYPE_NAMES.flatMap((name): Probe[] => [
      ...route.pathParams.map((param) => ({
        what: `path ${param}=${name}`,
        path: fillPath(route, (p) => (p === param ? name : valueFor(route, p))) + query(),
        body: baselineBody,
      })),
      ...route.queryParams.map((param) => ({
        what: `query ${param.name}=${name}`,
        path: fillPath(route, (p) => valueFor(route, p)) + query({ name: param.name, value: name }),
      })),
      ...(route.bodySchema
        ? [
            ...idFieldsOf(bodyClass!).map((field) => ({
              what: `body ${field.name}=${name}`,
              path: baselinePath,
              body: { ...baselineBody, [field.name]: field.each ? [name] : name },
            })),
            ...objectsIn(baselineBody).map(({ path }) => ({
              what: `body key ${path ? `${path}.` : ''}${name}`,
              path: baselinePath,
              body: addKey(JSON.stringify(baselineBody), path, name),
            })),
            ...['Idempotency-Key', 'X-Correlation-Id'].map((header) => ({
              what: `header ${header}: ${name}`,
              path: baselinePath,
              body: baselineBody,
              headers: { [header]: name },
            })),
          ]
        : []),
    ]);
  };

  /**
   * What the requests since commit position `before` appended, outside the store's own `$` streams (an
   * aggregate snapshot of the seeding's own commands may still be written in the background; refused
   * commands never write one). The api fires the timers other suites' accounts left pending in the
   * shared store, as any api does on start: an event a timer caused names the event whose timer fired
   * as its cause, where a request's names the request's command, and no probe can start a timer.
   */
  const appendedByRequests = async (before: bigint) =>
    (await recordsAppendedAfter(store.client, before))
      .filter(
        ({ stream, metadata }) =>
          isAccountStream(accountId, stream) || metadata.$causationId === metadata.commandId,
      )
      .map(({ stream, type, metadata }) => `${stream} ${type} ${JSON.stringify(metadata)}`);

  it.each([
    ['api', () => ({ url: api.url, bodies: bodyClassesOf(AppModule) })],
    // The projector's one POST (rebuild) takes no body.
    ['projector', () => ({ url: served.url, bodies: new Map<string, Class>() })],
  ])(
    'the %s answers every one with a 4xx and a reason code, and nothing is appended',
    async (_app, target) => {
      const { url, bodies } = target();
      const document = (await send(url, 'GET', '/docs-json')).body as OpenApiDocument;
      const routes = routesOf(document);
      expect(routes.length).toBeGreaterThan(5);
      const before = await store.headPosition();
      const wrong: string[] = [];
      let probes = 0;
      for (const route of routes) {
        for (const probe of probesOf(document, bodies, route)) {
          probes += 1;
          const answer = await send(url, route.method, probe.path, probe.body, probe.headers);
          const code = typeof answer.body === 'object' ? answer.body?.code : undefined;
          if (answer.status < 400 || answer.status >= 500 || typeof code !== 'string') {
            wrong.push(
              `${route.method} ${route.path} ${probe.what}: ${answer.status} ${JSON.stringify(answer.body)}`,
            );
          }
        }
      }
      expect(wrong).toEqual([]);
      expect(probes).toBeGreaterThan(routes.length);
      expect(await appendedByRequests(before)).toEqual([]);

      // The projector follows this account's streams only: the store's head may be an event it never
      // sees (another account's timer, a `$` record), with no checkpoint that tells it it passed.
      await served.caughtUp();
      const health = await send(served.url, 'GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'live', lag: { events: 0 } });
      expect(served.projector.failure).toBeUndefined();
    },
    // About 3,300 requests to the api: tens of seconds on a shared machine.
    300_000,
  );

  it('the quoted request: reading voicemail "constructor" of a line is refused, and the real message is untouched', async () => {
    const line = `/accounts/${accountId}/lines/${LINE_PATH_NUMBER}`;
    const before = await store.headPosition();
    for (const name of PROTOTYPE_NAMES) {
      const read = await send(api.url, 'POST', `${line}/voicemails/${name}/read`, { actor: ALICE });
      expect({ name, status: read.status, code: read.body.code }).toEqual({
        name,
        status: 400,
        code: 'INVALID_ID',
      });
      const removed = await send(api.url, 'DELETE', `${line}/voicemails/${name}`, { actor: ALICE });
      expect({ name, status: removed.status, code: removed.body.code }).toEqual({
        name,
        status: 400,
        code: 'INVALID_ID',
      });
    }
    expect(await appendedByRequests(before)).toEqual([]);
    const view = (await send(api.url, 'GET', line)).body;
    expect(view.voicemails).toEqual([expect.objectContaining({ messageId: world.messageId, readBy: null })]);
  }, 30_000);
});

/**
 * `json` with `"name":1` added to the object at the dotted `path` ('' for the top level), as the bytes
 * a client sends: `JSON.parse` makes `__proto__` an own key, and so does defineProperty.
 */
function addKey(json: string, path: string, name: string): string {
  const body = JSON.parse(json) as Record<string, unknown>;
  let target: Record<string, unknown> = body;
  for (const key of path ? path.split('.') : [])
    target = new Map(Object.entries(target)).get(key) as Record<string, unknown>;
  // An own property, whatever the name: defineProperty never calls the `__proto__` setter.
  Object.defineProperty(target, name, { value: 1, enumerable: true, configurable: true, writable: true });
  return JSON.stringify(body);
}
