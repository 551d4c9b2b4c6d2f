import fc from 'fast-check';
import { EDGE_REASONS, REASONS } from '#domain';
import {
  resolveSchema,
  routesOf,
  servedOpenApi,
  type OpenApiDocument,
  type Route,
  type SchemaObject,
} from './openapi-document.js';

/**
 * Requests generated from an app's own OpenAPI document, for the hostile-request specs of the api and
 * the projector: to every operation, with path segments, query parameters and bodies that are nearly
 * right (the documented fields and parameters, given ids of the spec's own account: its parties, numbers
 * and calls) or plainly hostile (wrong types, ids JavaScript objects reserve, over-long and badly
 * encoded path segments, extra keys, broken JSON). fast-check shrinks a failing request to the
 * smallest that still fails and prints the seed that replays it (see `fuzzRuns`).
 */

/** What the spec's account holds: the ids a nearly-right request uses. */
export interface FuzzWorld {
  readonly accountId: string;
  readonly parties: readonly string[];
  readonly numbers: readonly string[];
  readonly callIds: readonly string[];
  /** Operations not to send (event streams, which stay open). */
  readonly skip?: (route: Route) => boolean;
}

export interface FuzzedRequest {
  readonly route: Route;
  /** Path and query, percent-encoded as sent. */
  readonly url: string;
  /** The raw body, JSON or not; undefined for a request without one. */
  readonly body: string | undefined;
}

const CATALOGUE: ReadonlySet<string> = new Set([...Object.keys(REASONS), ...Object.keys(EDGE_REASONS)]);

/** Values that every kind of field is sometimes given instead of what it expects. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  // Half a surrogate pair: JSON escapes it, yet it is no Unicode text (canonical JSON refuses it).
  fc.constantFrom(
    null,
    '',
    ' ',
    '__proto__',
    'constructor',
    'toString',
    -1,
    0,
    1e308,
    true,
    [],
    {},
    '\ud800',
  ),
  fc.string({ maxLength: 300 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Bodies no command takes: not JSON, not an object, or nested deeper than any walk should recurse. */
const BROKEN_BODIES = [
  '{',
  '[]',
  'null',
  '"x"',
  '{"actor":',
  '{"__proto__":{"a":1}}',
  '{"actor":1e999}',
  `{"actor":"alice","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
];

/** Path segments no route should take. */
const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', '..', '%E0%A4%A', '%', 'a'.repeat(101)),
  fc.string({ maxLength: 120 }).map(encodeURIComponent),
);

/** A value for a string field or parameter, by its name: the world's ids where the name says which. */
const plausibleString = (world: FuzzWorld, name: string, schema?: SchemaObject): fc.Arbitrary<string> =>
  schema?.format === 'date-time' || /Time$|^at$/.test(name)
    ? fc.date({ noInvalidDate: true }).map((date) => date.toISOString())
    : name === 'accountId' || name === 'account'
      ? fc.constant(world.accountId)
      : /actor|party|viewer|delegat|target|transferTo|by$/i.test(name)
        ? fc.constantFrom(...world.parties)
        : /number|caller|from|^to$/i.test(name)
          ? fc.constantFrom(...world.numbers, '+15550100')
          : /callId/.test(name)
            ? fc.constantFrom(...world.callIds)
            : /Id$/.test(name)
              ? fc.constantFrom('x1', 'ab', 'm1')
              : fc.string({ maxLength: 20 });

function valueOf(
  document: OpenApiDocument,
  world: FuzzWorld,
  schema: SchemaObject | undefined,
  name: string,
  depth: number,
): fc.Arbitrary<unknown> {
  const resolved = schema && resolveSchema(document, schema);
  const plausible = ((): fc.Arbitrary<unknown> => {
    if (!resolved || depth > 3) return hostileValue;
    if (resolved.enum) return fc.constantFrom(...resolved.enum);
    const alternatives = resolved.oneOf ?? resolved.anyOf;
    if (alternatives)
      return fc.oneof(...alternatives.map((one) => valueOf(document, world, one, name, depth + 1)));
    switch (resolved.type) {
      case 'object':
        return fc.record(
          Object.fromEntries(
            Object.entries(resolved.properties ?? {}).map(([key, property]) => [
              key,
              valueOf(document, world, property, key, depth + 1),
            ]),
          ),
          { requiredKeys: [] },
        );
      case 'array':
        return fc.array(valueOf(document, world, resolved.items, name, depth + 1), { maxLength: 3 });
      case 'string':
        return plausibleString(world, name, resolved);
      case 'integer':
      case 'number':
        return fc.oneof(fc.integer({ min: -2, max: 200 }), fc.double());
      case 'boolean':
        return fc.boolean();
      default:
        return hostileValue;
    }
  })();
  return fc.oneof({ weight: 9, arbitrary: plausible }, { weight: 1, arbitrary: hostileValue });
}

const requestTo = (
  document: OpenApiDocument,
  world: FuzzWorld,
  route: Route,
): fc.Arbitrary<FuzzedRequest> => {
  const bodySchema =
    route.bodySchema === undefined ? undefined : document.components?.schemas?.[route.bodySchema];
  const segments = route.pathParams.map((name) =>
    fc.oneof(
      { weight: 8, arbitrary: plausibleString(world, name).map(encodeURIComponent) },
      { weight: 1, arbitrary: hostileSegment },
    ),
  );
  const query: fc.Arbitrary<[string, string][]> =
    route.queryParams.length === 0
      ? fc.constant([])
      : fc.uniqueArray(
          fc.constantFrom(...route.queryParams).chain((parameter) =>
            fc.tuple(
              fc.constant(parameter.name),
              fc.oneof(
                {
                  weight: 3,
                  arbitrary: valueOf(document, world, parameter.schema, parameter.name, 0).map(String),
                },
                { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
              ),
            ),
          ),
          { maxLength: route.queryParams.length, selector: ([name]) => name },
        );
  const body =
    route.method === 'GET'
      ? fc.constant(undefined)
      : fc.oneof(
          {
            weight: 8,
            arbitrary: valueOf(document, world, bodySchema, '', 0).map((value) => JSON.stringify(value)),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom(...BROKEN_BODIES),
          },
        );
  return fc.record({ values: fc.tuple(...segments), query, body }).map(({ values, query, body }) => {
    let index = 0;
    const path = route.path.replace(/\{\w+\}/g, () => values[index++]!);
    const search = new URLSearchParams(query).toString();
    return { route, url: search ? `${path}?${search}` : path, body };
  });
};

/** Requests to every route of `document` but those `world.skip` leaves out. */
const fuzzedRequests = (document: OpenApiDocument, world: FuzzWorld): fc.Arbitrary<FuzzedRequest> =>
  fc
    .constantFrom(...routesOf(document).filter((route) => !world.skip?.(route)))
    .chain((route) => requestTo(document, world, route));

async function send(baseUrl: string, { route, url, body }: FuzzedRequest): Promise<Answer> {
  const answer = await fetch(`${baseUrl}${url}`, {
    method: route.method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  });
  return { status: answer.status, text: await answer.text() };
}

export interface Answer {
  readonly status: number;
  readonly text: string;
}

/**
 * What is wrong with an answer, if anything: a status of 500 or more, or one the route does not
 * document; a refusal without a catalogued code matching its status, or without a sentence; a
 * malformed request (400) whose refusal names no field (SPEC §4: validation errors name their fields).
 */
function problemWith({ route, url, body }: FuzzedRequest, answer: Answer): string | undefined {
  const where = `${route.method} ${url} ${body ?? ''} → ${answer.status} ${answer.text.slice(0, 300)}`;
  if (answer.status >= 500) return `failed: ${where}`;
  if (!route.documented.has(String(answer.status))) return `an undocumented status: ${where}`;
  if (answer.status < 400) return undefined;
  let refusal: { statusCode?: unknown; code?: unknown; message?: unknown; errors?: unknown };
  try {
    refusal = JSON.parse(answer.text) as typeof refusal;
  } catch {
    return `a refusal that is not JSON: ${where}`;
  }
  if (refusal.statusCode !== answer.status || !CATALOGUE.has(String(refusal.code)))
    return `a refusal without a catalogued code: ${where}`;
  if (typeof refusal.message !== 'string' || refusal.message.length === 0)
    return `a refusal without a sentence: ${where}`;
  if (answer.status === 400 && !namesFields(refusal.errors))
    return `a malformed request refused without field messages: ${where}`;
  return undefined;
}

/** Whether `errors` is a refusal's list of fields at fault, each with what is wrong with it. */
const namesFields = (errors: unknown): boolean =>
  Array.isArray(errors) &&
  errors.length > 0 &&
  errors.every(
    (error: { field?: unknown; messages?: unknown }) =>
      typeof error.field === 'string' && Array.isArray(error.messages) && error.messages.length > 0,
  );

/**
 * Sends `runs` generated requests to the app at `baseUrl` and fails on the first answer that is 500 or
 * more, undocumented, or a refusal without a catalogued code and a sentence; `watch`, called before
 * each request is sent, returns what else to check of its answer (a message when something is wrong).
 */
export async function expectSoundAnswers(
  baseUrl: string,
  world: FuzzWorld,
  runs: number,
  watch?: () => Promise<(answer: Answer) => Promise<string | undefined>>,
): Promise<void> {
  const document = await servedOpenApi(baseUrl);
  await fc.assert(
    fc.asyncProperty(fuzzedRequests(document, world), async (request) => {
      const check = await watch?.();
      const answer = await send(baseUrl, request);
      const problem = problemWith(request, answer) ?? (await check?.(answer));
      if (problem) throw new Error(`${problem} (${request.route.method} ${request.url})`);
    }),
    fuzzRuns(runs),
  );
}

/**
 * Writes an account for the requests to act on through the api at `apiUrl`, whose clock must be
 * virtual (so its call keeps ringing): three phone users with a number each, alice's line shared with
 * bob, and a call ringing on it.
 */
export async function hostileWorld(apiUrl: string, accountId: string): Promise<FuzzWorld> {
  const numbers = ['+15550000001', '+15550000002', '+15550000003'];
  const users = ['alice', 'bob', 'carol'];
  const setup: [string, unknown][] = [
    ['/accounts', { actor: 'root', accountId, name: 'Hostile' }],
    ...users.map((partyId, index): [string, unknown] => [
      `/accounts/${accountId}/phone-users`,
      {
        actor: 'root',
        partyId,
        name: partyId.toUpperCase(),
        directNumbers: [numbers[index]],
        callingPlan: 'unlimited',
        powerPack: false,
        assistantEnabled: true,
        desktopClient: { platform: 'windows', version: '6.2.1' },
      },
    ]),
    [
      `/accounts/${accountId}/delegations`,
      {
        actor: 'alice',
        delegationId: 'ab',
        delegatorId: 'alice',
        delegateId: 'bob',
        permissions: ['placeCalls', 'answerCalls', 'pickUpHeldCalls', 'joinAndMerge'],
        sharedLines: [numbers[0]],
      },
    ],
    [`/accounts/${accountId}/delegations/ab/accept`, { actor: 'bob' }],
    [
      `/accounts/${accountId}/lines/${encodeURIComponent(numbers[0]!)}/incoming-calls`,
      { callId: 'c1', from: '+15550100' },
    ],
  ];
  for (const [path, body] of setup) {
    const answer = await fetch(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!answer.ok) throw new Error(`set-up ${path}: ${answer.status} ${await answer.text()}`);
  }
  return { accountId, parties: [...users, 'root'], numbers, callIds: ['c1', 'c2'] };
}

/**
 * The run count and seed. CI replays one seed, so a run that fails names a defect a change brought, not
 * one a new draw found; `FUZZ_SEED=random` draws afresh (to look for more), `FUZZ_SEED=<n>` replays a
 * failure fast-check reported.
 */
const fuzzRuns = (numRuns: number): fc.Parameters<unknown> => {
  const seed = process.env.FUZZ_SEED ?? String(DEFAULT_SEED);
  return { numRuns, ...(seed === 'random' ? {} : { seed: Number(seed) }) };
};

const DEFAULT_SEED = 20261205;
