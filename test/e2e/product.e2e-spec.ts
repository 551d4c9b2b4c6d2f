import { requestsTo, send, type Answer } from '../support/json-http.js';
import { startStack, type Stack } from '../support/stack.js';
import { delegationReadyPhoneUser } from '../../tools/demo-account.js';

/**
 * The product over its real processes, as `npm start` runs it: embedded store, api and projector,
 * each its own process, talking HTTP and gRPC. A command's effect must reach the read models, and a
 * projector killed and restarted must converge to the same read models.
 */
/** Processes start on a shared 2-core machine: generous limits, never timed assertions. */
const STARTUP_MS = 60_000;
const STEP_MS = 30_000;

describe('Switchboard end to end', () => {
  let stack: Stack;
  const accountId = 'e2e-acme';
  const aliceLine = '+15550001001';
  const aliceLineKey = '15550001001';

  const { api, ok } = requestsTo(() => stack.api.address);
  const { api: projector } = requestsTo(() => stack.projector.address);

  /**
   * Read models are eventually consistent: wait until the projector has applied `position`, for 20 s
   * at most (a projector process on a busy machine's shared cores may lag seconds behind).
   */
  const projected = async (position: string | undefined, url = stack.projector.address): Promise<void> => {
    for (const giveUpAt = Date.now() + 20_000; Date.now() < giveUpAt;) {
      const digest = await send(url, 'GET', '/digest');
      if (BigInt((digest.body.position as string | null) ?? '0') >= BigInt(position ?? '0')) return;
      await new Promise((retry) => setTimeout(retry, 50));
    }
    throw new Error(`projector never reached position ${position}`);
  };

  beforeAll(async () => {
    stack = await startStack({ CLOCK_MODE: 'virtual' });
    await ok('POST', '/accounts', { actor: 'root', accountId, name: 'Acme' });
    for (const [partyId, name, number] of [
      ['alice', 'Alice Exec', aliceLine],
      ['bob', 'Bob Assistant', '+15550001002'],
    ] as const) {
      await ok(
        'POST',
        `/accounts/${accountId}/phone-users`,
        delegationReadyPhoneUser('root', partyId, name, [number]),
      );
    }
    const invited = await ok('POST', `/accounts/${accountId}/delegations`, {
      actor: 'alice',
      delegatorId: 'alice',
      delegateId: 'bob',
      permissions: ['placeCalls', 'answerCalls', 'pickUpHeldCalls'],
      sharedLines: [aliceLine],
    });
    await ok('POST', `/accounts/${accountId}/delegations/${invited.body.delegationId as string}/accept`, {
      actor: 'bob',
    });
  }, STARTUP_MS);

  afterAll(async () => {
    await stack?.stop();
  }, STARTUP_MS);

  it(
    'R11/R12/R17: a delegate places a call on the shared line; the line shows busy to everyone and the history says who',
    async () => {
      const placed = await ok('POST', `/accounts/${accountId}/lines/${aliceLine}/calls`, {
        actor: 'bob',
        to: '+15559990000',
        callId: 'e2e-call-1',
      });
      const busy = await api('POST', `/accounts/${accountId}/lines/${aliceLine}/calls`, {
        actor: 'alice',
        to: '+15559990001',
      });
      expect(busy.status).toBe(409);
      expect(busy.body).toMatchObject({ code: 'LINE_BUSY', rule: 'R12' });

      await projected(placed.body.position);
      const aliceView = await projector('GET', `/lines/${accountId}/${aliceLineKey}/state?viewer=alice`);
      expect(aliceView.body).toMatchObject({
        viewerRole: 'delegator',
        lamp: { state: 'busy', callId: 'e2e-call-1', by: ['bob'], onBehalfOf: 'alice' },
      });
      const bobView = await projector('GET', `/lines/${accountId}/${aliceLineKey}/state?viewer=bob`);
      expect(bobView.body).toMatchObject({
        viewerRole: 'delegate',
        line: { label: expect.stringContaining('Alice Exec') },
      });

      const hungUp = await ok('POST', `/accounts/${accountId}/lines/${aliceLine}/calls/e2e-call-1/hang-up`, {
        actor: 'bob',
      });
      await projected(hungUp.body.position);
      const history = await projector('GET', `/lines/${accountId}/${aliceLineKey}/history?viewer=alice`);
      expect(JSON.stringify(history.body)).toContain('bob');
      expect(history.body.calls).toEqual([expect.objectContaining({ callId: 'e2e-call-1' })]);
    },
    STEP_MS,
  );

  it(
    'R14/R17/R21: an unanswered incoming call goes to the shared voicemail when the virtual clock passes the ring timeout',
    async () => {
      await ok('POST', `/accounts/${accountId}/lines/${aliceLine}/incoming-calls`, {
        from: '+15557770000',
        callId: 'e2e-call-2',
      });
      const advanced = await ok('POST', '/clock/advance', { actor: 'root', bySeconds: 120 });
      expect(advanced.body).toMatchObject({ mode: 'virtual' });
      const line = await ok('GET', `/accounts/${accountId}/lines/${aliceLine}`);
      expect(line.body).toMatchObject({
        busy: false,
        call: null,
        recentCalls: expect.arrayContaining([
          // Rang from 09:00:00; the 30 s ring timeout fired on the way to 09:02:00.
          {
            callId: 'e2e-call-2',
            owner: 'alice',
            answeredBy: null,
            endedAs: 'voicemail',
            at: '2026-01-05T09:00:30.000Z',
            recalledTransfers: [],
          },
        ]),
      });

      let inbox: Answer | undefined;
      // The timeout's message reaches the projector's read model a little later: 20 s at most, within the step's 30.
      for (const giveUpAt = Date.now() + 20_000; Date.now() < giveUpAt;) {
        inbox = await projector('GET', `/lines/${accountId}/${aliceLineKey}/voicemail?viewer=bob`);
        if ((inbox.body.messages as unknown[] | undefined)?.length) break;
        await new Promise((retry) => setTimeout(retry, 50));
      }
      expect(inbox!.body.messages).toEqual([
        expect.objectContaining({ callId: 'e2e-call-2', from: '+15557770000' }),
      ]);
      const stranger = await projector('GET', `/lines/${accountId}/${aliceLineKey}/voicemail?viewer=mallory`);
      expect(stranger.status).toBe(403);
    },
    STEP_MS,
  );

  it(
    'auditors get a call trail with actor, on-behalf-of, permission, positions and correlation ids',
    async () => {
      const trail = await projector('GET', '/calls/e2e-call-1/audit');
      expect(trail.status).toBe(200);
      const entries = trail.body.entries as Record<string, unknown>[];
      expect(entries.map((entry) => entry.type)).toEqual(['CallPlacedOnSharedLine', 'CallEnded']);
      expect(entries[0]).toMatchObject({ actor: 'bob', onBehalfOf: 'alice', permission: 'placeCalls' });
      for (const entry of entries) {
        expect(entry).toEqual(
          expect.objectContaining({ correlationId: expect.any(String), causationId: expect.any(String) }),
        );
      }
    },
    STEP_MS,
  );

  it(
    'a projector killed mid-stream and restarted converges to the same read models, equal to a rebuild',
    async () => {
      const before = await projector('GET', '/digest');
      await stack.projector.stop('SIGKILL');
      // Work continues while the projector is down.
      const placed = await ok('POST', `/accounts/${accountId}/lines/${aliceLine}/calls`, {
        actor: 'alice',
        to: '+15559990002',
        callId: 'e2e-call-3',
      });
      const restarted = await stack.startProjector();
      try {
        await projected(placed.body.position, restarted.address);
        const after = await send(restarted.address, 'GET', '/digest');
        expect(after.body.digest).not.toEqual(before.body.digest);
        const rebuild = await send(restarted.address, 'POST', '/rebuild');
        expect(rebuild.body).toMatchObject({ equal: true });
      } finally {
        await restarted.stop();
      }
    },
    STEP_MS,
  );
});
