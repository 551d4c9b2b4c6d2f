import { PROJECTIONS, ReadModels, type ProjectedEvent } from '#read-models';
import { storedLog } from '../../../../libs/read-models/src/engine/engine.fixture.js';
import {
  ACCOUNT,
  T,
  by,
  delegation,
  policy,
  user,
} from '../../../../libs/read-models/src/projections/projections.fixture.js';
import { diffViews, userView } from './user-view.js';

const LINE = 'line-acme.15550100';
/** Alice shares +15550100 with Bob; Carol is in the account and sees only her own line. */
const account: [string, ProjectedEvent][] = [
  [
    ACCOUNT,
    { type: 'AccountCreated', data: { ...by, accountId: 'acme', name: 'Acme', admins: ['admin'], policy } },
  ],
  user('alice', 'Alice', ['+15550100']),
  user('bob', 'Bob', ['+15550200']),
  user('carol', 'Carol', ['+15550300']),
  [
    ACCOUNT,
    {
      type: 'DelegateInvited',
      data: { ...delegation, permissions: ['answerCalls'], sharedLines: ['+15550100'] },
    },
  ],
  [ACCOUNT, { type: 'DelegationAccepted', data: delegation }],
];
const ringing: [string, ProjectedEvent][] = [
  [
    LINE,
    {
      type: 'IncomingCallReceived',
      data: { callId: 'c1', line: '+15550100', from: '+15550199', vip: false, at: T(10) },
    },
  ],
  [
    LINE,
    {
      type: 'CallRang',
      data: {
        callId: 'c1',
        stage: 'initial',
        alerted: ['alice', 'bob'],
        decisions: [],
        ringTimeoutAt: T(40),
        escalationAt: null,
        at: T(10),
      },
    },
  ],
];
const project = (events: [string, ProjectedEvent][]): ReadModels => {
  const readModels = new ReadModels(PROJECTIONS);
  for (const stored of storedLog(events)) readModels.apply(stored);
  return readModels;
};

describe('replay --diff: what each viewer sees change', () => {
  it('R11-R13/R17: a call ringing changes the lamp and history of the delegator and the delegate sharing the line, nobody else', () => {
    // Given the account before and after a call rings on Alice's shared line
    const changes = diffViews(userView(project(account)), userView(project([...account, ...ringing])));
    // Then Alice and Bob see it on +15550100, field by field, and Carol sees nothing change
    expect(Object.keys(changes).sort()).toEqual(['acme/alice', 'acme/bob']);
    const bob = changes['acme/bob']!['+15550100']!;
    expect(bob['lamp.state']).toEqual({ before: 'idle', after: 'ringing' });
    expect(bob['lamp.youAreAlerted']).toEqual({ after: true });
    expect(bob['lamp.alerted']).toEqual({ after: ['alice', 'bob'] });
    // A new history entry is one change holding the whole entry
    expect(bob['history[c1]']).toEqual({
      after: expect.objectContaining({ callId: 'c1', status: 'ringing', external: '+15550199' }),
    });
    expect(Object.keys(bob).filter((field) => field.startsWith('history'))).toEqual(['history[c1]']);
    // No internal table reaches the answer
    expect(JSON.stringify(changes)).not.toMatch(/partyCalls|callIdLines|calls\.calls/);
  });

  it('R13/R17: an entry on both sides changes field by field', () => {
    const answered: [string, ProjectedEvent] = [
      LINE,
      {
        type: 'CallAnswered',
        data: {
          callId: 'c1',
          by: 'bob',
          onBehalfOf: 'alice',
          permission: 'answerCalls',
          ringLegsEnded: ['alice'],
          at: T(15),
        },
      },
    ];
    const changes = diffViews(
      userView(project([...account, ...ringing])),
      userView(project([...account, ...ringing, answered])),
    );
    const alice = changes['acme/alice']!['+15550100']!;
    expect(alice['history[c1].status']).toEqual({ before: 'ringing', after: 'active' });
    expect(alice['history[c1].labels']).toEqual({
      before: [],
      after: ['answered by Bob on behalf of Alice'],
    });
    expect(alice['lamp.state']).toEqual({ before: 'ringing', after: 'busy' });
  });

  it("R17: a delegation revoked takes the shared line out of the delegate's view", () => {
    const revoked = project([...account, [ACCOUNT, { type: 'DelegationRevoked', data: delegation }]]);
    const changes = diffViews(userView(project(account)), userView(revoked));
    expect(Object.keys(changes)).toEqual(['acme/bob']);
    expect(changes['acme/bob']!['+15550100']!['lamp.state']).toEqual({ before: 'idle' });
  });
});
