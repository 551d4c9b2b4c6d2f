import { accountDecider, explainActivation } from '#domain';
import { accountStream } from '#events';
import { accountsProjection, delegationKey } from '../projections/accounts.projection.js';
import {
  acme,
  carolInvitedWithoutAssistant,
  givenCommands,
  onAccount,
} from '../projections/given-commands.fixture.js';
import { accountStateOf, activationRefusalsOf } from './account-state.js';

const admin = 'admin';

describe('a pending invitation’s refusal in the accounts read model (R7)', () => {
  it('R7: Given admin-enforced activation, When Alice invites Carol who has no Assistant panel, Then the invitation stays pending and the read model says why, as the domain would refuse accepting it', () => {
    const { log, readModels } = givenCommands(acme, carolInvitedWithoutAssistant);
    const refusalOf = activationRefusalsOf(readModels, 'acme');
    expect(refusalOf('ac')).toEqual({
      code: 'ASSISTANT_DISABLED',
      rule: 'R4',
      message: 'The Assistant is disabled for carol: an admin must enable it.',
    });
    // The very refusal the api answers accepting with, on the command side's own fold of the log
    const commandSide = log
      .filter(([stream]) => stream === accountStream('acme'))
      .reduce(
        (state, [, event]) => accountDecider.evolve(state, event as never),
        accountDecider.initialState,
      );
    const delegation = commandSide.status === 'active' ? commandSide.delegations.get('ac') : undefined;
    const verdict = explainActivation(commandSide, delegation!);
    expect(verdict.ok).toBe(false);
    expect(refusalOf('ac')).toEqual(
      verdict.ok ? null : { code: verdict.code, rule: verdict.rule, message: verdict.message },
    );
    expect(accountStateOf(readModels, 'acme')).toEqual(commandSide);
  });

  it('R7: Given the same, When the admin gives Carol her Assistant panel back, Then the invitation is activated by policy and shows no refusal', () => {
    const { readModels } = givenCommands(
      acme,
      carolInvitedWithoutAssistant,
      onAccount('acme', { type: 'ChangeAssistant', actor: admin, partyId: 'carol', assistantEnabled: true }),
    );
    expect(readModels.state(accountsProjection).delegations.get(delegationKey('acme', 'ac'))).toMatchObject({
      status: 'active',
      changes: [{ type: 'DelegateInvited' }, { type: 'DelegationActivatedByPolicy' }],
    });
    expect(activationRefusalsOf(readModels, 'acme')('ac')).toBeNull();
  });

  it('R7: an active delegation, an unknown delegation id and a prototype member show no refusal', () => {
    const { readModels } = givenCommands(acme, carolInvitedWithoutAssistant);
    const refusalOf = activationRefusalsOf(readModels, 'acme');
    expect(refusalOf('ab')).toBeNull();
    expect(refusalOf('nobody')).toBeNull();
    expect(refusalOf('__proto__')).toBeNull();
    expect(activationRefusalsOf(readModels, 'no-such-account')('ac')).toBeNull();
  });
});
