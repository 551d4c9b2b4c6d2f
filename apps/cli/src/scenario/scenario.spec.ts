import { checkExpectation, contains } from './scenario.js';

const answered = { status: 200, code: undefined, events: [{ type: 'CallAnswered', data: { by: 'carol' } }] };

describe('scenario expectations', () => {
  it('checks success, rejection codes, event types and who answered', () => {
    expect(checkExpectation({ ok: true, events: ['CallAnswered'], answeredBy: 'carol' }, answered)).toEqual(
      [],
    );
    expect(checkExpectation({ answeredBy: 'bob' }, answered)).toEqual([
      'expected the call answered by bob, got carol',
    ]);
    expect(
      checkExpectation({ rejected: 'LINE_BUSY' }, { status: 409, code: 'LINE_BUSY', events: [] }),
    ).toEqual([]);
    expect(checkExpectation({ rejected: 'LINE_BUSY' }, answered)).toEqual([
      'expected rejection LINE_BUSY, got 200',
    ]);
    expect(checkExpectation({ events: ['CallEnded'] }, answered)).toEqual([
      'expected events [CallEnded], got [CallAnswered]',
    ]);
  });

  it('matches a projector answer by subset', () => {
    const roster = { position: '12', byDelegator: { alice: [{ status: 'active', delegateId: 'bob' }] } };
    expect(contains(roster, { byDelegator: { alice: [{ status: 'active' }] } })).toBe(true);
    expect(contains(roster, { byDelegator: { alice: [{ status: 'pending' }] } })).toBe(false);
    expect(contains(roster, { byDelegator: { bob: [] } })).toBe(false);
  });
});
