import {
  ACCOUNT,
  answered,
  delegation,
  incoming,
  project,
  rang,
} from '../../../../libs/read-models/src/projections/projections.fixture.js';
import { diffViews, userView } from './user-view.js';

/**
 * The account of the read-model specs: Alice shares 1001 with Bob; Carol is in the account and sees
 * only her own line. Then a call rings on 1001.
 */
const ringing = [incoming('c1', 10), rang('c1', 10)];

describe('replay --diff: what each viewer sees change', () => {
  it('R11-R13/R17: a call ringing changes the lamp and history of the delegator and the delegate sharing the line, nobody else', () => {
    // Given the account before and after a call rings on Alice's shared line
    const changes = diffViews(userView(project()), userView(project(...ringing)));
    // Then Alice and Bob see it on +1001, field by field, and Carol sees nothing change
    expect(Object.keys(changes).sort()).toEqual(['acme/alice', 'acme/bob']);
    const bob = changes['acme/bob']!['+1001']!;
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
    const changes = diffViews(
      userView(project(...ringing)),
      userView(project(...ringing, answered('c1', 'bob', 15))),
    );
    const alice = changes['acme/alice']!['+1001']!;
    expect(alice['history[c1].status']).toEqual({ before: 'ringing', after: 'active' });
    expect(alice['history[c1].labels']).toEqual({
      before: [],
      after: ['answered by Bob on behalf of Alice'],
    });
    expect(alice['lamp.state']).toEqual({ before: 'ringing', after: 'busy' });
  });

  it("R17: a delegation revoked takes the shared line out of the delegate's view", () => {
    const revoked = project([ACCOUNT, { type: 'DelegationRevoked', data: delegation }]);
    const changes = diffViews(userView(project()), userView(revoked));
    expect(Object.keys(changes)).toEqual(['acme/bob']);
    expect(changes['acme/bob']!['+1001']!['lamp.state']).toEqual({ before: 'idle' });
  });
});
