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
