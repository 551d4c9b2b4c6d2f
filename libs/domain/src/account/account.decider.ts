import type { AccountEvent } from '#events';
import type { CommandContext, Decider } from '../shared/decider.js';
import type { AccountCommand } from './account.commands.js';
import { decideAccount } from './account.decide.js';
import { evolveAccount, initialAccountState, type AccountState } from './account.state.js';

/** The account aggregate (stream `account-<accountId>`): parties, delegation settings, delegations, VIP. */
export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState, CommandContext> = {
  initialState: initialAccountState,
  decide: decideAccount,
  evolve: evolveAccount,
};
