import fc from 'fast-check';
import { EDGE_REASONS, REASONS } from '#domain';

/**
 * Requests generated from an app's own OpenAPI document, for the hostile-request specs of the api and
 * the projector: to every operation, with path segments, query parameters and bodies that are nearly
 * right (the documented fields and parameters, given ids of the spec's own account: its parties, numbers
 * and calls) or plainly hostile (wrong types, ids JavaScript objects reserve, over-long and badly
 * encoded path segments, extra keys, broken JSON). fast-check shrinks a failing request to the
 * smallest that still fails and prints the seed that replays it (see `fuzzRuns`).
 */

interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly oneOf?: readonly Schema[];
  readonly anyOf?: readonly Schema[];
}

interface Parameter {
  readonly in: string;
  readonly name: string;
  readonly schema?: Schema;
}

/** An OpenAPI document as the apps serve it at /docs-json: what the generator reads. */
export interface ServedDocument {
  readonly paths: Record<
    string,
    Record<
      string,
      {
        readonly parameters?: readonly Parameter[];
        readonly requestBody?: { readonly content?: Record<string, { readonly schema?: Schema }> };
        readonly responses: Record<string, unknown>;
      }
    >
  >;
  readonly components: { readonly schemas: Record<string, Schema> };
}

export interface FuzzedOperation {
  readonly method: string;
  readonly path: string;
  readonly query: readonly Parameter[];
  readonly body: Schema | undefined;
  readonly documented: ReadonlySet<string>;
}

/** What the spec's account holds: the ids a nearly-right request uses. */
export interface FuzzWorld {
  readonly accountId: string;
  readonly parties: readonly string[];
  readonly numbers: readonly string[];
  readonly callIds: readonly string[];
  /** Operations not to send (event streams, which stay open). */
  readonly skip?: (operation: FuzzedOperation) => boolean;
}

export interface FuzzedRequest {
  readonly operation: FuzzedOperation;
  /** Path and query, percent-encoded as sent. */
  readonly url: string;
  /** The raw body, JSON or not; undefined for a request without one. */
  readonly body: string | undefined;
}

const CATALOGUE: ReadonlySet<string> = new Set([...Object.keys(REASONS), ...Object.keys(EDGE_REASONS)]);

/** Values that every kind of field is sometimes given instead of what it expects. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, '', ' ', '__proto__', 'constructor', 'toString', -1, 0, 1e308, true, [], {}),
  fc.string({ maxLength: 300 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Path segments no route should take. */
const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', '..', '%E0%A4%A', '%', 'a'.repeat(101)),
  fc.string({ maxLength: 120 }).map(encodeURIComponent),
);

/** A value for a string field or parameter, by its name: the world's ids where the name says which. */
const plausibleString = (world: FuzzWorld, name: string, schema?: Schema): fc.Arbitrary<string> =>
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
  document: ServedDocument,
  world: FuzzWorld,
  schema: Schema | undefined,
  name: string,
  depth: number,
): fc.Arbitrary<unknown> {
  const resolved = schema?.$ref ? document.components.schemas[schema.$ref.split('/').at(-1)!] : schema;
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

/** Every operation of a served document. */
export const operationsIn = (document: ServedDocument): FuzzedOperation[] =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      query: (operation.parameters ?? []).filter((parameter) => parameter.in === 'query'),
      body: operation.requestBody?.content?.['application/json']?.schema,
      documented: new Set(Object.keys(operation.responses)),
    })),
  );

const requestTo = (
  document: ServedDocument,
  world: FuzzWorld,
  operation: FuzzedOperation,
): fc.Arbitrary<FuzzedRequest> => {
  const segments = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) =>
    fc.oneof(
      { weight: 8, arbitrary: plausibleString(world, name!).map(encodeURIComponent) },
      { weight: 1, arbitrary: hostileSegment },
    ),
  );
  const query: fc.Arbitrary<[string, string][]> =
    operation.query.length === 0
      ? fc.constant([])
      : fc.uniqueArray(
          fc.constantFrom(...operation.query).chain((parameter) =>
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
          { maxLength: operation.query.length, selector: ([name]) => name },
        );
  const body =
    operation.method === 'GET'
      ? fc.constant(undefined)
      : fc.oneof(
          {
            weight: 8,
            arbitrary: valueOf(document, world, operation.body, '', 0).map((value) => JSON.stringify(value)),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom('{', '[]', 'null', '"x"', '{"actor":', '{"__proto__":{"a":1}}'),
          },
        );
  return fc.record({ values: fc.tuple(...segments), query, body }).map(({ values, query, body }) => {
    let index = 0;
    const path = operation.path.replace(/\{\w+\}/g, () => values[index++]!);
    const search = new URLSearchParams(query).toString();
    return { operation, url: search ? `${path}?${search}` : path, body };
  });
};

/** Requests to every operation of `document` but those `world.skip` leaves out. */
export const fuzzedRequests = (document: ServedDocument, world: FuzzWorld): fc.Arbitrary<FuzzedRequest> =>
  fc
    .constantFrom(...operationsIn(document).filter((operation) => !world.skip?.(operation)))
    .chain((operation) => requestTo(document, world, operation));

/** Sends a fuzzed request to the app at `baseUrl`. */
export async function send(baseUrl: string, { operation, url, body }: FuzzedRequest) {
  const answer = await fetch(`${baseUrl}${url}`, {
    method: operation.method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  });
  return { status: answer.status, text: await answer.text() };
}

/**
 * What is wrong with an answer, if anything: a status of 500 or more, or one the operation does not
 * document; a refusal without a catalogued code matching its status, or without a sentence.
 */
export function problemWith(
  { operation, url, body }: FuzzedRequest,
  answer: { status: number; text: string },
): string | undefined {
  const where = `${operation.method} ${url} ${body ?? ''} → ${answer.status} ${answer.text.slice(0, 300)}`;
  if (answer.status >= 500) return `failed: ${where}`;
  if (!operation.documented.has(String(answer.status))) return `an undocumented status: ${where}`;
  if (answer.status < 400) return undefined;
  let refusal: { statusCode?: unknown; code?: unknown; message?: unknown };
  try {
    refusal = JSON.parse(answer.text) as typeof refusal;
  } catch {
    return `a refusal that is not JSON: ${where}`;
  }
  if (refusal.statusCode !== answer.status || !CATALOGUE.has(String(refusal.code)))
    return `a refusal without a catalogued code: ${where}`;
  if (typeof refusal.message !== 'string' || refusal.message.length === 0)
    return `a refusal without a sentence: ${where}`;
  return undefined;
}

/**
 * An account for the requests to act on, written through the api's `post`: three phone users with a
 * number each, alice's line shared with bob, and a call ringing on it. A virtual clock keeps it ringing.
 */
export function hostileWorld(
  accountId: string,
): FuzzWorld & { readonly setup: readonly [string, unknown][] } {
  const numbers = ['+15550000001', '+15550000002', '+15550000003'];
  const users = ['alice', 'bob', 'carol'];
  return {
    accountId,
    parties: [...users, 'root'],
    numbers,
    callIds: ['c1', 'c2'],
    setup: [
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
    ],
  };
}

/**
 * The run count and seed. CI replays one seed, so a run that fails names a defect a change brought, not
 * one a new draw found; `FUZZ_SEED=random` draws afresh (to look for more), `FUZZ_SEED=<n>` replays a
 * failure fast-check reported.
 */
export const fuzzRuns = (numRuns: number): fc.Parameters<unknown> => {
  const seed = process.env.FUZZ_SEED ?? String(DEFAULT_SEED);
  return { numRuns, ...(seed === 'random' ? {} : { seed: Number(seed) }) };
};

const DEFAULT_SEED = 20261205;
