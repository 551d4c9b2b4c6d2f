import {
  acme,
  ALICE_LINE,
  at,
  carolInvitedWithoutAssistant,
  givenCommands,
  onAccount,
  onLine,
  T0,
} from '../../../../libs/read-models/src/projections/given-commands.fixture.js';
import { seatOf } from './seat.js';

const time = { at: T0, source: 'the spec', mode: 'virtual' } as const;

describe('the seat’s roster (R7)', () => {
  it('R7: Given an invitation admin-enforced activation left pending, When Alice and Carol look at their seats, Then both see why it cannot be accepted yet, in the rule’s sentence', () => {
    const { readModels } = givenCommands(acme, carolInvitedWithoutAssistant);
    const refused = {
      code: 'ASSISTANT_DISABLED',
      rule: 'R4',
      message: 'The Assistant is disabled for carol: an admin must enable it.',
    };
    const alice = seatOf(readModels, 'acme', 'alice', time);
    expect(alice.delegates.map((d) => [d.delegationId, d.status, d.activationRefused])).toEqual([
      ['ab', 'active', null],
      ['ac', 'pending', refused],
    ]);
    const carol = seatOf(readModels, 'acme', 'carol', time);
    expect(carol.delegators).toEqual([
      expect.objectContaining({ delegationId: 'ac', activationRefused: refused }),
    ]);
  });
});

describe('the seat’s opt-in/out toggle (R7, R13)', () => {
  it('R7: Given Alice revoked Bob’s delegation and Carol declined hers, When Bob and Carol look at their seats, Then neither is offered opting in or out of ringing for a delegation that is over', () => {
    const { readModels } = givenCommands(
      acme,
      onAccount(
        'acme',
        {
          type: 'InviteDelegate',
          actor: 'alice',
          delegationId: 'ac',
          delegatorId: 'alice',
          delegateId: 'carol',
          permissions: ['answerCalls', 'optInOut'],
          sharedLines: [ALICE_LINE],
        },
        { type: 'DeclineInvitation', actor: 'carol', delegationId: 'ac' },
        { type: 'RevokeDelegation', actor: 'alice', delegationId: 'ab' },
      ),
    );
    const optInOut = (viewer: string) =>
      seatOf(readModels, 'acme', viewer, time).delegators.map((d) => [d.delegationId, d.status, d.optInOut]);
    expect(optInOut('bob')).toEqual([['ab', 'revoked', null]]);
    expect(optInOut('carol')).toEqual([['ac', 'declined', null]]);
  });

  it('R13: Given Bob’s delegation is active, When Bob looks at his seat, Then he is offered opting in or out of ringing for it, as the decider answers', () => {
    const { readModels } = givenCommands(acme);
    expect(seatOf(readModels, 'acme', 'bob', time).delegators).toEqual([
      expect.objectContaining({
        delegationId: 'ab',
        optInOut: expect.objectContaining({ rule: expect.any(String) }),
      }),
    ]);
  });
});

describe('the seat’s answer and decline after a transfer was recalled (R16, R20)', () => {
  it('R16: Given Alice’s transfer to Bob rang out and went back to her, When Bob looks at his seat, Then answer and decline are refused in the api’s recall sentence', () => {
    const { readModels } = givenCommands(
      acme,
      onLine(
        'acme',
        ALICE_LINE,
        { type: 'ReceiveIncomingCall', callId: 'c1', actor: 'external', from: '+15550100' },
        { type: 'AnswerCall', callId: 'c1', actor: 'alice' },
        { type: 'TransferCall', callId: 'c1', actor: 'alice', to: 'bob' },
        { type: 'RecallTransfer', callId: 'c1', attempt: 1, actor: 'system:timers', at: at(30) },
      ),
    );
    const line = seatOf(readModels, 'acme', 'bob', { ...time, at: at(40) }).lines.find(
      (l) => l.number === ALICE_LINE,
    )!;
    const recalled = {
      allowed: false,
      rule: 'R16',
      code: 'NOT_RINGING_FOR_YOU',
      reason: `Call c1 is not ringing for you: its transfer to you was recalled at ${at(30)}, as you did not answer it in time, and went back to Alice.`,
    };
    expect(line.availability.answer).toMatchObject(recalled);
    expect(line.callAvailability?.decline).toMatchObject(recalled);
  });
});
