import fc from 'fast-check';
import { EDGE_REASONS, REASONS } from '#domain';
import { ACCOUNT_STREAM_PREFIX, LINE_STREAM_PREFIX } from '#events';
import { openSharedStore } from '../../support/shared-store.js';
import { EVERYDAY, LINE, startApi, type Api } from './lines.support.js';

/**
 * SPEC §4–5, whatever a client sends: requests generated from the api's own OpenAPI document, to every
 * operation, with bodies that are nearly right (the documented fields, ids of the account's parties,
 * its numbers and calls) or plainly hostile (wrong types, ids JavaScript objects reserve, over-long
 * and badly encoded path segments, extra keys, broken JSON). Every answer must be below 500, one the
 * operation documents, and a refusal must carry a code from the catalogue and a sentence, and append
 * nothing to the account's or its lines' streams. fast-check prints the seed and the smallest failing
 * request when one fails; `FUZZ_SEED` replays it.
 */

interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly oneOf?: readonly Schema[];
  readonly anyOf?: readonly Schema[];
}

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly queryParameters: readonly string[];
  readonly body: Schema | undefined;
  readonly documented: ReadonlySet<string>;
}

interface Document {
  readonly paths: Record<
    string,
    Record<
      string,
      {
        readonly parameters?: readonly { readonly in: string; readonly name: string }[];
        readonly requestBody?: { readonly content?: Record<string, { readonly schema?: Schema }> };
        readonly responses: Record<string, unknown>;
      }
    >
  >;
  readonly components: { readonly schemas: Record<string, Schema> };
}

const CATALOGUE: ReadonlySet<string> = new Set([...Object.keys(REASONS), ...Object.keys(EDGE_REASONS)]);
const ACCOUNT = `hostile${Date.now().toString(36)}`;
const PARTIES = ['alice', 'bob', 'carol'];
const NUMBERS = [LINE, '+15550000002', '+15550000003'];

/** Values that every kind of field is sometimes given instead of what it expects. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, '', ' ', '__proto__', 'constructor', 'toString', -1, 0, 1e308, true, [], {}),
  fc.string({ maxLength: 300 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Path segments: mostly the account's own ids, else ones no route should take. */
const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', '..', '%E0%A4%A', '%', 'a'.repeat(101)),
  fc.string({ maxLength: 120 }).map(encodeURIComponent),
);

const plausibleString = (name: string): fc.Arbitrary<string> =>
  /actor|party|delegat|target|transferTo|by$/i.test(name)
    ? fc.constantFrom(...PARTIES, 'root')
    : /number|caller|from|^to$/i.test(name)
      ? fc.constantFrom(...NUMBERS, '+15550100')
      : /callId/.test(name)
        ? fc.constantFrom('c1', 'c2')
        : /Id$/.test(name)
          ? fc.constantFrom('x1', 'ab', 'm1')
          : fc.string({ maxLength: 20 });

function valueOf(
  document: Document,
  schema: Schema | undefined,
  name: string,
  depth: number,
): fc.Arbitrary<unknown> {
  const resolved = schema?.$ref ? document.components.schemas[schema.$ref.split('/').at(-1)!] : schema;
  const plausible = ((): fc.Arbitrary<unknown> => {
    if (!resolved || depth > 3) return hostileValue;
    if (resolved.enum) return fc.constantFrom(...resolved.enum);
    const alternatives = resolved.oneOf ?? resolved.anyOf;
    if (alternatives) return fc.oneof(...alternatives.map((one) => valueOf(document, one, name, depth + 1)));
    switch (resolved.type) {
      case 'object':
        return fc.record(
          Object.fromEntries(
            Object.entries(resolved.properties ?? {}).map(([key, property]) => [
              key,
              valueOf(document, property, key, depth + 1),
            ]),
          ),
          { requiredKeys: [] },
        );
      case 'array':
        return fc.array(valueOf(document, resolved.items, name, depth + 1), { maxLength: 3 });
      case 'string':
        return plausibleString(name);
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

interface HostileRequest {
  readonly operation: Operation;
  readonly url: string;
  readonly body: string | undefined;
}

const requestTo = (document: Document, operation: Operation): fc.Arbitrary<HostileRequest> => {
  const segments = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) =>
    fc.oneof(
      {
        weight: 8,
        arbitrary:
          name === 'accountId'
            ? fc.constant(ACCOUNT)
            : name === 'number'
              ? fc.constantFrom(...NUMBERS).map(encodeURIComponent)
              : plausibleString(name!),
      },
      { weight: 1, arbitrary: hostileSegment },
    ),
  );
  const query = fc.array(
    fc.tuple(
      fc.constantFrom('', ...operation.queryParameters),
      fc.oneof(fc.string(), fc.constant('__proto__')),
    ),
    { maxLength: 2 },
  );
  const body =
    operation.method === 'GET'
      ? fc.constant(undefined)
      : fc.oneof(
          {
            weight: 8,
            arbitrary: valueOf(document, operation.body, '', 0).map((value) => JSON.stringify(value)),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom('{', '[]', 'null', '"x"', '{"actor":', '{"__proto__":{"a":1}}'),
          },
        );
  return fc.record({ values: fc.tuple(...segments), query, body }).map(({ values, query, body }) => {
    let index = 0;
    const path = operation.path.replace(/\{\w+\}/g, () => values[index++]!);
    const search = new URLSearchParams(query.filter(([name]) => name !== '')).toString();
    return { operation, url: search ? `${path}?${search}` : path, body };
  });
};

describe('the api under hostile requests', () => {
  const store = openSharedStore();
  let api: Api;
  let operations: Operation[];
  let document: Document;

  beforeAll(async () => {
    // A virtual clock: no timer fires between two requests, so every append is the request's own.
    api = await startApi({ clock: 'virtual' });
    document = (await (await fetch(`${api.url}/docs-json`)).json()) as Document;
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        queryParameters: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        body: operation.requestBody?.content?.['application/json']?.schema,
        documented: new Set(Object.keys(operation.responses)),
      })),
    );
    const root = { actor: 'root' };
    const setup: [string, unknown][] = [
      ['/accounts', { ...root, accountId: ACCOUNT, name: 'Hostile' }],
      ...PARTIES.map((partyId, index): [string, unknown] => [
        `/accounts/${ACCOUNT}/phone-users`,
        {
          ...root,
          partyId,
          name: partyId.toUpperCase(),
          directNumbers: [NUMBERS[index]],
          callingPlan: 'unlimited',
          powerPack: false,
          assistantEnabled: true,
          desktopClient: { platform: 'windows', version: '6.2.1' },
        },
      ]),
      [
        `/accounts/${ACCOUNT}/delegations`,
        {
          actor: 'alice',
          delegationId: 'ab',
          delegatorId: 'alice',
          delegateId: 'bob',
          permissions: EVERYDAY,
          sharedLines: [LINE],
        },
      ],
      [`/accounts/${ACCOUNT}/delegations/ab/accept`, { actor: 'bob' }],
      [
        `/accounts/${ACCOUNT}/lines/${encodeURIComponent(LINE)}/incoming-calls`,
        { callId: 'c1', from: '+15550100' },
      ],
    ];
    for (const [path, body] of setup) {
      const answer = await api.post(path, body);
      if (answer.status >= 300)
        throw new Error(`set-up ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  });
  afterAll(async () => {
    await api.close();
    await store.client.dispose();
  });

  /** The records of the account's and its lines' streams appended after `position`. */
  const domainRecordsAfter = async (position: bigint): Promise<string[]> =>
    (await store.readAllRecords(position, 50))
      .filter((record) => record.position !== undefined && record.position > position)
      .map((record) => record.stream)
      .filter(
        (stream) =>
          stream === `${ACCOUNT_STREAM_PREFIX}${ACCOUNT}` ||
          stream.startsWith(`${LINE_STREAM_PREFIX}${ACCOUNT}`),
      );

  it('answers every request below 500, as documented, and a refusal changes nothing', async () => {
    const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...operations).chain((operation) => requestTo(document, operation)),
        async ({ operation, url, body }) => {
          const head = await store.headPosition();
          const answer = await fetch(`${api.url}${url}`, {
            method: operation.method,
            ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
          });
          const text = await answer.text();
          const where = `${operation.method} ${url} ${body ?? ''} → ${answer.status} ${text.slice(0, 300)}`;
          if (answer.status >= 500 || !operation.documented.has(String(answer.status)))
            throw new Error(`undocumented or failed answer: ${where}`);
          if (answer.status < 400) return;
          const refusal = JSON.parse(text) as { statusCode?: unknown; code?: unknown; message?: unknown };
          if (refusal.statusCode !== answer.status || !CATALOGUE.has(String(refusal.code)))
            throw new Error(`a refusal without a catalogued code: ${where}`);
          if (typeof refusal.message !== 'string' || refusal.message.length === 0)
            throw new Error(`a refusal without a sentence: ${where}`);
          const appended = await domainRecordsAfter(head);
          if (appended.length > 0) throw new Error(`a refusal appended to ${appended.join(', ')}: ${where}`);
        },
      ),
      { numRuns: 1500, ...(seed === undefined ? {} : { seed }) },
    );
  }, 120_000);
});
