import type { AccountEvent } from '#events';
import { ownDecision, type CommandContext, type Decision } from '../shared/decider.js';
import type * as C from './account.commands.js';
import {
  addSpeedDial,
  changeSpeedDialLimit,
  moveSpeedDial,
  nameLine,
  relabelSpeedDial,
  removeSpeedDial,
} from './account.assistant.decide.js';
import { rejectWith } from '../shared/domain-error.js';
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
  state.status === 'active' ? state : rejectWith(ACCOUNT_NOT_FOUND);

export const decideAccount = (
  command: C.AccountCommand,
  state: AccountState,
  context: CommandContext,
): Decision<AccountEvent> => {
  switch (command.type) {
    case 'CreateAccount':
      return ownDecision(createAccount(command, state, context));
    case 'ChangeAccountPolicy':
      return ownDecision(changeAccountPolicy(command, activeAccount(state), context));
    case 'ProvisionPhoneUser':
      return ownDecision(provisionPhoneUser(command, activeAccount(state), context));
    case 'ProvisionCommonAreaPhone':
      return ownDecision(provisionCommonAreaPhone(command, activeAccount(state), context));
    case 'ChangeDirectNumbers':
      return ownDecision(changeDirectNumbers(command, activeAccount(state), context));
    case 'ChangeCallingPlan':
      return ownDecision(changeCallingPlan(command, activeAccount(state), context));
    case 'ChangePowerPack':
      return ownDecision(changePowerPack(command, activeAccount(state), context));
    case 'ChangeAssistant':
      return ownDecision(changeAssistant(command, activeAccount(state), context));
    case 'ReportDesktopClient':
      return ownDecision(reportDesktopClient(command, activeAccount(state), context));
    case 'SetBusinessHours':
      return ownDecision(setBusinessHours(command, activeAccount(state), context));
    case 'ChangeRingTimeout':
      return ownDecision(changeRingTimeout(command, activeAccount(state), context));
    case 'EnableDelegationForUser':
    case 'DisableDelegationForUser':
      return ownDecision(setUserDelegation(command, activeAccount(state), context));
    case 'LockDelegation':
      return ownDecision(lockDelegation(command, activeAccount(state), context));
    case 'UnlockDelegation':
      return ownDecision(unlockDelegation(command, activeAccount(state), context));
    case 'InviteDelegate':
      return ownDecision(inviteDelegate(command, activeAccount(state), context));
    case 'AcceptInvitation':
      return ownDecision(acceptInvitation(command, activeAccount(state), context));
    case 'DeclineInvitation':
      return ownDecision(declineInvitation(command, activeAccount(state), context));
    case 'RevokeDelegation':
      return ownDecision(revokeDelegation(command, activeAccount(state), context));
    case 'ChangeDelegationPermissions':
      return ownDecision(changeDelegationPermissions(command, activeAccount(state), context));
    case 'ChangeSharedLines':
      return ownDecision(changeSharedLines(command, activeAccount(state), context));
    case 'OptIn':
    case 'OptOut':
      return optInOrOut(command, activeAccount(state), context);
    case 'SetDelegateBusinessHours':
      return setDelegateBusinessHours(command, activeAccount(state), context);
    case 'AddVipContact':
      return addVipContact(command, activeAccount(state), context);
    case 'RemoveVipContact':
      return removeVipContact(command, activeAccount(state), context);
    case 'ChangeVipRouting':
      return ownDecision(changeVipRouting(command, activeAccount(state), context));
    case 'AddSpeedDial':
      return addSpeedDial(command, activeAccount(state), context);
    case 'RelabelSpeedDial':
      return relabelSpeedDial(command, activeAccount(state), context);
    case 'MoveSpeedDial':
      return moveSpeedDial(command, activeAccount(state), context);
    case 'RemoveSpeedDial':
      return removeSpeedDial(command, activeAccount(state), context);
    case 'ChangeSpeedDialLimit':
      return ownDecision(changeSpeedDialLimit(command, activeAccount(state), context));
    case 'NameLine':
      return ownDecision(nameLine(command, activeAccount(state), context));
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled account command ${JSON.stringify(unhandled)}`);
    }
  }
};
