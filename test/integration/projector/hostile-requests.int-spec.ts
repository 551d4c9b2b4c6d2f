import { configuration } from '#http';
import { ReadModelsService } from '../../../apps/projector/src/http/read-models.service.js';
import { projectorSettingsFrom } from '../../../apps/projector/src/projector-config.js';
import { accountProjectorForSuite } from '../../support/account-projector.js';
import { routesOf, servedOpenApi, type Parameter, type Route } from '../../support/openapi-document.js';
import { expectSoundAnswers, hostileWorld, type FuzzWorld } from '../../support/openapi-fuzz.js';
import { startApi, type Api } from '../api/lines.support.js';

/**
 * SPEC §4–5 on the read side (see test/support/openapi-fuzz.ts): whatever a client asks the projector,
 * its read models, audit trails, diagnostics, time travel, the panel and the panel's forwarding of
 * commands to the api, every answer is below 500 and one its route documents, and every refusal
 * carries a catalogued code and a sentence. Event streams, which stay open, are left out.
 */
describe('the projector under hostile requests', () => {
  let api: Api;
  let world: FuzzWorld;

  beforeAll(async () => {
    api = await startApi({ clock: 'virtual' });
    world = {
      ...(await hostileWorld(api.url, `hostile${Date.now().toString(36)}`)),
      skip: ({ path }) => path.endsWith('/stream'),
    };
  });
  // The panel forwards its commands to the suite's api, found where the projector's main finds it.
  const served = accountProjectorForSuite(
    () => world.accountId,
    async () => ({
      configuration: await configuration((env) =>
        projectorSettingsFrom({ ...env, SWITCHBOARD_API_URL: api.url }),
      ),
    }),
  );
  afterAll(() => api.close());

  it('answers every request below 500, as documented, with a catalogued code on every refusal', async () => {
    await expectSoundAnswers(served().url, world, 1500);
  }, 120_000);

  it('bounds rebuilds as it bounds as-of queries: with every place taken, a rebuild is refused 429 TIME_TRAVEL_BUSY with Retry-After', async () => {
    // Given every place the projector has for replays taken (those it runs and those it queues), each
    // holding a whole state in memory, as a burst of as-of queries and rebuilds does
    const { timeMachine, projector } = served().app.get(ReadModelsService);
    let release = (): void => undefined;
    const held = new Promise<void>((released) => (release = released));
    const { concurrency, queueLength } = timeMachine.queries;
    const places = Array.from({ length: concurrency + queueLength }, () =>
      timeMachine.inTurn(async () => {
        await held;
        return projector.readModels;
      }),
    );
    const rebuild = async () => {
      const answer = await fetch(`${served().url}/rebuild`, { method: 'POST' });
      const body = (await answer.json()) as { code?: string; equal?: boolean };
      return { status: answer.status, retryAfter: answer.headers.get('retry-after'), body };
    };
    // When a careless load tester asks for one more rebuild
    const refused = await rebuild();
    // Then it is refused with a time to retry, not run beside them
    expect(refused).toMatchObject({ status: 429, body: { code: 'TIME_TRAVEL_BUSY' } });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    // And once the places are free, a rebuild runs and compares equal
    release();
    await Promise.all(places);
    expect(await rebuild()).toMatchObject({ status: 200, body: { equal: true } });
  });

  it("forwards a panel command's body as the page sent it: one the api refuses as malformed is refused through the panel too, and appends nothing", async () => {
    // Given a call ringing on Carol's line
    const line = `/accounts/${world.accountId}/lines/${encodeURIComponent(world.numbers[2]!)}`;
    const callId = `fwd${Date.now().toString(36)}`;
    const send = async (url: string, body: string) => {
      const answer = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      return { status: answer.status, body: (await answer.json()) as unknown };
    };
    expect(
      (await send(`${api.url}${line}/incoming-calls`, JSON.stringify({ callId, from: '+15550100' }))).status,
    ).toBe(201);
    const revision = async () =>
      ((await (await fetch(`${api.url}${line}`)).json()) as { revision: string }).revision;
    const before = await revision();
    // When its caller's hang-up, a command whose fields are all optional, comes with a body that is no
    // object, or with a time that is no time (JSON.parse reads 1e999 as Infinity, which JSON has not)
    const hangUp = `${line}/calls/${callId}/external-hang-up`;
    for (const sent of ['null', '{"at":1e999}']) {
      const direct = await send(`${api.url}${hangUp}`, sent);
      const throughPanel = await send(`${served().url}/panel/api${hangUp}`, sent);
      // Then the panel answers what the api answers it sent directly: malformed, naming the field
      expect(direct.status).toBe(400);
      expect({ sent, ...throughPanel }).toEqual({ sent, ...direct });
    }
    // And the call was not hung up
    expect(await revision()).toBe(before);
  });

  /**
   * A value for each path or query parameter a route names: what the spec's account holds (its
   * delegator, its first line and call), but for `overrides`.
   */
  const plausible = (overrides: Readonly<Record<string, string>> = {}): Readonly<Record<string, string>> => ({
    accountId: world.accountId,
    account: world.accountId,
    partyId: 'alice',
    viewer: 'alice',
    viewers: 'alice',
    party: 'alice',
    number: world.numbers[0]!,
    line: world.numbers[0]!,
    callId: world.callIds[0]!,
    position: '1',
    ...overrides,
  });

  /**
   * `route`'s answer with `values` in its path and in the query parameters `sent` picks (an enum's
   * first value where `values` has none): its status and refusal. A stream that opens would never
   * end: its status is enough.
   */
  const ask = async (
    route: Route,
    values: Readonly<Record<string, string>>,
    sent: (parameter: Parameter) => boolean,
  ) => {
    const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name]!));
    const query = new URLSearchParams(
      route.queryParams
        .filter(sent)
        .map((parameter): [string, string] => [
          parameter.name,
          values[parameter.name] ?? String(parameter.schema?.enum?.[0]),
        ]),
    );
    const answer = await fetch(`${served().url}${path}?${query}`, { method: route.method });
    if (answer.ok) {
      await answer.body?.cancel();
      return { status: answer.status, refusal: undefined };
    }
    return {
      status: answer.status,
      refusal: (await answer.json()) as { code?: string; errors?: { field: string }[] },
    };
  };

  it('answers every route naming an account that does not exist 404 ACCOUNT_NOT_FOUND, whatever else it names', async () => {
    // Given an account id no event ever named, and for everything else what the spec's account holds
    const absent = plausible({ accountId: 'nosuchaccount', account: 'nosuchaccount' });
    const routes = routesOf(await servedOpenApi(served().url)).filter(
      (route) =>
        route.pathParams.includes('accountId') || route.queryParams.some((q) => q.name === 'account'),
    );
    // When each is asked
    const answers = [];
    for (const route of routes) {
      const { status, refusal } = await ask(
        route,
        absent,
        (parameter) => parameter.name in absent || parameter.schema?.enum !== undefined,
      );
      answers.push({ route: `${route.method} ${route.path}`, status, code: refusal?.code });
    }
    // Then each says the account is not there, as the api's routes do, not that a party is missing from it
    expect(routes.length).toBeGreaterThan(10);
    expect(answers).toEqual(answers.map(({ route }) => ({ route, status: 404, code: 'ACCOUNT_NOT_FOUND' })));
  });

  it('refuses a query parameter given a value that is none as malformed, naming it among the fields', async () => {
    // Given every query parameter of every route, the others a route needs given what the account holds
    const asked = routesOf(await servedOpenApi(served().url)).flatMap((route) =>
      route.queryParams.map((parameter) => ({ route, parameter })),
    );
    // When one is a NUL, which no id, number, position, time or format is
    const answers = [];
    for (const { route, parameter } of asked) {
      const { status, refusal } = await ask(
        route,
        plausible({ [parameter.name]: '\u0000' }),
        (sent) => sent === parameter || sent.required === true || sent.name === 'account',
      );
      const fields = refusal?.errors?.map(({ field }) => field);
      answers.push({
        route: `${route.path}?${parameter.name}`,
        status,
        named: fields?.includes(parameter.name),
      });
    }
    // Then each is a 400 whose field messages name it, as the spec's malformed requests all are
    expect(asked.length).toBeGreaterThan(20);
    expect(answers).toEqual(answers.map(({ route }) => ({ route, status: 400, named: true })));
  });

  it('refuses an asOfTime on a day the calendar does not have as malformed, never reading it as a day of the next month', async () => {
    // Given the account's seats and lines, When a view is asked as of the 29 February of a common
    // year, or the 31st of a 30-day month (Date.parse reads both as early days of the next month)
    const views = (asOfTime: string): string[] => [
      `/digest?asOfTime=${asOfTime}`,
      `/panel/seat?account=${world.accountId}&viewer=alice&asOfTime=${asOfTime}`,
      `/lines/${world.accountId}/${encodeURIComponent(world.numbers[0]!)}/history?viewer=alice&asOfTime=${asOfTime}`,
    ];
    for (const asOfTime of ['2025-02-29T00:00:00Z', '2025-04-31T09:00:00Z', '2025-11-31T09:00:00Z']) {
      for (const view of views(asOfTime)) {
        const answer = await fetch(`${served().url}${view}`);
        const refusal = (await answer.json()) as { code?: string; message?: string; errors?: unknown };
        // Then each is a 400 naming the field and the value, as any other time that is none
        expect({ view, status: answer.status, code: refusal.code, errors: refusal.errors }).toEqual({
          view,
          status: 400,
          code: 'INVALID_REQUEST',
          errors: [{ field: 'asOfTime', messages: [expect.stringContaining('on a day the calendar has')] }],
        });
        expect(refusal.message).toContain(asOfTime);
      }
    }
    // And a leap year's 29 February is a day like any other
    expect((await fetch(`${served().url}/digest?asOfTime=2024-02-29T00:00:00Z`)).status).toBe(200);
  });
});
