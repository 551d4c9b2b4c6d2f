import {
  acme,
  carolInvitedWithoutAssistant,
  givenCommands,
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
