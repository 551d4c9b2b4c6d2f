import { PERMISSIONS } from '#events';
import {
  ADMIN,
  EVERYDAY,
  numberOf,
  phoneUser,
  startApi,
  uniqueId,
  type Answer,
  type RunningApi,
} from './accounts.support.js';
import {
  resolveSchema,
  servedOpenApi,
  type OpenApiDocument,
  type SchemaObject,
} from '../../support/openapi-document.js';

/**
 * Issue 12 §4: the api's OpenAPI document says what the api answers. Every documented operation is
 * sent a request here, in an order that makes each one succeed where it can; every answer's status
 * must be one the operation documents, and a success must have the documented status and a body
 * with the documented schema. A route added without its answers documented, a success status that
 * differs from the documented one (placing a call was documented 200 and answered 201), or a body
 * missing a documented field fails here.
 */

/** What is wrong with `value` as an instance of `schema` (one level into objects and arrays). */
const problemsOf = (
  document: OpenApiDocument,
  schema: SchemaObject,
  value: unknown,
  at = 'body',
): string[] => {
  const resolved = resolveSchema(document, schema)!;
  if (value === null) return resolved.nullable ? [] : [`${at} is null`];
  const type = Array.isArray(value) ? 'array' : typeof value === 'number' ? 'number' : typeof value;
  const expected = resolved.type === 'integer' ? 'number' : resolved.type;
  if (expected && expected !== type) return [`${at} is ${type}, documented ${expected}`];
  if (type === 'array' && resolved.items)
    return (value as unknown[]).flatMap((item, index) =>
      problemsOf(document, { ...resolved.items!, properties: undefined }, item, `${at}[${index}]`),
    );
  if (type !== 'object') return [];
  const object = value as Record<string, unknown>;
  return [
    ...(resolved.required ?? [])
      .filter((name) => !Object.hasOwn(object, name))
      .map((name) => `${at}.${name} is missing`),
    ...Object.entries(resolved.properties ?? {})
      .filter(([name]) => Object.hasOwn(object, name))
      .flatMap(([name, property]) =>
        problemsOf(
          document,
          { ...property, properties: undefined, required: undefined },
          object[name],
          `${at}.${name}`,
        ),
      ),
  ];
};

describe('the api answers as its OpenAPI document says', () => {
  let api: RunningApi;
  let document: OpenApiDocument;

  beforeAll(async () => {
    api = await startApi();
    document = await servedOpenApi(api.url);
  });
  afterAll(() => api.close());

  it('documents the status and success body of every answer of every route', async () => {
    const A = uniqueId('oa');
    const [ALICE_LINE, BOB_LINE, LOBBY_LINE] = [1, 2, 4].map(numberOf) as [string, string, string];
    const desktop = { platform: 'windows', version: '6.2.0' };
    const licensed = { powerPack: true };
    /** Bob may do all that is asked of him below; `vipOnly` would keep him from Alice's other callers. */
    const everyButVipOnly = PERMISSIONS.filter((permission) => permission !== 'vipOnly');
    const invitation = (delegationId: string, delegateId: string, permissions: readonly string[]) => ({
      actor: 'alice',
      delegationId,
      delegatorId: 'alice',
      delegateId,
      permissions,
      sharedLines: [ALICE_LINE],
    });
    // The documented paths; a request's path is its documented path with the parameters filled in.
    const ACCOUNT = '/accounts/{accountId}';
    const PARTY = `${ACCOUNT}/parties/{partyId}`;
    const DELEGATION = `${ACCOUNT}/delegations/{delegationId}`;
    const LINE = `${ACCOUNT}/lines/{number}`;
    const CALL = `${LINE}/calls/{callId}`;
    const SPEED_DIAL = `${PARTY}/speed-dials/{entryId}`;
    const [ALICE, CAROL, LOBBY] = [{ partyId: 'alice' }, { partyId: 'carol' }, { partyId: 'lobby' }];
    const [AB, AC, AC2] = [{ delegationId: 'ab' }, { delegationId: 'ac' }, { delegationId: 'ac2' }];
    const [C1, C2] = [{ callId: 'c1' }, { callId: 'c2' }];
    const SD1 = { ...ALICE, entryId: 'sd1' };
    /** Every request is on the account A, and a line's on Alice's line. */
    const onAliceLine = { accountId: A, number: ALICE_LINE.slice(1) };
    const fill = (path: string, parameters: Readonly<Record<string, string>>): string =>
      path.replace(/\{(\w+)\}/g, (_, name: string) => {
        if (parameters[name] === undefined) throw new Error(`${path} needs its ${name}`);
        return parameters[name];
      });

    // [method, documented path, body, its parameters besides the account and Alice's line]
    const requests: [string, string, unknown?, Readonly<Record<string, string>>?][] = [
      ['GET', '/health'],
      ['GET', '/metrics'],
      ['GET', '/clock'],
      ['POST', '/clock/advance', { actor: ADMIN, bySeconds: 1 }],
      ['POST', '/clock/advance-to-next-timer', { actor: ADMIN }],
      ['POST', '/accounts', { actor: ADMIN, accountId: A, name: 'OpenAPI' }],
      ['PATCH', `${ACCOUNT}/policy`, { actor: ADMIN, policy: { delegationEnabled: true } }],
      ['POST', `${ACCOUNT}/phone-users`, phoneUser('alice', 1, licensed)],
      ['POST', `${ACCOUNT}/phone-users`, phoneUser('bob', 2, licensed)],
      ['POST', `${ACCOUNT}/phone-users`, phoneUser('carol', 3, licensed)],
      [
        'POST',
        `${ACCOUNT}/common-area-phones`,
        {
          actor: ADMIN,
          partyId: 'lobby',
          name: 'Lobby',
          directNumbers: [LOBBY_LINE],
          callingPlan: 'metered',
        },
      ],
      ['PUT', `${PARTY}/direct-numbers`, { actor: ADMIN, directNumbers: [LOBBY_LINE] }, LOBBY],
      ['PUT', `${PARTY}/calling-plan`, { actor: ADMIN, callingPlan: 'pro' }, LOBBY],
      ['PUT', `${PARTY}/power-pack`, { actor: ADMIN, powerPack: true }, LOBBY],
      ['PUT', `${PARTY}/assistant`, { actor: ADMIN, assistantEnabled: true }, CAROL],
      ['PUT', `${PARTY}/desktop-client`, { actor: 'carol', ...desktop }, CAROL],
      ['PUT', `${PARTY}/business-hours`, { actor: 'alice', businessHours: null }, ALICE],
      ['PUT', `${PARTY}/ring-timeout`, { actor: 'alice', ringTimeoutSeconds: 60 }, ALICE],
      ['DELETE', `${PARTY}/delegation-enabled`, { actor: ADMIN }, LOBBY],
      ['POST', `${PARTY}/delegation-enabled`, { actor: ADMIN }, LOBBY],
      ['POST', `${PARTY}/delegation-lock`, { actor: ADMIN }, LOBBY],
      ['DELETE', `${PARTY}/delegation-lock`, { actor: ADMIN }, LOBBY],
      ['POST', `${ACCOUNT}/delegations`, invitation('ab', 'bob', EVERYDAY)],
      ['POST', `${DELEGATION}/accept`, { actor: 'bob' }, AB],
      ['PUT', `${DELEGATION}/permissions`, { actor: 'alice', permissions: everyButVipOnly }, AB],
      ['PUT', `${DELEGATION}/shared-lines`, { actor: 'alice', sharedLines: [ALICE_LINE] }, AB],
      ['POST', `${DELEGATION}/opt-out`, { actor: 'bob' }, AB],
      ['POST', `${DELEGATION}/opt-in`, { actor: 'bob' }, AB],
      ['PUT', `${DELEGATION}/business-hours`, { actor: 'bob', businessHours: null }, AB],
      ['POST', `${ACCOUNT}/delegations`, invitation('ac', 'carol', ['answerCalls'])],
      ['POST', `${DELEGATION}/decline`, { actor: 'carol' }, AC],
      ['POST', `${ACCOUNT}/delegations`, invitation('ac2', 'carol', ['answerCalls'])],
      ['POST', `${DELEGATION}/revoke`, { actor: 'alice' }, AC2],
      ['POST', `${PARTY}/vip-contacts`, { actor: 'bob', number: '+15557770001', name: 'Board' }, ALICE],
      ['DELETE', `${PARTY}/vip-contacts/{number}`, { actor: 'alice' }, { ...ALICE, number: '+15557770001' }],
      ['PUT', `${PARTY}/vip-routing`, { actor: 'alice', mode: 'delegatorOnly' }, ALICE],
      ['GET', ACCOUNT],
      // A call placed, answered by the callee, recorded, locked, held, resumed, transferred and answered.
      ['POST', `${LINE}/calls`, { actor: 'alice', to: '+15550100', callId: 'c1' }],
      ['POST', `${CALL}/external-answer`, {}, C1],
      ['POST', `${CALL}/recordings`, { actor: 'alice', recordingId: 'r1' }, C1],
      ['POST', `${CALL}/recordings/{recordingId}/stop`, { actor: 'alice' }, { ...C1, recordingId: 'r1' }],
      ['POST', `${CALL}/privacy-lock`, { actor: 'alice', locked: false }, C1],
      ['POST', `${CALL}/hold`, { actor: 'alice' }, C1],
      ['POST', `${CALL}/{action}`, { actor: 'alice' }, { ...C1, action: 'resume' }],
      ['POST', `${CALL}/transfer`, { actor: 'alice', to: 'bob' }, C1],
      ['POST', `${CALL}/{action}`, { actor: 'bob' }, { ...C1, action: 'answer' }],
      ['GET', LINE],
      ['POST', `${CALL}/external-hang-up`, {}, C1],
      // A call nobody takes leaves a voicemail, read and deleted.
      ['POST', `${LINE}/incoming-calls`, { from: '+15550100', callId: 'c2' }],
      ['POST', `${CALL}/{action}`, { actor: 'alice' }, { ...C2, action: 'decline' }],
      ['POST', `${CALL}/{action}`, { actor: 'bob' }, { ...C2, action: 'decline' }],
      ['POST', `${LINE}/voicemails/{messageId}/read`, { actor: 'bob' }, { messageId: 'c2' }],
      ['DELETE', `${LINE}/voicemails/{messageId}`, { actor: 'alice' }, { messageId: 'c2' }],
      // Speed dials (R22) and line names (R23)
      ['PUT', `${ACCOUNT}/speed-dial-limit`, { actor: ADMIN, maxSpeedDials: 12 }],
      [
        'POST',
        `${PARTY}/speed-dials`,
        { actor: 'alice', entryId: 'sd1', label: 'Bob', number: BOB_LINE, position: 1 },
        ALICE,
      ],
      ['PUT', `${SPEED_DIAL}/label`, { actor: 'alice', label: 'Bob (desk)' }, SD1],
      ['PUT', `${SPEED_DIAL}/position`, { actor: 'alice', position: 2 }, SD1],
      ['POST', `${SPEED_DIAL}/calls`, { actor: 'alice', line: ALICE_LINE, callId: 'sd-call' }, SD1],
      ['DELETE', SPEED_DIAL, { actor: 'alice' }, SD1],
      ['PUT', `${PARTY}/lines/{number}/name`, { actor: 'alice', name: 'Front desk' }, ALICE],
    ];

    const problems: string[] = [];
    const answered = new Set<string>();
    const check = (method: string, path: string, answer: Answer): void => {
      const operation = document.paths[path]?.[method.toLowerCase()];
      if (!operation) return void problems.push(`${method} ${path} is not documented`);
      answered.add(`${method} ${path}`);
      const responses = operation.responses ?? {};
      const documented = Object.keys(responses);
      const route = `${method} ${path} answered ${answer.status} ${answer.body?.code ?? ''}`;
      if (!documented.includes(String(answer.status)))
        return void problems.push(`${route}; documented: ${documented.join(', ')}`);
      if (answer.status >= 300) return;
      const schema = responses[String(answer.status)]?.content?.['application/json']?.schema;
      if (!schema) return void problems.push(`${route}: no success schema`);
      problems.push(...problemsOf(document, schema, answer.body).map((problem) => `${route}: ${problem}`));
    };
    for (const [method, path, body, parameters] of requests) {
      const sent = fill(path, { ...onAliceLine, ...parameters });
      const answer =
        path === '/metrics'
          ? { status: (await fetch(`${api.url}${sent}`)).status, body: undefined }
          : await api.call(method, sent, body);
      if (path !== '/metrics') check(method, path, answer);
      else answered.add('GET /metrics');
    }
    // And each command on an account that does not exist: the refusal is documented too.
    for (const [method, path, body, parameters] of requests.filter(([method]) => method !== 'GET'))
      if (path.startsWith(ACCOUNT)) {
        const sent = fill(path, { ...onAliceLine, ...parameters, accountId: uniqueId('none') });
        check(method, path, await api.call(method, sent, body));
      }

    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.filter((operation) => !answered.has(operation))).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);
});
