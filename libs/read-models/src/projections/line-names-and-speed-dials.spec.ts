import { evolveAccount, initialAccountState } from '#domain';
import type { AccountEvent } from '#events';
import { accountStateOf } from '../queries/account-state.js';
import { whyBusy } from '../queries/diagnostics.js';
import { lineHistory } from '../queries/line-views.js';
import type { ProjectedEvent } from './catalogue.js';
import { ACCOUNT, LINE, T, account, incoming, placed, project, viewAs } from './projections.fixture.js';
import { voicemailProjection } from './voicemail.projection.js';

describe('named lines and speed dials in the read models (R22, R23)', () => {
  const named = (name: string | null, at: number): [string, ProjectedEvent] => [
    ACCOUNT,
    { type: 'LineNamed', data: { by: 'alice', at: T(at), partyId: 'alice', number: '1001', name } },
  ];
  const key = (entryId: string, number: string, position: number): [string, ProjectedEvent] => [
    ACCOUNT,
    {
      type: 'SpeedDialAdded',
      data: { by: 'alice', at: T(1), ownerId: 'alice', entryId, label: entryId, number, position },
    },
  ];

  it('R23: the lamp and label show the current name; history keeps the name the call was placed under', () => {
    const readModels = project(named('Sales', 1), placed, named('Support', 20));
    expect(viewAs(readModels, 'bob').line).toMatchObject({
      name: 'Support',
      label: 'Alice · Support · +1001',
    });
    expect(viewAs(readModels, 'alice').line.label).toBe('My number Support · +1001');
    expect(lineHistory(readModels, 'acme', '1001')[0]).toMatchObject({ callId: 'c1', lineName: 'Sales' });
    expect(whyBusy(readModels, 'acme', '1001').question).toBe('Why is line +1001 "Support" busy?');
  });

  it('R23: a missed call and its voicemail keep the name the line had when the call arrived', () => {
    const readModels = project(
      named('Sales', 1),
      incoming('c2', 30),
      [
        LINE,
        {
          type: 'CallSentToVoicemail',
          data: { callId: 'c2', reason: 'ringTimeout', missedBy: [], ringLegsEnded: [], at: T(40) },
        },
      ],
      [
        LINE,
        {
          type: 'VoicemailLeft',
          data: { messageId: 'm1', callId: 'c2', from: '+15550199', at: T(41), owner: 'alice' },
        },
      ],
      named(null, 50),
    );
    const { missedCalls, messages } = readModels.state(voicemailProjection);
    expect([...missedCalls.values()].map((c) => c.lineName)).toEqual(['Sales']);
    expect([...messages.values()].map((m) => m.lineName)).toEqual(['Sales']);
    expect(viewAs(readModels, 'bob').line).toMatchObject({ name: null, label: 'Alice · +1001' });
  });

  it('R22: keys in position order; the domain state rebuilt from the read model has the same keys and names', () => {
    const moved: [string, ProjectedEvent] = [
      ACCOUNT,
      {
        type: 'SpeedDialMoved',
        data: { by: 'alice', at: T(2), ownerId: 'alice', entryId: 'late', fromPosition: 4, position: 2 },
      },
    ];
    const limit: [string, ProjectedEvent] = [
      ACCOUNT,
      { type: 'SpeedDialLimitChanged', data: { by: 'admin', at: T(3), maxSpeedDials: 10 } },
    ];
    const changes = [named('Sales', 1), key('late', '3003', 4), key('early', '2002', 1), moved, limit];
    const readModels = project(...changes);
    const accountEvents = [...account, ...changes]
      .filter(([stream]) => stream === ACCOUNT)
      .map(([, event]) => event as AccountEvent);
    const state = accountStateOf(readModels, 'acme');
    expect(state).toEqual(accountEvents.reduce(evolveAccount, initialAccountState));
    expect(state.status === 'active' && state.parties.get('alice')!.speedDials.map((d) => d.entryId)).toEqual(
      ['early', 'late'],
    );
  });
});
