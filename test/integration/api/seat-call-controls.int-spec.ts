import { EVERYDAY, expectStatus, numberOf, servedAccountForSuite } from './accounts.support.js';

/**
 * R20 through the api and a projector over the log: in each phase of a call, every control the panel
 * seat offers on it (`callAvailability`, and the other end's, `otherEnd`) is one the api takes when the seat says it may, and one the api
 * refuses, with the code the seat shows, when the seat says it may not. A refused command changes
 * nothing, so every refusal is sent in the phase as read; an accepted one is sent on a call of its own,
 * brought to the same phase.
 */
describe("the seat's call controls, as the api decides them (R15, R16, R18, R20)", () => {
  // Alice owns NUMBER and shares it with Bob, who may place, answer, pick up, join and merge.
  const { api, accountId, read } = servedAccountForSuite(['alice', 'bob']);
  const NUMBER = numberOf(1);
  const CALLEE = '+15550199';
  const onLine = (rest: string) => `/accounts/${accountId}/lines/${NUMBER.slice(1)}${rest}`;

  type Phase = (callId: string) => Promise<void>;
  const send = async (path: string, body: Record<string, unknown>, status: number) =>
    expectStatus(await api.call('POST', onLine(path), body), status);
  const placedBy =
    (actor: string): Phase =>
    (callId) =>
      send('/calls', { actor, to: CALLEE, callId }, 201);
  const answeredBy =
    (actor: string): Phase =>
    async (callId) => {
      await send('/incoming-calls', { from: CALLEE, callId }, 201);
      await send(`/calls/${callId}/answer`, { actor }, 200);
    };
  const then =
    (phase: Phase, ...commands: (readonly [string, Record<string, unknown>])[]): Phase =>
    async (callId) => {
      await phase(callId);
      for (const [action, body] of commands) await send(`/calls/${callId}/${action}`, body, 200);
    };
  const PHASES: Readonly<Record<string, Phase>> = {
    ringing: (callId) => send('/incoming-calls', { from: CALLEE, callId }, 201),
    'dialing, placed by Bob': placedBy('bob'),
    'connected, placed by Bob': then(placedBy('bob'), ['external-answer', {}]),
    'connected, answered by Alice': answeredBy('alice'),
    'transferring from Bob to Alice': then(answeredBy('bob'), ['transfer', { actor: 'bob', to: 'alice' }]),
    'held by Alice, locked': then(answeredBy('alice'), ['hold', { actor: 'alice', privacyLock: true }]),
    'held by Bob': then(answeredBy('bob'), ['hold', { actor: 'bob' }]),
  };
  /**
   * What the seat enables in each phase, for Alice and for Bob (a party not on a call acts on it not at
   * all), and for the other end: it answers a call only while it dials, and hangs up any.
   */
  const ENABLED: readonly (readonly [string, string, readonly string[]])[] = [
    ['ringing', 'alice', ['decline', 'otherEnd.hangUp']],
    ['ringing', 'bob', ['decline', 'otherEnd.hangUp']],
    ['dialing, placed by Bob', 'alice', ['otherEnd.answer', 'otherEnd.hangUp']],
    ['dialing, placed by Bob', 'bob', ['hangUp', 'otherEnd.answer', 'otherEnd.hangUp']],
    ['connected, placed by Bob', 'alice', ['otherEnd.hangUp']],
    ['connected, placed by Bob', 'bob', ['hold', 'transfer', 'record', 'hangUp', 'otherEnd.hangUp']],
    [
      'connected, answered by Alice',
      'alice',
      ['hold', 'holdLocked', 'privacyLock', 'transfer', 'record', 'hangUp', 'otherEnd.hangUp'],
    ],
    ['connected, answered by Alice', 'bob', ['otherEnd.hangUp']],
    ['transferring from Bob to Alice', 'alice', ['decline', 'otherEnd.hangUp']],
    ['transferring from Bob to Alice', 'bob', ['hangUp', 'otherEnd.hangUp']],
    ['held by Alice, locked', 'alice', ['resume', 'privacyLock', 'hangUp', 'otherEnd.hangUp']],
    ['held by Alice, locked', 'bob', ['otherEnd.hangUp']],
    ['held by Bob', 'alice', ['otherEnd.hangUp']],
    ['held by Bob', 'bob', ['resume', 'hangUp', 'otherEnd.hangUp']],
  ];

  interface Availability {
    readonly allowed: boolean;
    readonly code?: string;
  }
  interface SeatLine {
    readonly number: string;
    readonly lamp: { readonly locked?: boolean };
    readonly transferTargets: readonly { readonly partyId: string }[];
    readonly callAvailability: Readonly<Record<string, Availability>> | null;
    readonly otherEnd: { readonly answer: Availability; readonly hangUp: Availability } | null;
  }

  /** Every control on the call's card: the viewer's, then the other end's (which the page plays). */
  const controlsOf = (line: SeatLine): Readonly<Record<string, Availability>> => ({
    ...line.callAvailability!,
    'otherEnd.answer': line.otherEnd!.answer,
    'otherEnd.hangUp': line.otherEnd!.hangUp,
  });

  /** The command each call control sends, as the page sends it; the other end's acts name no actor. */
  const commandOf = (action: string, actor: string, line: SeatLine): [string, Record<string, unknown>] => {
    switch (action) {
      case 'otherEnd.answer':
        return ['external-answer', {}];
      case 'otherEnd.hangUp':
        return ['external-hang-up', {}];
      case 'holdLocked':
        return ['hold', { actor, privacyLock: true }];
      case 'privacyLock':
        return ['privacy-lock', { actor, locked: !line.lamp.locked }];
      case 'transfer':
        // A target the seat lists; a refused transfer is refused before its target is looked at.
        return [
          'transfer',
          { actor, to: line.transferTargets[0]?.partyId ?? (actor === 'alice' ? 'bob' : 'alice') },
        ];
      case 'record':
        return ['recordings', { actor }];
      case 'hangUp':
        return ['hang-up', { actor }];
      default:
        return [action, { actor }];
    }
  };

  let calls = 0;
  /**
   * `check` on a new call brought to `phase` and the viewer's line as its seat shows it then; then the
   * caller or callee hangs up (the call may be over already), so the line is free for the next call.
   */
  const inPhase = async (
    phase: string,
    viewer: string,
    check: (callId: string, line: SeatLine) => Promise<void>,
  ): Promise<void> => {
    const callId = `k${++calls}`;
    try {
      await PHASES[phase]!(callId);
      const seat = await read(`/panel/seat?account=${accountId}&viewer=${viewer}`);
      expect(seat.status).toBe(200);
      await check(
        callId,
        (seat.body.lines as SeatLine[]).find((l) => l.number === NUMBER)!,
      );
    } finally {
      await api.call('POST', onLine(`/calls/${callId}/external-hang-up`), {});
    }
  };

  beforeAll(() =>
    api.delegate(accountId, 'alice', 'bob', {
      delegationId: 'alice-bob',
      permissions: [...EVERYDAY, 'joinAndMerge'],
      sharedLines: [NUMBER],
    }),
  );

  it.each(ENABLED)(
    'Given a call %s, When %s acts on it from its seat, Then the seat enables %j, each of which the api takes, and the api refuses every other with the code the seat shows',
    async (phase, viewer, enabled) => {
      let allowed: string[] = [];
      await inPhase(phase, viewer, async (callId, line) => {
        expect(Object.keys(line.callAvailability!).sort()).toEqual(
          ['decline', 'hangUp', 'hold', 'holdLocked', 'privacyLock', 'record', 'resume', 'transfer'].sort(),
        );
        const can = controlsOf(line);
        allowed = Object.keys(can).filter((action) => can[action]!.allowed);
        for (const action of Object.keys(can).filter((a) => !can[a]!.allowed)) {
          const [path, body] = commandOf(action, viewer, line);
          const refused = await api.call('POST', onLine(`/calls/${callId}/${path}`), body);
          expect({ action, refused: refused.status >= 400, code: refused.body.code }).toEqual({
            action,
            refused: true,
            code: can[action]!.code,
          });
        }
      });
      expect(allowed).toEqual(enabled);
      for (const action of allowed) {
        await inPhase(phase, viewer, async (callId, line) => {
          expect({ action, allowed: controlsOf(line)[action]!.allowed }).toEqual({
            action,
            allowed: true,
          });
          const [path, body] = commandOf(action, viewer, line);
          const taken = await api.call('POST', onLine(`/calls/${callId}/${path}`), body);
          expect({ action, status: taken.status, code: taken.body?.code }).toEqual({
            action,
            status: path === 'recordings' ? 201 : 200,
            code: undefined,
          });
        });
      }
    },
  );
});
