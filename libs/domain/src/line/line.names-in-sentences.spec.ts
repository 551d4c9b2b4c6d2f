import {
  ASSISTANT,
  BOSS,
  STRANGER,
  bossHeld,
  delegate,
  given,
  lineContext,
  pickUp,
  ringingCall,
  answer,
} from './line.fixtures.js';

/**
 * Names written before the api refused direction controls in them (or right-to-left names, which are
 * fine) may sit in a store: a sentence that names such a party sets its name apart (U+2068 … U+2069),
 * so it cannot reorder the words after it, as the panel sets apart the names it shows.
 */
describe('party names in the sentences of line refusals', () => {
  const OVERRIDE = '\u202eeciffo';

  it('R7: given a delegate named with a right-to-left override whose delegation is not active, when it picks up, then its name in the sentence is set apart', () => {
    const inactive = lineContext({ delegates: [delegate(ASSISTANT, OVERRIDE, { active: false })] });
    given(bossHeld(), inactive)
      .when(pickUp('c1', ASSISTANT))
      .thenRejects('DELEGATION_NOT_ACTIVE', 'R7', `\u2068${OVERRIDE}\u2069's delegation for line`);
  });

  it('R10: given a delegator named with a right-to-left override, when a stranger answers its line, then the delegator named in the sentence is set apart', () => {
    const overridden = lineContext({
      delegator: { partyId: BOSS, name: OVERRIDE, eligibility: null, powerPack: true },
    });
    given(ringingCall(), overridden)
      .when(answer('c1', STRANGER))
      .thenRejects('LINE_NOT_SHARED', 'R10', `ask \u2068${OVERRIDE}\u2069 to invite you`);
  });

  it('R10: given a delegator with a plain name, when a stranger answers its line, then the sentence names it as it is', () => {
    given(ringingCall())
      .when(answer('c1', STRANGER))
      .thenRejects('LINE_NOT_SHARED', 'R10', 'ask Boss to invite you');
  });
});
