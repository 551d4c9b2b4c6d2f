import { EVERYDAY, expectStatus, numberOf, servedAccountForSuite } from './accounts.support.js';

/**
 * R15, R16, R18 through the api and a projector over the log: holding a call that a delegate joined
 * takes the delegate off it as hanging up would (a held call has nobody of the line side on its
 * audio), so the read models show it gone and its recording stopped, not a recording running on a
 * call its owner is no longer on.
 */
describe('holding a joined call (R15, R16, R18)', () => {
  // Alice owns NUMBER and shares it with Bob, who may answer, pick up, join and merge.
  const { api, accountId, read } = servedAccountForSuite(['alice', 'bob']);
  const NUMBER = numberOf(1);
  const onLine = (rest: string) => `/accounts/${accountId}/lines/${NUMBER.slice(1)}${rest}`;
  const send = (path: string, body: Record<string, unknown>) => api.call('POST', onLine(path), body);
  const typesOf = (answer: { body: { events: { type: string }[] } }) => answer.body.events.map((e) => e.type);

  beforeAll(() =>
    api.delegate(accountId, 'alice', 'bob', {
      delegationId: 'alice-bob',
      permissions: [...EVERYDAY, 'joinAndMerge'],
      sharedLines: [NUMBER],
    }),
  );

  it('R15: Given Bob joined Alice’s call and records it, When Alice holds it, Then Bob leaves it, his recording stopped, and Alice alone resumes it', async () => {
    expectStatus(await send('/incoming-calls', { from: '+15550199', callId: 'c1' }), 201);
    expectStatus(await send('/calls/c1/answer', { actor: 'alice' }), 200);
    expectStatus(await send('/calls/c1/join', { actor: 'bob' }), 200);
    expectStatus(await send('/calls/c1/recordings', { actor: 'bob', recordingId: 'r1' }), 201);

    const held = await send('/calls/c1/hold', { actor: 'alice' });
    expectStatus(held, 200);
    expect(typesOf(held)).toEqual(['RecordingStopped', 'CallLeft', 'CallHeld']);

    const recordings = await read(`/accounts/${accountId}/parties/bob/recordings?viewer=bob`);
    expect(recordings.body.recordings).toEqual([
      expect.objectContaining({ recordingId: 'r1', owner: 'bob', stopReason: 'ownerLeftCall' }),
    ]);
    const audit = await read(`/lines/${accountId}/${NUMBER.slice(1)}/calls/c1/audit`);
    expect(audit.body.entries.map((entry: { type: string }) => entry.type).slice(-3)).toEqual([
      'RecordingStopped',
      'CallLeft',
      'CallHeld',
    ]);

    // Off the call, Bob no longer hangs it up; Alice resumes it, and she alone is on it.
    const refused = await send('/calls/c1/hang-up', { actor: 'bob' });
    expectStatus(refused, 409);
    expect(refused.body).toMatchObject({ code: 'NOT_ON_CALL', rule: 'R12' });
    expectStatus(await send('/calls/c1/resume', { actor: 'alice' }), 200);
    const state = await read(`/lines/${accountId}/${NUMBER.slice(1)}/state?viewer=alice`);
    expect(state.body.lamp).toMatchObject({ phase: 'connected', by: ['alice'] });
  });
});
