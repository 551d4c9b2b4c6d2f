import { AT, project, user } from '../projections/projections.fixture.js';
import { lineAccess } from './access.js';
import { auditStep } from './audit-steps.js';
import { whyCannot } from './diagnostics.js';

/**
 * A name written before the api refused direction controls in names may sit in the log: the sentences
 * the read models build set it apart (U+2068 … U+2069), so it cannot reorder the words after it.
 */
describe('names in the sentences of the read models', () => {
  const OVERRIDE = '\u202eevaD';

  it("R17: given a line whose owner's name holds a right-to-left override, when a party outside its delegations looks at it, then the reason sets the owner's name apart", () => {
    const readModels = project(user('dave', OVERRIDE, ['4004']));
    expect(lineAccess(readModels, 'acme', '4004', 'carol')).toMatchObject({
      allowed: false,
      rule: 'R17',
      reason: `carol is neither \u2068${OVERRIDE}\u2069 (the delegator) nor one of \u2068${OVERRIDE}\u2069's delegates`,
    });
  });

  it('R20: given a party whose name holds a right-to-left override, when it asks why it can or cannot act on its line, then the question and the answer set its name apart', () => {
    const diagnosis = whyCannot(
      project(user('dave', OVERRIDE, ['4004'])),
      'acme',
      '4004',
      'dave',
      'answer',
      AT,
    );
    expect(diagnosis.question).toMatch(
      new RegExp(`^Why can \u2068${OVERRIDE}\u2069 not answer calls on line`),
    );
    expect(diagnosis.answer).toBe(`\u2068${OVERRIDE}\u2069 can answer calls on line +4004.`);
  });

  it('given a call placed showing a caller-ID name with a right-to-left override, when its step is told, then the name is set apart', () => {
    const step = auditStep({
      type: 'CallPlacedOnSharedLine',
      data: {
        callId: 'c1',
        line: '+15550100',
        to: '+15550199',
        placedBy: 'dave',
        onBehalfOf: null,
        permission: null,
        callerId: { number: '+15550100', name: OVERRIDE },
        at: '2026-01-05T09:00:30.000Z',
      },
    });
    expect(step).toBe(`dave dialled +15550199, showing \u2068${OVERRIDE}\u2069 +15550100`);
  });
});
