import type { AccountEvent } from '#events';
import { fold, ownDecision, type CommandContext, type Decision } from '../shared/decider.js';
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
import { ACCOUNT_NOT_FOUND, explainActivation } from './account.eligibility.js';
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
import { delegationRef, type DecideOn, type DecideWithAuthority } from './account.decide.shared.js';
import { evolveAccount, type AccountState, type ActiveAccount } from './account.state.js';
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

type OnActiveAccount = {
  readonly [T in Exclude<C.AccountCommand['type'], 'CreateAccount'>]: DecideWithAuthority<
    Extract<C.AccountCommand, { type: T }>
  >;
};

/** A decide function whose commands are always decided on the actor's own authority. */
const own =
  <Command>(decide: DecideOn<Command>): DecideWithAuthority<Command> =>
  (command, state, context) =>
    ownDecision(decide(command, state, context));

/**
 * How each command but CreateAccount is decided on an active account: every command type has its entry
 * (the type says so), and those not wrapped in `own` may act for a delegator.
 */
const ON_ACTIVE_ACCOUNT: OnActiveAccount = {
  ChangeAccountPolicy: own(changeAccountPolicy),
  ProvisionPhoneUser: own(provisionPhoneUser),
  ProvisionCommonAreaPhone: own(provisionCommonAreaPhone),
  ChangeDirectNumbers: own(changeDirectNumbers),
  ChangeCallingPlan: own(changeCallingPlan),
  ChangePowerPack: own(changePowerPack),
  ChangeAssistant: own(changeAssistant),
  ReportDesktopClient: own(reportDesktopClient),
  SetBusinessHours: own(setBusinessHours),
  ChangeRingTimeout: own(changeRingTimeout),
  EnableDelegationForUser: own(setUserDelegation),
  DisableDelegationForUser: own(setUserDelegation),
  LockDelegation: own(lockDelegation),
  UnlockDelegation: own(unlockDelegation),
  InviteDelegate: own(inviteDelegate),
  AcceptInvitation: own(acceptInvitation),
  DeclineInvitation: own(declineInvitation),
  RevokeDelegation: own(revokeDelegation),
  ChangeDelegationPermissions: own(changeDelegationPermissions),
  ChangeSharedLines: own(changeSharedLines),
  OptIn: optInOrOut,
  OptOut: optInOrOut,
  SetDelegateBusinessHours: setDelegateBusinessHours,
  AddVipContact: addVipContact,
  RemoveVipContact: removeVipContact,
  ChangeVipRouting: own(changeVipRouting),
  AddSpeedDial: addSpeedDial,
  RelabelSpeedDial: relabelSpeedDial,
  MoveSpeedDial: moveSpeedDial,
  RemoveSpeedDial: removeSpeedDial,
  ChangeSpeedDialLimit: own(changeSpeedDialLimit),
  NameLine: own(nameLine),
};

/**
 * R7, admin-enforced activation: with `autoActivateInvitations` on, an invitation is made active as
 * soon as accepting it would be (explainActivation, the checks an accept runs). So a command that
 * changed the account (an invitation, the policy switched on, whatever refused an invitation put
 * right) also activates each pending invitation that passes them on the state it leaves. One that
 * does not stays pending, why is shown with it, and its invitee may still accept it once it passes.
 * A command that changed nothing activates nothing: its resend stays a no-op.
 */
const activatingByPolicy = (
  decision: Decision<AccountEvent>,
  state: ActiveAccount,
  { actor }: C.AccountCommand,
  { now }: CommandContext,
): Decision<AccountEvent> => {
  if (decision.events.length === 0) return decision;
  const after = fold<AccountEvent, AccountState>(evolveAccount, state, decision.events);
  if (after.status !== 'active' || !after.policy.autoActivateInvitations) return decision;
  const activated = [...after.delegations.values()]
    .filter((delegation) => delegation.status === 'pending' && explainActivation(after, delegation).ok)
    .map((delegation): AccountEvent => ({
      type: 'DelegationActivatedByPolicy',
      data: { ...delegationRef(delegation), by: actor, at: now },
    }));
  return activated.length === 0 ? decision : { ...decision, events: [...decision.events, ...activated] };
};

export const decideAccount = (
  command: C.AccountCommand,
  state: AccountState,
  context: CommandContext,
): Decision<AccountEvent> => {
  if (command.type === 'CreateAccount') return ownDecision(createAccount(command, state, context));
  if (!Object.hasOwn(ON_ACTIVE_ACCOUNT, command.type))
    throw new Error(`unhandled account command ${JSON.stringify(command)}`);
  // The table's type pairs each command type with its own decide function; TypeScript cannot follow
  // that pairing through a lookup on a union, hence the widening.
  const decide = ON_ACTIVE_ACCOUNT[command.type] as DecideWithAuthority<C.AccountCommand>;
  const active = activeAccount(state);
  return activatingByPolicy(decide(command, active, context), active, command, context);
};
