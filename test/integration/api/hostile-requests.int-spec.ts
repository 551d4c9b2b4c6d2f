import { ACCOUNT_STREAM_PREFIX, LINE_STREAM_PREFIX } from '#events';
import { expectSoundAnswers, hostileWorld, type FuzzWorld } from '../../support/openapi-fuzz.js';
import { openSharedStore } from '../../support/shared-store.js';
import { startApi, type Api } from './lines.support.js';

/**
 * SPEC §4–5, whatever a client sends (see test/support/openapi-fuzz.ts): every answer of the api is
 * below 500 and one its route documents, every refusal carries a catalogued code and a sentence,
 * and a refusal appends nothing of its own to the account's or its lines' streams.
 */
describe('the api under hostile requests', () => {
  const store = openSharedStore();
  let api: Api;
  let world: FuzzWorld;

  beforeAll(async () => {
    // A virtual clock: no timer fires between two requests, so every append is the request's own.
    api = await startApi({ clock: 'virtual' });
    world = await hostileWorld(api.url, `hostile${Date.now().toString(36)}`);
  });
  afterAll(async () => {
    await api.close();
    await store.client.dispose();
  });

  /**
   * What records after `position` wrote to the account's or its lines' streams. A domain refusal may
   * leave timers' events (actor `system:…`): a command's `at` moves the virtual clock before it is
   * decided, so what fell due by then fires even when the command is refused; a malformed request (400)
   * moves nothing (R21, docs/rules.md).
   */
  const writtenAfter = async (position: bigint, timersToo: boolean): Promise<string[]> => {
    const written: string[] = [];
    for await (const { event } of store.client.readAll({
      fromPosition: { commit: position, prepare: position },
      maxCount: 50,
    })) {
      if (!event || (event.position?.commit ?? 0n) <= position) continue;
      const ours =
        event.streamId === `${ACCOUNT_STREAM_PREFIX}${world.accountId}` ||
        event.streamId.startsWith(`${LINE_STREAM_PREFIX}${world.accountId}.`);
      const actor = (event.metadata as { actor?: unknown } | undefined)?.actor;
      const timer = typeof actor === 'string' && actor.startsWith('system:');
      if (ours && (timersToo || !timer)) written.push(`${event.type} in ${event.streamId}`);
    }
    return written;
  };

  it('answers every request below 500, as documented, and a refusal changes nothing', async () => {
    await expectSoundAnswers(api.url, world, 1500, async () => {
      const head = await store.headPosition();
      return async ({ status }) => {
        if (status < 400) return undefined;
        const written = await writtenAfter(head, status === 400);
        return written.length > 0 ? `a refusal appended ${written.join(', ')}` : undefined;
      };
    });
  }, 120_000);

  it('answers a method a path does not take 405 METHOD_NOT_ALLOWED, saying in Allow which it does; an unknown path stays 404', async () => {
    // Given a command's route (a POST), a query's (a GET), and a path no route takes
    const accept = `/accounts/${world.accountId}/delegations/ab/accept`;
    const answers = [];
    // When each is sent with a method it does not take
    for (const [method, path] of [
      ['PUT', accept],
      ['GET', accept],
      ['DELETE', `/accounts/${world.accountId}`],
      ['POST', '/clock'],
      ['PUT', '/no/such/route'],
    ] as const) {
      const answer = await fetch(`${api.url}${path}`, { method });
      const refusal = (await answer.json()) as { code?: string; message?: string };
      answers.push({
        method,
        path,
        status: answer.status,
        allow: answer.headers.get('allow'),
        code: refusal.code,
      });
    }
    // Then each path it is a route's is refused naming the methods it takes, nothing else is found
    expect(answers).toEqual([
      { method: 'PUT', path: accept, status: 405, allow: 'POST', code: 'METHOD_NOT_ALLOWED' },
      { method: 'GET', path: accept, status: 405, allow: 'POST', code: 'METHOD_NOT_ALLOWED' },
      {
        method: 'DELETE',
        path: `/accounts/${world.accountId}`,
        status: 405,
        allow: 'GET, HEAD',
        code: 'METHOD_NOT_ALLOWED',
      },
      { method: 'POST', path: '/clock', status: 405, allow: 'GET, HEAD', code: 'METHOD_NOT_ALLOWED' },
      { method: 'PUT', path: '/no/such/route', status: 404, allow: null, code: 'NOT_FOUND' },
    ]);
  });

  it('names what is malformed in a request no route reads: a body that is not JSON or empty, a path that is not UTF-8', async () => {
    const send = async (path: string, body: string) => {
      const answer = await fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      return { path, body, status: answer.status, refusal: (await answer.json()) as unknown };
    };
    // Given a command's route, When its body is broken JSON or nothing, or its path's "%" begin no
    // UTF-8 byte, Then each is a 400 whose field messages name the body or the path
    const malformed = [
      await send(`/accounts/${world.accountId}/delegations/ab/accept`, '{"actor":'),
      await send(`/accounts/${world.accountId}/delegations/ab/accept`, ''),
      await send(`/accounts/${world.accountId}/delegations/%E0%A4%A/accept`, '{"actor":"bob"}'),
    ];
    const named = (field: string) => ({
      statusCode: 400,
      code: 'INVALID_REQUEST',
      message: expect.any(String),
      errors: [{ field, messages: [expect.any(String)] }],
    });
    expect(malformed).toEqual([
      { ...malformed[0]!, status: 400, refusal: named('body') },
      { ...malformed[1]!, status: 400, refusal: named('body') },
      { ...malformed[2]!, status: 400, refusal: named('path') },
    ]);
  });
});
