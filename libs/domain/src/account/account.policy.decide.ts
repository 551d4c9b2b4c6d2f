import type { AccountEvent, AccountPolicy } from '#events';
import type { CommandContext } from '../shared/decider.js';
import { refuse } from '../shared/domain-error.js';
import type * as C from './account.commands.js';
import { checkVersion, requireAdmin, sameJson, stamped, type DecideOn } from './account.decide.shared.js';
import { DEFAULT_ACCOUNT_POLICY, type AccountState } from './account.state.js';

// The account itself: its creation with its admins, and its policy (R8 limits, R7 activation, R4, R5).

const checkPolicy = (policy: AccountPolicy): void => {
  // Safe integers only: 2^64 arrives as 18446744073709552000, and the limit recorded would be one
  // nobody wrote.
  for (const limit of ['maxDelegatesPerDelegator', 'maxDelegatorsPerDelegate'] as const)
    if (!Number.isSafeInteger(policy[limit]) || policy[limit] < 1)
      refuse('INVALID_DELEGATION_LIMIT', 'R8', { limit });
  checkVersion(policy.assistantMinimumVersion, 'R4');
};

export const createAccount = (
  command: C.CreateAccount,
  state: AccountState,
  { now }: CommandContext,
): AccountEvent[] => {
  if (state.status === 'active') refuse('ACCOUNT_ALREADY_EXISTS', 'R1', { account: state.accountId });
  const policy = { ...DEFAULT_ACCOUNT_POLICY, ...command.policy };
  checkPolicy(policy);
  const admins = [...new Set([command.actor, ...(command.admins ?? [])])];
  return [
    stamped(command, now, 'AccountCreated', {
      accountId: command.accountId,
      name: command.name,
      admins,
      policy,
    }),
  ];
};

export const changeAccountPolicy: DecideOn<C.ChangeAccountPolicy> = (command, state, { now }) => {
  requireAdmin(state, command.actor, 'R3', 'change the account policy');
  const policy = { ...state.policy, ...command.policy };
  checkPolicy(policy);
  if (sameJson(policy, state.policy)) return [];
  // Switching admin-enforced activation on applies it to the invitations still waiting: see activateByPolicy.
  return [{ type: 'AccountPolicyChanged', data: { policy, by: command.actor, at: now } }];
};
