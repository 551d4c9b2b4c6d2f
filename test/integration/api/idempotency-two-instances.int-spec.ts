import { jest } from '@jest/globals';
import { LineRepository } from '../../../apps/api/src/lines/line.repository.js';
import { ALICE, CALLER, startApi, type Api, type SeededLine } from './lines.support.js';

// Starting a store and two apis can take longer than Jest's 5 s default on a busy machine.
jest.setTimeout(60_000);

const RACE_ROUNDS = 20;

/**
 * A client resends a command id to whichever api instance its load balancer picks. The answer must
 * not depend on which one: the first result with `duplicate: true`, nothing appended again, however
 * stale the folds of the instance that gets the resend. A placed call does not change the line's
 * timers, so no instance learns of it through its subscription: an instance that folded the line
 * before stays at the revision it read until it next reads or appends.
 */
describe('a command id resent to another api instance', () => {
  let one: Api;
  let two: Api;
  beforeAll(async () => {
    one = await startApi();
    two = await startApi();
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  /** A fresh line both instances have folded, at the same revision. */
  const lineFoldedByBoth = async (label: string): Promise<SeededLine> => {
    const line = await one.seedLine(label, { delegates: [{ id: 'bob' }] });
    for (const api of [one, two]) await api.app.get(LineRepository).load(line.stream);
    return line;
  };

  const place = (api: Api, path: string, commandId: string) =>
    api.command(`${path}/calls`, { actor: ALICE, to: CALLER, callId: 'c1', commandId });

  it('Given a call placed through one instance, When its command is resent to another whose fold predates it, Then the other answers the first result as a duplicate and appends nothing', async () => {
    const { path, stream, storedEvents } = await lineFoldedByBoth('resend-other');
    const first = await place(one, path, 'place-1');
    expect(first).toMatchObject({ status: 201, body: { duplicate: false } });

    const resent = await place(two, path, 'place-1');

    expect(resent).toEqual({ status: 201, body: { ...first.body, duplicate: true } });
    const stored = await storedEvents();
    expect(stored.map((event) => event.metadata.commandId)).toEqual(['place-1']);
    // And the instance that got the resend holds the call as stored, not one it decided itself
    const folds = [one, two].map((api) => api.app.get(LineRepository).cachedFold(stream));
    expect(folds[1]).toEqual(folds[0]);
  });

  it(`Given two instances that get the same command at once, When both decide it, Then one appends it and the other answers its result as a duplicate, ${RACE_ROUNDS} times`, async () => {
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const { path, storedEvents } = await lineFoldedByBoth(`resend-race-${round}`);
      const commandId = `race-${round}`;

      const replies = await Promise.all([place(one, path, commandId), place(two, path, commandId)]);

      expect(replies.map((reply) => reply.status)).toEqual([201, 201]);
      expect(replies.map((reply) => reply.body.duplicate).sort()).toEqual([false, true]);
      const [a, b] = replies.map(({ body: { duplicate: _duplicate, ...result } }) => result);
      expect(b).toEqual(a);
      expect(await storedEvents()).toHaveLength(1);
    }
  });
});
