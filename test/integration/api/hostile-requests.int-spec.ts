import fc from 'fast-check';
import { ACCOUNT_STREAM_PREFIX, LINE_STREAM_PREFIX } from '#events';
import {
  fuzzRuns,
  fuzzedRequests,
  hostileWorld,
  problemWith,
  send,
  type ServedDocument,
} from '../../support/openapi-fuzz.js';
import { openSharedStore } from '../../support/shared-store.js';
import { startApi, type Api } from './lines.support.js';

/**
 * SPEC §4–5, whatever a client sends (see test/support/openapi-fuzz.ts): every answer of the api is
 * below 500 and one its operation documents, every refusal carries a catalogued code and a sentence,
 * and a refusal appends nothing of its own to the account's or its lines' streams.
 */
describe('the api under hostile requests', () => {
  const store = openSharedStore();
  const world = hostileWorld(`hostile${Date.now().toString(36)}`);
  let api: Api;
  let document: ServedDocument;

  beforeAll(async () => {
    // A virtual clock: no timer fires between two requests, so every append is the request's own.
    api = await startApi({ clock: 'virtual' });
    document = (await (await fetch(`${api.url}/docs-json`)).json()) as ServedDocument;
    for (const [path, body] of world.setup) {
      const answer = await api.post(path, body);
      if (answer.status >= 300)
        throw new Error(`set-up ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
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
    await fc.assert(
      fc.asyncProperty(fuzzedRequests(document, world), async (request) => {
        const head = await store.headPosition();
        const answer = await send(api.url, request);
        const problem = problemWith(request, answer);
        if (problem) throw new Error(problem);
        if (answer.status < 400) return;
        const written = await writtenAfter(head, answer.status === 400);
        if (written.length > 0)
          throw new Error(
            `a refusal appended to ${written.join(', ')}: ${request.operation.method} ${request.url}`,
          );
      }),
      fuzzRuns(1500),
    );
  }, 120_000);
});
