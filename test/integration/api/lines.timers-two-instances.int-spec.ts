import { jest } from '@jest/globals';
import { CALLER, eventually, pendingTimersOn, apisOnOneStore, type SeededLine } from './lines.support.js';

jest.setTimeout(60_000);

/**
 * Two api instances on one store (the cluster profile's two api containers): each follows every line
 * event and puts every line's timers on its own clock, so both fire the same ring timeout. The timer's
 * command id is derived from the timer itself, so whichever appends second is answered as a duplicate
 * (or, deciding on the line's newer state, refused): the call goes to voicemail exactly once.
 */
describe('line timers on two api instances', () => {
  const two = apisOnOneStore(2);

  /** Moves both instances' clocks past the ring timeout at the same moment; answers the line's event types. */
  const advanceBothPastTheTimeout = async (line: SeededLine): Promise<string[]> => {
    const advanced = await Promise.all(
      two.apis.map((api) => api.post('/clock/advance', { actor: 'tester', bySeconds: 31 })),
    );
    expect(advanced.map((reply) => reply.status)).toEqual([200, 200]);
    return (await line.storedEvents()).map((e) => e.event.type);
  };

  /**
   * A new line, seeded through the first instance, whose call c1 was rung there, its ring timeout on
   * both instances' clocks (the second learns of it through its subscription).
   */
  const callRungOnBothClocks = async (name: string): Promise<SeededLine> => {
    const [first, second] = two.apis;
    const line = await first.seedLine(name, { delegates: [{ id: 'bob' }] });
    const rang = await first.post(`${line.path}/incoming-calls`, { from: CALLER, callId: 'c1' });
    expect(rang.status).toBe(201);
    await eventually(
      async () => (await pendingTimersOn(second)).length > 0,
      'the second api never put the ring timeout on its clock',
    );
    return line;
  };

  it('R14: both fire the ring timeout, the line records it once', async () => {
    const [first, second] = two.apis;
    // Given the timer on both instances' clocks
    const line = await callRungOnBothClocks('two-timers');
    expect(await pendingTimersOn(second)).toEqual(await pendingTimersOn(first));

    // When both move past the timeout at once
    const types = await advanceBothPastTheTimeout(line);

    // Then the call went to voicemail once, and neither instance has the timer left
    expect(types).toEqual(['IncomingCallReceived', 'CallRang', 'CallSentToVoicemail', 'VoicemailLeft']);
    expect(await pendingTimersOn(first)).toEqual([]);
    expect(await pendingTimersOn(second)).toEqual([]);
  });

  it('R14: an answer on one instance takes the ring timeout off the other, whose fold of the line was behind; its next command there is decided on the newer line', async () => {
    const [first, second] = two.apis;
    // Given a call rung through the first instance, its ring timeout on both clocks
    const line = await callRungOnBothClocks('two-answer');

    // When the second instance answers it
    const answered = await second.post(`${line.path}/calls/c1/answer`, { actor: 'bob' });
    expect(answered.status).toBe(200);

    // Then the first instance, which appended the ring, learns of the answer and drops its timer
    await eventually(
      async () => (await pendingTimersOn(first)).length === 0,
      'the first api kept the ring timeout after the answer elsewhere',
    );
    expect(await pendingTimersOn(second)).toEqual([]);
    // And a hang-up through the first instance is decided on the answered call, not on the ring it appended
    const hungUp = await first.post(`${line.path}/calls/c1/hang-up`, { actor: 'bob' });
    expect(hungUp.status).toBe(200);
    expect(await advanceBothPastTheTimeout(line)).toEqual([
      'IncomingCallReceived',
      'CallRang',
      'CallAnswered',
      'CallEnded',
    ]);
  });
});
