import type { AccountEvent, Permission } from '#events';
import type { Authority } from '../shared/decider.js';
import { ALLOWED, refusal, refuse, rejectWith, type Refusal, type Verdict } from '../shared/domain-error.js';
import type * as C from './account.commands.js';
import {
  check,
  checkBusinessHours,
  decidedOn,
  delegationRef,
  lockRefusal,
  partyOf,
  requireSelfOrAdmin,
  requireUnlocked,
  sameJson,
  stamped,
  type DecideOn,
  type DecideWithAuthority,
} from './account.decide.shared.js';
import {
  explainActivation,
  explainAssistantEligibility,
  explainDelegationEligibility,
  explainDelegationPowerPack,
  permissionRequired,
} from './account.eligibility.js';
import {
  delegationBetween,
  isAdmin,
  isLive,
  liveDelegationsHeldBy,
  liveDelegationsOf,
} from './account.queries.js';
import type { ActiveAccount, Delegation, Party } from './account.state.js';
import { canonicalPermissions, CORE_PERMISSIONS, isPermission } from './account.values.js';

// Delegations (R6–R10): inviting, answering the invitation, managing and ending a delegation, and what
// the delegate itself may change on it.

// ── Lookups that reject ──────────────────────────────────────────────────────────────────────────

const unknownDelegation = (delegationId: string): Refusal =>
  refusal('DELEGATION_NOT_FOUND', 'R7', { case: 'unknown', delegation: delegationId });

const delegationOf = (state: ActiveAccount, delegationId: string): Delegation =>
  state.delegations.get(delegationId) ?? rejectWith(unknownDelegation(delegationId));

const requireLive = (delegation: Delegation): void => {
  if (!isLive(delegation))
    refuse('DELEGATION_ALREADY_ENDED', 'R7', {
      delegation: delegation.id,
      status: delegation.status,
      delegate: delegation.delegateId,
    });
};

/** R7: why a delegation is not active, or null when it is. */
const notActive = (delegation: Delegation): Refusal | null =>
  delegation.status === 'active'
    ? null
    : // A pending invitation is made active by accepting it; a revoked or declined one never again.
      refusal('DELEGATION_NOT_ACTIVE', 'R7', {
        case: isLive(delegation) ? 'delegation' : 'ended',
        delegation: delegation.id,
        status: delegation.status,
      });

const requireActive = (delegation: Delegation): void => {
  const inactive = notActive(delegation);
  if (inactive) rejectWith(inactive);
};

// ── Value checks ─────────────────────────────────────────────────────────────────────────────────

/** R6: a usable, consistent permission set, returned in canonical order. */
const checkPermissions = (permissions: readonly string[]): Permission[] => {
  for (const permission of permissions)
    if (!isPermission(permission)) refuse('UNKNOWN_PERMISSION', 'R6', { permission });
  const canonical = canonicalPermissions(permissions as readonly Permission[]);
  if (!canonical.some((permission) => CORE_PERMISSIONS.includes(permission)))
    refuse('NO_CORE_PERMISSION', 'R6', {});
  if (!canonical.includes('answerCalls')) {
    if (canonical.includes('optInOut')) refuse('OPT_IN_OUT_NEEDS_ANSWER_CALLS', 'R6', {});
    if (canonical.includes('vipOnly')) refuse('VIP_ONLY_NEEDS_ANSWER_CALLS', 'R6', {});
  }
  return canonical;
};

/** R5: VIP permissions, and delegation the account marks as premium, need the delegator's Power Pack. */
const checkPowerPack = (
  state: ActiveAccount,
  delegatorId: string,
  delegateId: string,
  permissions: readonly Permission[],
): void => check(explainDelegationPowerPack(state, delegatorId, delegateId, permissions));

/** R10: shared lines are some of the delegator's own direct numbers, each listed once. */
const checkSharedLines = (delegator: Party, sharedLines: readonly string[]): string[] => {
  if (sharedLines.length === 0) refuse('NO_SHARED_LINE', 'R10', { delegator: delegator.id });
  for (const line of sharedLines)
    if (!delegator.directNumbers.includes(line))
      refuse('SHARED_LINE_NOT_OWNED', 'R10', {
        line,
        delegator: delegator.id,
        owned: delegator.directNumbers.join(', '),
      });
  return [...new Set(sharedLines)];
};

// ── Inviting (R6–R10) ────────────────────────────────────────────────────────────────────────────

export const inviteDelegate: DecideOn<C.InviteDelegate> = (command, state, { now }) => {
  const { delegationId, delegatorId, delegateId } = command;
  requireSelfOrAdmin(state, command.actor, delegatorId, 'R7', `invite delegates for ${delegatorId}`);
  if (state.delegations.has(delegationId)) refuse('DELEGATION_ID_TAKEN', 'R7', { delegation: delegationId });
  const delegator = partyOf(state, delegatorId);
  const delegate = partyOf(state, delegateId);
  if (delegatorId === delegateId) refuse('SELF_DELEGATION', 'R9', { delegator: delegatorId });
  check(explainDelegationEligibility(state, delegatorId));
  check(explainDelegationEligibility(state, delegateId));
  requireUnlocked(delegator, delegate);
  const permissions = checkPermissions(command.permissions);
  checkPowerPack(state, delegatorId, delegateId, permissions);
  const sharedLines = checkSharedLines(delegator, command.sharedLines);

  const existing = delegationBetween(state, delegatorId, delegateId);
  if (existing)
    refuse('DELEGATION_ALREADY_EXISTS', 'R9', {
      delegate: delegateId,
      status: existing.status,
      delegation: existing.id,
      delegator: delegatorId,
    });
  const { maxDelegatesPerDelegator, maxDelegatorsPerDelegate } = state.policy;
  if (liveDelegationsOf(state, delegatorId).length >= maxDelegatesPerDelegator)
    refuse('DELEGATE_LIMIT_REACHED', 'R8', {
      case: 'invite',
      delegator: delegatorId,
      limit: maxDelegatesPerDelegator,
    });
  if (liveDelegationsHeldBy(state, delegateId).length >= maxDelegatorsPerDelegate)
    refuse('DELEGATOR_LIMIT_REACHED', 'R8', {
      case: 'invite',
      delegate: delegateId,
      limit: maxDelegatorsPerDelegate,
    });

  // Admin-enforced activation (R7) follows from the invitation: see activateByPolicy.
  const ref = { delegationId, delegatorId, delegateId, by: command.actor, at: now };
  return [{ type: 'DelegateInvited', data: { ...ref, permissions, sharedLines } }];
};

// ── Answering an invitation (R7) ─────────────────────────────────────────────────────────────────

/**
 * R7: only the invitee answers an invitation. A common-area phone has nobody signed in to answer, so
 * an admin answers for it (the admin portal is where common-area phones are managed).
 */
const requireInvitee = (state: ActiveAccount, actor: string, delegation: Delegation, what: string): Party => {
  const delegate = partyOf(state, delegation.delegateId);
  const allowed = actor === delegate.id || (delegate.kind === 'commonAreaPhone' && isAdmin(state, actor));
  if (!allowed)
    refuse('ACTOR_NOT_ALLOWED', 'R7', {
      case: delegate.kind === 'commonAreaPhone' ? 'commonAreaInvitee' : 'invitee',
      answer: what,
      delegation: delegation.id,
      party: delegate.id,
    });
  return delegate;
};

const requirePending = (delegation: Delegation): void => {
  if (delegation.status !== 'pending')
    refuse(
      'INVITATION_NOT_PENDING',
      'R7',
      delegation.status === 'active'
        ? { case: 'accepted', delegation: delegation.id }
        : {
            case: 'ended',
            delegation: delegation.id,
            status: delegation.status,
            delegator: delegation.delegatorId,
          },
    );
};

export const acceptInvitation: DecideOn<C.AcceptInvitation> = (command, state, { now }) => {
  const delegation = delegationOf(state, command.delegationId);
  requireInvitee(state, command.actor, delegation, 'accept');
  requirePending(delegation);
  check(explainActivation(state, delegation));
  return [stamped(command, now, 'DelegationAccepted', { ...delegationRef(delegation) })];
};

export const declineInvitation: DecideOn<C.DeclineInvitation> = (command, state, { now }) => {
  const delegation = delegationOf(state, command.delegationId);
  requireInvitee(state, command.actor, delegation, 'decline');
  requirePending(delegation);
  return [stamped(command, now, 'DelegationDeclined', { ...delegationRef(delegation) })];
};

// ── Managing a delegation (R7, R10) ──────────────────────────────────────────────────────────────

/** R7: the delegator or an admin manages a delegation; both parties' settings must not be locked (R3). */
const managedDelegation = (state: ActiveAccount, actor: string, delegationId: string, what: string) => {
  const delegation = delegationOf(state, delegationId);
  requireSelfOrAdmin(state, actor, delegation.delegatorId, 'R7', `${what} delegation ${delegation.id}`);
  requireLive(delegation);
  const delegator = partyOf(state, delegation.delegatorId);
  const delegate = partyOf(state, delegation.delegateId);
  requireUnlocked(delegator, delegate);
  return { delegation, delegator, delegate };
};

export const revokeDelegation: DecideOn<C.RevokeDelegation> = (command, state, { now }) => {
  const { delegation } = managedDelegation(state, command.actor, command.delegationId, 'revoke');
  return [stamped(command, now, 'DelegationRevoked', { ...delegationRef(delegation) })];
};

export const changeDelegationPermissions: DecideOn<C.ChangeDelegationPermissions> = (
  command,
  state,
  { now },
) => {
  const { delegation } = managedDelegation(
    state,
    command.actor,
    command.delegationId,
    'change the permissions of',
  );
  const permissions = checkPermissions(command.permissions);
  checkPowerPack(state, delegation.delegatorId, delegation.delegateId, permissions);
  if (sameJson(permissions, delegation.permissions)) return [];
  const ref = { ...delegationRef(delegation), by: command.actor, at: now };
  const events: AccountEvent[] = [{ type: 'DelegationPermissionsChanged', data: { ...ref, permissions } }];
  // Without the permission the delegate could not undo its own opt-out or hours any more: reset them.
  if (!permissions.includes('optInOut') && !delegation.optedIn)
    events.push({ type: 'DelegateOptedIn', data: ref });
  if (!permissions.includes('overrideBusinessHours') && delegation.businessHours)
    events.push({ type: 'DelegateBusinessHoursSet', data: { ...ref, businessHours: null } });
  return events;
};

export const changeSharedLines: DecideOn<C.ChangeSharedLines> = (command, state, { now }) => {
  const { delegation, delegator } = managedDelegation(
    state,
    command.actor,
    command.delegationId,
    'change the shared lines of',
  );
  const sharedLines = checkSharedLines(delegator, command.sharedLines);
  if (sameJson(sharedLines, delegation.sharedLines)) return [];
  return [
    stamped(command, now, 'DelegationSharedLinesChanged', { ...delegationRef(delegation), sharedLines }),
  ];
};

// ── What the delegate changes itself (R6, R13) ───────────────────────────────────────────────────

/**
 * R6: why `actor` cannot exercise `permission` of active `delegation` on the delegator's behalf, or
 * null when it can: only the delegate itself, holding the permission, eligible as R4 says, on a
 * delegation no admin lock freezes (R3). A
 * common-area phone has nobody signed in and no Assistant panel to set these from: an admin sets them
 * for it, as it answers its invitations (R7, R4).
 */
const delegateCannotExercise = (
  state: ActiveAccount,
  actor: string,
  delegation: Delegation,
  permission: Permission,
): Refusal | null => {
  const delegate = partyOf(state, delegation.delegateId);
  const commonArea = delegate.kind === 'commonAreaPhone';
  if (actor !== delegate.id && !(commonArea && isAdmin(state, actor)))
    return refusal('ACTOR_NOT_ALLOWED', 'R7', {
      case: commonArea ? 'commonAreaDelegate' : 'delegate',
      delegate: delegate.id,
      delegation: delegation.id,
    });
  if (!delegation.permissions.includes(permission)) return permissionRequired(delegation, permission);
  // R4: these are Assistant panel toggles for a phone user.
  if (delegate.kind === 'phoneUser') {
    const eligibility = explainAssistantEligibility(state, delegation.delegateId);
    if (!eligibility.ok) return eligibility;
  }
  // R3: an admin lock freezes the delegations of both its parties, as it does their revocation and
  // permissions: the delegate's own settings on one are part of it.
  return lockRefusal(partyOf(state, delegation.delegatorId), delegate);
};

/** R6: the delegate itself, exercising a permission of its delegation on the delegator's behalf. */
const delegateExercising = (
  state: ActiveAccount,
  actor: string,
  delegation: Delegation,
  permission: Permission,
): Authority => {
  const refused = delegateCannotExercise(state, actor, delegation, permission);
  if (refused) rejectWith(refused);
  return { onBehalfOf: delegation.delegatorId, permission };
};

/**
 * R6, R7, R13: the steps of opting in or out of ringing for delegation `delegationId`, the same for
 * both (opting in when in is a no-op): the delegation, active, and its delegate holding `optInOut`.
 * The decider decides with it, so the seat's diagnosis of the toggle is the api's answer.
 */
export const explainOptInOrOut = (state: ActiveAccount, actor: string, delegationId: string): Verdict => {
  const delegation = state.delegations.get(delegationId);
  if (!delegation)
    return refusal('DELEGATION_NOT_FOUND', 'R7', { case: 'unknown', delegation: delegationId });
  return notActive(delegation) ?? delegateCannotExercise(state, actor, delegation, 'optInOut') ?? ALLOWED;
};

export const optInOrOut: DecideWithAuthority<C.OptIn | C.OptOut> = (command, state, { now }) => {
  check(explainOptInOrOut(state, command.actor, command.delegationId));
  // The explained steps found the delegation, active, and its delegate exercising optInOut.
  const delegation = state.delegations.get(command.delegationId)!;
  const authority: Authority = { onBehalfOf: delegation.delegatorId, permission: 'optInOut' };
  const optIn = command.type === 'OptIn';
  if (delegation.optedIn === optIn) return decidedOn(authority);
  const data = { ...delegationRef(delegation), by: command.actor, at: now };
  return decidedOn(authority, optIn ? { type: 'DelegateOptedIn', data } : { type: 'DelegateOptedOut', data });
};

export const setDelegateBusinessHours: DecideWithAuthority<C.SetDelegateBusinessHours> = (
  command,
  state,
  { now },
) => {
  const delegation = delegationOf(state, command.delegationId);
  requireActive(delegation);
  const authority = delegateExercising(state, command.actor, delegation, 'overrideBusinessHours');
  checkBusinessHours(command.businessHours);
  if (sameJson(delegation.businessHours, command.businessHours)) return decidedOn(authority);
  return decidedOn(
    authority,
    stamped(command, now, 'DelegateBusinessHoursSet', {
      ...delegationRef(delegation),
      businessHours: command.businessHours,
    }),
  );
};
