import type { DomainEvent } from '#events';
import { storedLog } from '../../../../libs/read-models/src/engine/engine.fixture.js';
import { ended, incoming, on } from '../../../../libs/read-models/src/projections/projections.fixture.js';
import { auditProjection, callsProjection, ReadModels } from '#read-models';
import { trailOf } from './audit-trail.js';

/** Another account's line that used the same call id. */
const OTHER_LINE = 'line-other.1001';

/** Line events only, through the two projections the store-side audit replays. */
const replayed = (...events: [string, DomainEvent][]): ReadModels => {
  const readModels = new ReadModels([callsProjection, auditProjection]);
  for (const stored of storedLog(events)) readModels.apply(stored);
  return readModels;
};

describe('a call trail found in read models replayed from the store (audit call --source store)', () => {
  it('names the lines when several used the call id, and finds the call on the one named', () => {
    // Given call c1 on two accounts' lines
    const readModels = replayed(
      incoming('c1', 1),
      on(OTHER_LINE, incoming('c1', 2)),
      ended('c1', 3),
      on(OTHER_LINE, ended('c1', 4)),
    );
    // When the trail is asked for by id alone, Then the lines are named instead of mixing both calls
    expect(trailOf(readModels, 'c1')).toEqual({ kind: 'ambiguous', lines: ['acme.1001', 'other.1001'] });
    // When it is asked for on one line, Then it is that line's call only
    expect(trailOf(readModels, 'c1', 'other.1001')).toEqual({
      kind: 'found',
      line: 'other.1001',
      revisions: [0, 1],
    });
  });

  it('takes the latest call of a line that reused the id, as the projector does', () => {
    // Given a line that used c1 twice
    const readModels = replayed(incoming('c1', 1), ended('c1', 2), incoming('c1', 3), ended('c1', 4));
    // Then the trail is the second call's events
    expect(trailOf(readModels, 'c1')).toEqual({ kind: 'found', line: 'acme.1001', revisions: [2, 3] });
  });

  it('finds nothing for an id no line used', () => {
    expect(trailOf(replayed(incoming('c1', 1)), 'c9')).toEqual({ kind: 'notFound' });
  });
});
