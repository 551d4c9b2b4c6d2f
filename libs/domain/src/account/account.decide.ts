import type { AccountEvent } from '#events';
import type * as C from './account.commands.js';
import {
  addSpeedDial,
  changeSpeedDialLimit,
  moveSpeedDial,
  nameLine,
  relabelSpeedDial,
  removeSpeedDial,
} from './account.assistant.decide.js';
import { refuse } from './account.decide.shared.js';
import {
  acceptInvitation,
  changeDelegationPermissions,
  changeSharedLines,
  declineInvitation,
  inviteDelegate,
  optInOrOut,
  revokeDelegation,
  setDelegateBusinessHours,
} from './account.delegation.decide.js';
import { ACCOUNT_NOT_FOUND } from './account.eligibility.js';
import {
  changeAssistant,
  changeCallingPlan,
  changeDirectNumbers,
  changePowerPack,
  provisionCommonAreaPhone,
  provisionPhoneUser,
  reportDesktopClient,
} from './account.parties.decide.js';
import { changeAccountPolicy, createAccount } from './account.policy.decide.js';
import {
  changeRingTimeout,
  lockDelegation,
  setBusinessHours,
  setUserDelegation,
  unlockDelegation,
} from './account.settings.decide.js';
import type { AccountState, ActiveAccount } from './account.state.js';
import { addVipContact, changeVipRouting, removeVipContact } from './account.vip.decide.js';

/*
 * Why one stream per account makes R8 hold under concurrency: every delegation of the account, and
 * so every count R8 limits (per delegator and per delegate), lives in the stream `account-<id>`, and
 * every decision is appended with the revision it was decided against. Two concurrent invitations
 * that together would exceed a limit are both decided against the same revision; the store accepts
 * one append and refuses the other with a version conflict; the loser is re-decided against the new
 * state, where the limit now rejects it. No reservation or saga is needed. Delegation changes are
 * rare next to calls, so serialising them per account costs no throughput that matters.
 *
 * Idempotency: commands that state a value (set permissions, enable, lock, add a VIP contact…) append
 * nothing when the state already has that value, so a resend is harmless. Commands that make a
 * transition (invite, accept, decline, revoke) reject when the transition is no longer available,
 * with a code that says why (e.g. INVITATION_NOT_PENDING), instead of emitting it twice.
 */

const activeAccount = (state: AccountState): ActiveAccount =>
  state.status === 'active' ? state : refuse(ACCOUNT_NOT_FOUND);

export const decideAccount = (command: C.AccountCommand, state: AccountState): AccountEvent[] => {
  switch (command.type) {
    case 'CreateAccount':
      return createAccount(command, state);
    case 'ChangeAccountPolicy':
      return changeAccountPolicy(command, activeAccount(state));
    case 'ProvisionPhoneUser':
      return provisionPhoneUser(command, activeAccount(state));
    case 'ProvisionCommonAreaPhone':
      return provisionCommonAreaPhone(command, activeAccount(state));
    case 'ChangeDirectNumbers':
      return changeDirectNumbers(command, activeAccount(state));
    case 'ChangeCallingPlan':
      return changeCallingPlan(command, activeAccount(state));
    case 'ChangePowerPack':
      return changePowerPack(command, activeAccount(state));
    case 'ChangeAssistant':
      return changeAssistant(command, activeAccount(state));
    case 'ReportDesktopClient':
      return reportDesktopClient(command, activeAccount(state));
    case 'SetBusinessHours':
      return setBusinessHours(command, activeAccount(state));
    case 'ChangeRingTimeout':
      return changeRingTimeout(command, activeAccount(state));
    case 'EnableDelegationForUser':
    case 'DisableDelegationForUser':
      return setUserDelegation(command, activeAccount(state));
    case 'LockDelegation':
      return lockDelegation(command, activeAccount(state));
    case 'UnlockDelegation':
      return unlockDelegation(command, activeAccount(state));
    case 'InviteDelegate':
      return inviteDelegate(command, activeAccount(state));
    case 'AcceptInvitation':
      return acceptInvitation(command, activeAccount(state));
    case 'DeclineInvitation':
      return declineInvitation(command, activeAccount(state));
    case 'RevokeDelegation':
      return revokeDelegation(command, activeAccount(state));
    case 'ChangeDelegationPermissions':
      return changeDelegationPermissions(command, activeAccount(state));
    case 'ChangeSharedLines':
      return changeSharedLines(command, activeAccount(state));
    case 'OptIn':
    case 'OptOut':
      return optInOrOut(command, activeAccount(state));
    case 'SetDelegateBusinessHours':
      return setDelegateBusinessHours(command, activeAccount(state));
    case 'AddVipContact':
      return addVipContact(command, activeAccount(state));
    case 'RemoveVipContact':
      return removeVipContact(command, activeAccount(state));
    case 'ChangeVipRouting':
      return changeVipRouting(command, activeAccount(state));
    case 'AddSpeedDial':
      return addSpeedDial(command, activeAccount(state));
    case 'RelabelSpeedDial':
      return relabelSpeedDial(command, activeAccount(state));
    case 'MoveSpeedDial':
      return moveSpeedDial(command, activeAccount(state));
    case 'RemoveSpeedDial':
      return removeSpeedDial(command, activeAccount(state));
    case 'ChangeSpeedDialLimit':
      return changeSpeedDialLimit(command, activeAccount(state));
    case 'NameLine':
      return nameLine(command, activeAccount(state));
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled account command ${JSON.stringify(unhandled)}`);
    }
  }
};
