import type { AccountEvent } from '#events';
import { ownDecision, type Decision } from '../shared/decider.js';
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
 *
 * Authority (SPEC §2): a party acts on its own authority, an admin on the account's; only a delegate
 * working a delegation it was granted acts for the delegator, with the permission its check allowed
 * (R6, R13, R19, R22). Those decide functions return their decision; the others act on their own.
 */

const activeAccount = (state: AccountState): ActiveAccount =>
  state.status === 'active' ? state : refuse(ACCOUNT_NOT_FOUND);

export const decideAccount = (command: C.AccountCommand, state: AccountState): Decision<AccountEvent> => {
  switch (command.type) {
    case 'CreateAccount':
      return ownDecision(createAccount(command, state));
    case 'ChangeAccountPolicy':
      return ownDecision(changeAccountPolicy(command, activeAccount(state)));
    case 'ProvisionPhoneUser':
      return ownDecision(provisionPhoneUser(command, activeAccount(state)));
    case 'ProvisionCommonAreaPhone':
      return ownDecision(provisionCommonAreaPhone(command, activeAccount(state)));
    case 'ChangeDirectNumbers':
      return ownDecision(changeDirectNumbers(command, activeAccount(state)));
    case 'ChangeCallingPlan':
      return ownDecision(changeCallingPlan(command, activeAccount(state)));
    case 'ChangePowerPack':
      return ownDecision(changePowerPack(command, activeAccount(state)));
    case 'ChangeAssistant':
      return ownDecision(changeAssistant(command, activeAccount(state)));
    case 'ReportDesktopClient':
      return ownDecision(reportDesktopClient(command, activeAccount(state)));
    case 'SetBusinessHours':
      return ownDecision(setBusinessHours(command, activeAccount(state)));
    case 'ChangeRingTimeout':
      return ownDecision(changeRingTimeout(command, activeAccount(state)));
    case 'EnableDelegationForUser':
    case 'DisableDelegationForUser':
      return ownDecision(setUserDelegation(command, activeAccount(state)));
    case 'LockDelegation':
      return ownDecision(lockDelegation(command, activeAccount(state)));
    case 'UnlockDelegation':
      return ownDecision(unlockDelegation(command, activeAccount(state)));
    case 'InviteDelegate':
      return ownDecision(inviteDelegate(command, activeAccount(state)));
    case 'AcceptInvitation':
      return ownDecision(acceptInvitation(command, activeAccount(state)));
    case 'DeclineInvitation':
      return ownDecision(declineInvitation(command, activeAccount(state)));
    case 'RevokeDelegation':
      return ownDecision(revokeDelegation(command, activeAccount(state)));
    case 'ChangeDelegationPermissions':
      return ownDecision(changeDelegationPermissions(command, activeAccount(state)));
    case 'ChangeSharedLines':
      return ownDecision(changeSharedLines(command, activeAccount(state)));
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
      return ownDecision(changeVipRouting(command, activeAccount(state)));
    case 'AddSpeedDial':
      return addSpeedDial(command, activeAccount(state));
    case 'RelabelSpeedDial':
      return relabelSpeedDial(command, activeAccount(state));
    case 'MoveSpeedDial':
      return moveSpeedDial(command, activeAccount(state));
    case 'RemoveSpeedDial':
      return removeSpeedDial(command, activeAccount(state));
    case 'ChangeSpeedDialLimit':
      return ownDecision(changeSpeedDialLimit(command, activeAccount(state)));
    case 'NameLine':
      return ownDecision(nameLine(command, activeAccount(state)));
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled account command ${JSON.stringify(unhandled)}`);
    }
  }
};
