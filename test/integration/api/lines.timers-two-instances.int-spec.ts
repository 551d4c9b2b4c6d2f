import { jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmbeddedEventStore, type EmbeddedEventStore } from '../../support/embedded-eventstore.js';
import { CALLER, lineEvents, linePath, seedLine, startApi, type Api } from './lines.support.js';

jest.setTimeout(60_000);

interface ClockView {
  now: string;
  pendingTimers: { key: string; dueAt: string }[];
}

const pendingOn = async (api: Api) => (await api.get<ClockView>('/clock')).body.pendingTimers;

/**
 * Polls until `done`: an instance learns of another's appends through its subscription, a little
 * later; on a busy machine's shared cores maybe seconds later, so it gives up after 20 s of them, not
 * after 200 tries.
 */
const eventually = async (done: () => Promise<boolean>, failure: string): Promise<void> => {
  const giveUpAt = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > giveUpAt) throw new Error(failure);
    await sleep(25);
  }
};

/**
 * Two api instances on one store (the cluster profile's two api containers): each follows every line
 * event and puts every line's timers on its own clock, so both fire the same ring timeout. The timer's
 * command id is derived from the timer itself, so whichever appends second is answered as a duplicate
 * (or, deciding on the line's newer state, refused): the call goes to voicemail exactly once.
 */
describe('line timers on two api instances', () => {
  let store: EmbeddedEventStore;
  let apis: Api[] = [];
  beforeEach(async () => {
    store = await startEmbeddedEventStore({ inMemory: true });
    // Virtual clocks, so the test moves both instances' time past the timeout at the same moment.
    apis = [
      await startApi({ clock: 'virtual', connectionString: store.connectionString }),
      await startApi({ clock: 'virtual', connectionString: store.connectionString }),
    ];
  });
  afterEach(async () => {
    for (const api of apis) await api.close();
    await store?.stop();
  });

  /** Moves both instances' clocks past the ring timeout at the same moment; answers the line's event types. */
  const advanceBothPastTheTimeout = async (accountId: string): Promise<string[]> => {
    const advanced = await Promise.all(
      apis.map((api) => api.post('/clock/advance', { actor: 'tester', bySeconds: 31 })),
    );
    expect(advanced.map((reply) => reply.status)).toEqual([200, 200]);
    return (await lineEvents(apis[0]!, accountId)).map((e) => e.event.type);
  };

  /**
   * A new account whose call c1 was rung through the first instance, its ring timeout on both
   * instances' clocks (the second learns of it through its subscription).
   */
  const callRungOnBothClocks = async (name: string): Promise<string> => {
    const [first, second] = apis as [Api, Api];
    const { accountId, path } = await seedLine(first, name, { delegates: [{ id: 'bob' }] });
    const rang = await first.post(`${path}/incoming-calls`, { from: CALLER, callId: 'c1' });
    expect(rang.status).toBe(201);
    await eventually(
      async () => (await pendingOn(second)).length > 0,
      'the second api never put the ring timeout on its clock',
    );
    return accountId;
  };

  it('R14: both fire the ring timeout, the line records it once', async () => {
    const [first, second] = apis as [Api, Api];
    // Given the timer on both instances' clocks
    const accountId = await callRungOnBothClocks('two-timers');
    expect(await pendingOn(second)).toEqual(await pendingOn(first));

    // When both move past the timeout at once
    const types = await advanceBothPastTheTimeout(accountId);

    // Then the call went to voicemail once, and neither instance has the timer left
    expect(types).toEqual(['IncomingCallReceived', 'CallRang', 'CallSentToVoicemail', 'VoicemailLeft']);
    expect(await pendingOn(first)).toEqual([]);
    expect(await pendingOn(second)).toEqual([]);
  });

  it('R14: an answer on one instance takes the ring timeout off the other, whose fold of the line was behind; its next command there is decided on the newer line', async () => {
    const [first, second] = apis as [Api, Api];
    // Given a call rung through the first instance, its ring timeout on both clocks
    const accountId = await callRungOnBothClocks('two-answer');

    // When the second instance answers it
    const answered = await second.post(`${linePath(accountId)}/calls/c1/answer`, { actor: 'bob' });
    expect(answered.status).toBe(200);

    // Then the first instance, which appended the ring, learns of the answer and drops its timer
    await eventually(
      async () => (await pendingOn(first)).length === 0,
      'the first api kept the ring timeout after the answer elsewhere',
    );
    expect(await pendingOn(second)).toEqual([]);
    // And a hang-up through the first instance is decided on the answered call, not on the ring it appended
    const hungUp = await first.post(`${linePath(accountId)}/calls/c1/hang-up`, { actor: 'bob' });
    expect(hungUp.status).toBe(200);
    expect(await advanceBothPastTheTimeout(accountId)).toEqual([
      'IncomingCallReceived',
      'CallRang',
      'CallAnswered',
      'CallEnded',
    ]);
  });
});
