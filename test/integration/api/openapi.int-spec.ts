import {
  ADMIN,
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
    const [ALICE_LINE, BOB_LINE, LOBBY_LINE] = [1, 2, 4].map(numberOf);
    const line = `/accounts/${A}/lines/${ALICE_LINE!.slice(1)}`;
    const desktop = { platform: 'windows', version: '6.2.0' };
    const licensed = { powerPack: true };
    const ALL = [
      'placeCalls',
      'answerCalls',
      'pickUpHeldCalls',
      'joinAndMerge',
      'optInOut',
      'overrideBusinessHours',
    ];
    // [method, documented path, concrete path, body]: the documented path names the operation.
    const requests: [string, string, string, unknown?][] = [
      ['GET', '/health', '/health'],
      ['GET', '/metrics', '/metrics'],
      ['GET', '/clock', '/clock'],
      ['POST', '/clock/advance', '/clock/advance', { actor: ADMIN, bySeconds: 1 }],
      ['POST', '/clock/advance-to-next-timer', '/clock/advance-to-next-timer', { actor: ADMIN }],
      ['POST', '/accounts', '/accounts', { actor: ADMIN, accountId: A, name: 'OpenAPI' }],
      [
        'PATCH',
        '/accounts/{accountId}/policy',
        `/accounts/${A}/policy`,
        { actor: ADMIN, policy: { delegationEnabled: true } },
      ],
      [
        'POST',
        '/accounts/{accountId}/phone-users',
        `/accounts/${A}/phone-users`,
        phoneUser('alice', 1, licensed),
      ],
      [
        'POST',
        '/accounts/{accountId}/phone-users',
        `/accounts/${A}/phone-users`,
        phoneUser('bob', 2, licensed),
      ],
      [
        'POST',
        '/accounts/{accountId}/phone-users',
        `/accounts/${A}/phone-users`,
        phoneUser('carol', 3, licensed),
      ],
      [
        'POST',
        '/accounts/{accountId}/common-area-phones',
        `/accounts/${A}/common-area-phones`,
        {
          actor: ADMIN,
          partyId: 'lobby',
          name: 'Lobby',
          directNumbers: [LOBBY_LINE],
          callingPlan: 'metered',
        },
      ],
      [
        'PUT',
        '/accounts/{accountId}/parties/{partyId}/direct-numbers',
        `/accounts/${A}/parties/lobby/direct-numbers`,
        { actor: ADMIN, directNumbers: [LOBBY_LINE] },
      ],
      [
        'PUT',
        '/accounts/{accountId}/parties/{partyId}/calling-plan',
        `/accounts/${A}/parties/lobby/calling-plan`,
        { actor: ADMIN, callingPlan: 'pro' },
      ],
      [
        'PUT',
        '/accounts/{accountId}/parties/{partyId}/power-pack',
        `/accounts/${A}/parties/lobby/power-pack`,
        { actor: ADMIN, powerPack: true },
      ],
      [
        'PUT',
        '/accounts/{accountId}/parties/{partyId}/assistant',
        `/accounts/${A}/parties/carol/assistant`,
        { actor: ADMIN, assistantEnabled: true },
      ],
      [
        'PUT',
        '/accounts/{accountId}/parties/{partyId}/desktop-client',
        `/accounts/${A}/parties/carol/desktop-client`,
        { actor: 'carol', ...desktop },
      ],
      [
        'PUT',
        '/accounts/{accountId}/parties/{partyId}/business-hours',
        `/accounts/${A}/parties/alice/business-hours`,
        { actor: 'alice', businessHours: null },
      ],
      [
        'PUT',
        '/accounts/{accountId}/parties/{partyId}/ring-timeout',
        `/accounts/${A}/parties/alice/ring-timeout`,
        { actor: 'alice', ringTimeoutSeconds: 60 },
      ],
      [
        'DELETE',
        '/accounts/{accountId}/parties/{partyId}/delegation-enabled',
        `/accounts/${A}/parties/lobby/delegation-enabled`,
        { actor: ADMIN },
      ],
      [
        'POST',
        '/accounts/{accountId}/parties/{partyId}/delegation-enabled',
        `/accounts/${A}/parties/lobby/delegation-enabled`,
        { actor: ADMIN },
      ],
      [
        'POST',
        '/accounts/{accountId}/parties/{partyId}/delegation-lock',
        `/accounts/${A}/parties/lobby/delegation-lock`,
        { actor: ADMIN },
      ],
      [
        'DELETE',
        '/accounts/{accountId}/parties/{partyId}/delegation-lock',
        `/accounts/${A}/parties/lobby/delegation-lock`,
        { actor: ADMIN },
      ],
      [
        'POST',
        '/accounts/{accountId}/delegations',
        `/accounts/${A}/delegations`,
        {
          actor: 'alice',
          delegationId: 'ab',
          delegatorId: 'alice',
          delegateId: 'bob',
          permissions: ALL,
          sharedLines: [ALICE_LINE],
        },
      ],
      [
        'POST',
        '/accounts/{accountId}/delegations/{delegationId}/accept',
        `/accounts/${A}/delegations/ab/accept`,
        { actor: 'bob' },
      ],
      [
        'PUT',
        '/accounts/{accountId}/delegations/{delegationId}/permissions',
        `/accounts/${A}/delegations/ab/permissions`,
        { actor: 'alice', permissions: [...ALL, 'manageVipContacts'] },
      ],
      [
        'PUT',
        '/accounts/{accountId}/delegations/{delegationId}/shared-lines',
        `/accounts/${A}/delegations/ab/shared-lines`,
        { actor: 'alice', sharedLines: [ALICE_LINE] },
      ],
      [
        'POST',
        '/accounts/{accountId}/delegations/{delegationId}/opt-out',
        `/accounts/${A}/delegations/ab/opt-out`,
        { actor: 'bob' },
      ],
      [
        'POST',
        '/accounts/{accountId}/delegations/{delegationId}/opt-in',
        `/accounts/${A}/delegations/ab/opt-in`,
        { actor: 'bob' },
      ],
      [
        'PUT',
        '/accounts/{accountId}/delegations/{delegationId}/business-hours',
        `/accounts/${A}/delegations/ab/business-hours`,
        { actor: 'bob', businessHours: null },
      ],
      [
        'POST',
        '/accounts/{accountId}/delegations',
        `/accounts/${A}/delegations`,
        {
          actor: 'alice',
          delegationId: 'ac',
          delegatorId: 'alice',
          delegateId: 'carol',
          permissions: ['answerCalls'],
          sharedLines: [ALICE_LINE],
        },
      ],
      [
        'POST',
        '/accounts/{accountId}/delegations/{delegationId}/decline',
        `/accounts/${A}/delegations/ac/decline`,
        { actor: 'carol' },
      ],
      [
        'POST',
        '/accounts/{accountId}/delegations',
        `/accounts/${A}/delegations`,
        {
          actor: 'alice',
          delegationId: 'ac2',
          delegatorId: 'alice',
          delegateId: 'carol',
          permissions: ['answerCalls'],
          sharedLines: [ALICE_LINE],
        },
      ],
      [
        'POST',
        '/accounts/{accountId}/delegations/{delegationId}/revoke',
        `/accounts/${A}/delegations/ac2/revoke`,
        { actor: 'alice' },
      ],
      [
        'POST',
        '/accounts/{accountId}/parties/{partyId}/vip-contacts',
        `/accounts/${A}/parties/alice/vip-contacts`,
        { actor: 'bob', number: '+15557770001', name: 'Board' },
      ],
      [
        'DELETE',
        '/accounts/{accountId}/parties/{partyId}/vip-contacts/{number}',
        `/accounts/${A}/parties/alice/vip-contacts/+15557770001`,
        { actor: 'alice' },
      ],
      [
        'PUT',
        '/accounts/{accountId}/parties/{partyId}/vip-routing',
        `/accounts/${A}/parties/alice/vip-routing`,
        { actor: 'alice', mode: 'delegatorOnly' },
      ],
      ['GET', '/accounts/{accountId}', `/accounts/${A}`],
      // A call placed, answered by the callee, recorded, locked, held, resumed, transferred and answered.
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/calls',
        `${line}/calls`,
        { actor: 'alice', to: '+15550100', callId: 'c1' },
      ],
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/calls/{callId}/external-answer',
        `${line}/calls/c1/external-answer`,
        {},
      ],
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/calls/{callId}/recordings',
        `${line}/calls/c1/recordings`,
        { actor: 'alice', recordingId: 'r1' },
      ],
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/calls/{callId}/recordings/{recordingId}/stop',
        `${line}/calls/c1/recordings/r1/stop`,
        { actor: 'alice' },
      ],
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/calls/{callId}/privacy-lock',
        `${line}/calls/c1/privacy-lock`,
        { actor: 'alice', locked: false },
      ],
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/calls/{callId}/hold',
        `${line}/calls/c1/hold`,
        { actor: 'alice' },
      ],
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/calls/{callId}/{action}',
        `${line}/calls/c1/resume`,
        { actor: 'alice' },
      ],
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/calls/{callId}/transfer',
        `${line}/calls/c1/transfer`,
        { actor: 'alice', to: 'bob' },
      ],
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/calls/{callId}/{action}',
        `${line}/calls/c1/answer`,
        { actor: 'bob' },
      ],
      ['GET', '/accounts/{accountId}/lines/{number}', line],
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/calls/{callId}/external-hang-up',
        `${line}/calls/c1/external-hang-up`,
        {},
      ],
      // A call nobody takes leaves a voicemail, read and deleted.
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/incoming-calls',
        `${line}/incoming-calls`,
        { from: '+15550100', callId: 'c2' },
      ],
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/calls/{callId}/{action}',
        `${line}/calls/c2/decline`,
        { actor: 'alice' },
      ],
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/calls/{callId}/{action}',
        `${line}/calls/c2/decline`,
        { actor: 'bob' },
      ],
      [
        'POST',
        '/accounts/{accountId}/lines/{number}/voicemails/{messageId}/read',
        `${line}/voicemails/c2/read`,
        { actor: 'bob' },
      ],
      [
        'DELETE',
        '/accounts/{accountId}/lines/{number}/voicemails/{messageId}',
        `${line}/voicemails/c2`,
        { actor: 'alice' },
      ],
      // Speed dials (R22) and line names (R23)
      [
        'PUT',
        '/accounts/{accountId}/speed-dial-limit',
        `/accounts/${A}/speed-dial-limit`,
        { actor: ADMIN, maxSpeedDials: 12 },
      ],
      [
        'POST',
        '/accounts/{accountId}/parties/{partyId}/speed-dials',
        `/accounts/${A}/parties/alice/speed-dials`,
        { actor: 'alice', entryId: 'sd1', label: 'Bob', number: BOB_LINE, position: 1 },
      ],
      [
        'PUT',
        '/accounts/{accountId}/parties/{partyId}/speed-dials/{entryId}/label',
        `/accounts/${A}/parties/alice/speed-dials/sd1/label`,
        { actor: 'alice', label: 'Bob (desk)' },
      ],
      [
        'PUT',
        '/accounts/{accountId}/parties/{partyId}/speed-dials/{entryId}/position',
        `/accounts/${A}/parties/alice/speed-dials/sd1/position`,
        { actor: 'alice', position: 2 },
      ],
      [
        'POST',
        '/accounts/{accountId}/parties/{partyId}/speed-dials/{entryId}/calls',
        `/accounts/${A}/parties/alice/speed-dials/sd1/calls`,
        { actor: 'alice', line: ALICE_LINE, callId: 'sd-call' },
      ],
      [
        'DELETE',
        '/accounts/{accountId}/parties/{partyId}/speed-dials/{entryId}',
        `/accounts/${A}/parties/alice/speed-dials/sd1`,
        { actor: 'alice' },
      ],
      [
        'PUT',
        '/accounts/{accountId}/parties/{partyId}/lines/{number}/name',
        `/accounts/${A}/parties/alice/lines/${ALICE_LINE!.slice(1)}/name`,
        { actor: 'alice', name: 'Front desk' },
      ],
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
    for (const [method, path, concrete, body] of requests) {
      const answer =
        path === '/metrics'
          ? { status: (await fetch(`${api.url}${concrete}`)).status, body: undefined }
          : await api.call(method, concrete, body);
      if (path !== '/metrics') check(method, path, answer);
      else answered.add('GET /metrics');
    }
    // And each command on an account that does not exist: the refusal is documented too.
    for (const [method, path, concrete, body] of requests.filter(([method]) => method !== 'GET'))
      if (concrete.includes(A) && path !== '/accounts')
        check(method, path, await api.call(method, concrete.replace(A, uniqueId('none')), body));

    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.filter((operation) => !answered.has(operation))).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);
});
