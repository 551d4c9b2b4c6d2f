import { DomainError, type LineCommand, type Timed } from '#domain';
import { auditProjection } from './audit.projection.js';
import { callsProjection } from './calls.projection.js';
import {
  acme,
  ALICE_LINE_PATH,
  at,
  checkedLog,
  givenCommands,
  onAliceLine,
  readModelsOf,
} from './given-commands.fixture.js';
import { lineAccess } from '../queries/access.js';
import { findCall } from '../queries/call-lookup.js';
import { lineHistory, lineState } from '../queries/line-views.js';
import type { ReadModels } from '../engine/read-models.js';

/**
 * The calls read model from behaviour: every log here is what the real deciders emit for commands
 * (given-commands.fixture.ts), so these specs describe histories the domain can produce only.
 */
const incoming = (callId: string, second: number): Timed<LineCommand> => ({
  type: 'ReceiveIncomingCall',
  callId,
  actor: 'external',
  from: '+15550199',
  at: at(second),
});
const act = (type: 'AnswerCall' | 'HoldCall' | 'PickUpHeldCall' | 'HangUp', callId: string, actor: string) =>
  ({ type, callId, actor }) as LineCommand;

const lampOf = (readModels: ReadModels, viewer: string) => {
  const access = lineAccess(readModels, 'acme', ALICE_LINE_PATH, viewer);
  if (!access.allowed) throw new Error(access.reason);
  return lineState(readModels, 'acme', ALICE_LINE_PATH, viewer, access).lamp;
};

describe('the calls read model, given commands the line decider accepts', () => {
  it('R13/R15/R17: a call rings the delegator and the delegate, is answered, held, picked up and ended, and its history says who did what', () => {
    const ringing = givenCommands(acme, onAliceLine(incoming('c1', 10)));
    ringing.thenReadModel((readModels) => {
      expect(lampOf(readModels, 'bob')).toMatchObject({
        state: 'ringing',
        alerted: ['alice', 'bob'],
        youAreAlerted: true,
      });
      const { call } = findCall(readModels, 'c1') as { call: { rings: { decisions: unknown[] }[] } };
      // The router's own reasons are recorded: the line's owner, and an alerted delegate.
      expect(call.rings[0]!.decisions).toMatchObject([
        { partyId: 'alice', rule: 'R13', reason: 'LINE_OWNER' },
        { partyId: 'bob', rule: 'R13', reason: 'ALERTED' },
      ]);
    });
    const held = [act('AnswerCall', 'c1', 'bob'), act('HoldCall', 'c1', 'bob')];
    givenCommands(acme, onAliceLine(incoming('c1', 10), ...held)).thenReadModel((readModels) =>
      expect(lampOf(readModels, 'alice')).toMatchObject({
        state: 'held',
        heldBy: 'bob',
        onBehalfOf: 'alice',
      }),
    );
    const over = [...held, act('PickUpHeldCall', 'c1', 'alice'), act('HangUp', 'c1', 'alice')];
    givenCommands(acme, onAliceLine(incoming('c1', 10), ...over)).thenReadModel((readModels) => {
      expect(lampOf(readModels, 'bob')).toEqual({ state: 'idle' });
      expect(lineHistory(readModels, 'acme', ALICE_LINE_PATH)).toMatchObject([
        {
          callId: 'c1',
          status: 'ended',
          result: 'answered',
          labels: ['answered by Bob on behalf of Alice', 'picked up by Alice'],
        },
      ]);
    });
  });

  it('R12: a call id names one call of its line for good: the decider refuses to start a second call by it', () => {
    const reuse = () =>
      givenCommands(
        acme,
        onAliceLine(incoming('c1', 10), act('AnswerCall', 'c1', 'alice'), act('HangUp', 'c1', 'alice')),
        onAliceLine(incoming('c1', 100)),
      );
    expect(reuse).toThrow(DomainError);
    expect(reuse).toThrow(/Call id c1 was already used by an earlier call on this line/);
  });

  it('an old log that reused a call id keeps both calls: the later one keyed by where it starts, the id naming it from then on', () => {
    // Written before the decider remembered every id: each call decided on a line that knew no c1.
    const first = givenCommands(
      acme,
      onAliceLine(incoming('c1', 10), act('AnswerCall', 'c1', 'alice'), act('HangUp', 'c1', 'alice')),
    ).log;
    const later = givenCommands(acme, onAliceLine(incoming('c1', 100), act('AnswerCall', 'c1', 'bob'))).log;
    const lineStream = `line-acme.${ALICE_LINE_PATH}`;
    const readModels = readModelsOf([...first, ...later.filter(([stream]) => stream === lineStream)]);
    const laterStart = first.filter(([stream]) => stream === lineStream).length;
    expect(
      lineHistory(readModels, 'acme', ALICE_LINE_PATH).map((c) => [c.callId, c.status, c.startedAt]),
    ).toEqual([
      ['c1', 'active', at(100)],
      ['c1', 'ended', at(10)],
    ]);
    expect(findCall(readModels, 'c1')).toMatchObject({
      kind: 'found',
      call: { key: `acme.${ALICE_LINE_PATH}/c1@${laterStart}`, answeredBy: { by: 'bob' } },
    });
    expect([...readModels.state(auditProjection).trails.keys()]).toEqual([
      `acme.${ALICE_LINE_PATH}/c1`,
      `acme.${ALICE_LINE_PATH}/c1@${laterStart}`,
    ]);
    expect(readModels.state(callsProjection).calls.get(`acme.${ALICE_LINE_PATH}/c1`)).toMatchObject({
      live: null,
      owner: 'alice',
      finished: { endedAs: 'ended', answeredBy: 'alice', owner: 'alice' },
    });
  });

  it('an event the domain never emits cannot be fed to the read side: the catalogue refuses it where the spec builds it', () => {
    const [, rang] = givenCommands(acme, onAliceLine(incoming('c1', 10))).log.at(-1)!;
    expect(rang.type).toBe('CallRang');
    const invented = structuredClone(rang) as typeof rang & { data: { decisions: { reason: string }[] } };
    invented.data.decisions[0]!.reason = 'DELEGATOR';
    expect(() => checkedLog([[`line-acme.${ALICE_LINE_PATH}`, invented]])).toThrow(
      /CallRang on line-acme\.15550001001: .*reason is not one of "LINE_OWNER"/,
    );
  });
});
