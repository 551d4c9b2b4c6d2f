import type { Permission } from '#events';
import { ALLOWED, refusal, type Refusal, type Verdict } from '../shared/domain-error.js';
import { named } from '../shared/named.js';
import { activeDelegationsHeldBy, activeDelegationsOf, delegationBetween } from './account.queries.js';
import type { AccountState, Delegation, Party } from './account.state.js';
import { compareVersions, VIP_PERMISSIONS } from './account.values.js';

const SUPPORTED_DESKTOP_PLATFORMS = ['windows', 'macos'];

export const ACCOUNT_NOT_FOUND = refusal('ACCOUNT_NOT_FOUND', 'R1', {});

export const partyNotFound = (partyId: string): Refusal =>
  refusal('PARTY_NOT_FOUND', 'R1', { party: partyId });

const findParty = (state: AccountState, partyId: string): Party | Refusal => {
  if (state.status !== 'active') return ACCOUNT_NOT_FOUND;
  return state.parties.get(partyId) ?? partyNotFound(partyId);
};

const isFailure = (value: Party | Refusal): value is Refusal => 'ok' in value && value.ok === false;

/** R6: the delegate lacks a permission of its delegation; the same code a line action answers. */
export const permissionRequired = (
  delegation: { readonly id: string; readonly delegatorId: string; readonly delegateId: string },
  permission: Permission,
): Refusal =>
  refusal(
    'PERMISSION_REQUIRED',
    'R6',
    {
      case: 'delegation',
      delegate: delegation.delegateId,
      permission,
      delegation: delegation.id,
      delegator: delegation.delegatorId,
    },
    { permission, party: delegation.delegateId },
  );

/** R1–R3: may this party take part in delegation at all (as delegator or delegate)? */
export const explainDelegationEligibility = (state: AccountState, partyId: string): Verdict => {
  const party = findParty(state, partyId);
  if (isFailure(party)) return party;
  if (party.callingPlan === 'none')
    return refusal('NO_CALLING_PLAN', 'R2', { name: named(party.name), party: party.id });
  if (state.status === 'active' && !state.policy.delegationEnabled)
    return refusal('DELEGATION_DISABLED_FOR_ACCOUNT', 'R3', {});
  if (!party.delegationEnabled)
    return refusal('DELEGATION_DISABLED_FOR_USER', 'R3', {
      case: party.delegationLocked ? 'locked' : 'unlocked',
      party: party.id,
    });
  return ALLOWED;
};

/** R4: can this party use the Assistant panel (a phone user with a supported, recent desktop client)? */
export const explainAssistantEligibility = (state: AccountState, partyId: string): Verdict => {
  const party = findParty(state, partyId);
  if (isFailure(party)) return party;
  if (party.kind !== 'phoneUser')
    return refusal('NOT_A_PHONE_USER', 'R4', { case: 'inPanel', party: party.id });
  if (!party.assistantEnabled) return refusal('ASSISTANT_DISABLED', 'R4', { party: party.id });
  if (!party.desktopClient) return refusal('DESKTOP_CLIENT_MISSING', 'R4', { party: party.id });
  if (!SUPPORTED_DESKTOP_PLATFORMS.includes(party.desktopClient.platform))
    return refusal('DESKTOP_CLIENT_UNSUPPORTED', 'R4', {
      party: party.id,
      platform: party.desktopClient.platform,
    });
  const minimum = state.status === 'active' ? state.policy.assistantMinimumVersion : '0';
  if (compareVersions(party.desktopClient.version, minimum) < 0)
    return refusal('DESKTOP_CLIENT_OUTDATED', 'R4', {
      party: party.id,
      version: party.desktopClient.version,
      minimum,
    });
  return ALLOWED;
};

/**
 * R2–R4: may this party act as a delegate? A phone-user delegate handles the delegator's calls in the
 * Assistant panel, so R4 applies to it; a common-area phone is a desk phone and needs no panel.
 */
export const explainDelegateEligibility = (state: AccountState, partyId: string): Verdict => {
  const eligibility = explainDelegationEligibility(state, partyId);
  if (!eligibility.ok) return eligibility;
  const party = findParty(state, partyId);
  return !isFailure(party) && party.kind === 'phoneUser'
    ? explainAssistantEligibility(state, partyId)
    : ALLOWED;
};

/** R5: VIP delegation features of this delegator (VIP permissions, contacts, routing) need its Power Pack. */
export const explainVipEligibility = (state: AccountState, delegatorId: string): Verdict => {
  const party = findParty(state, delegatorId);
  if (isFailure(party)) return party;
  return party.powerPack ? ALLOWED : refusal('POWER_PACK_REQUIRED', 'R5', { case: 'vip', party: party.id });
};

/**
 * R5: delegation with a common-area phone (as delegator or delegate), where the account marks it
 * premium, needs the delegator's Power Pack: while it is missing, whenever the delegation is made, its
 * invitation accepted or its line used, as the VIP features are off without it.
 */
export const explainCommonAreaPremium = (
  state: AccountState,
  delegatorId: string,
  delegateId: string,
): Verdict => {
  if (state.status !== 'active' || !state.policy.commonAreaDelegationNeedsPowerPack) return ALLOWED;
  const delegator = findParty(state, delegatorId);
  if (isFailure(delegator)) return delegator;
  const delegate = findParty(state, delegateId);
  if (isFailure(delegate)) return delegate;
  const involvesCommonArea = delegator.kind === 'commonAreaPhone' || delegate.kind === 'commonAreaPhone';
  return !involvesCommonArea || delegator.powerPack
    ? ALLOWED
    : refusal('POWER_PACK_REQUIRED', 'R5', { case: 'commonArea', party: delegator.id });
};

/** R5: VIP permissions, and delegation the account marks as premium, need the delegator's Power Pack. */
export const explainDelegationPowerPack = (
  state: AccountState,
  delegatorId: string,
  delegateId: string,
  permissions: readonly Permission[],
): Verdict => {
  if (permissions.some((permission) => VIP_PERMISSIONS.includes(permission))) {
    const vip = explainVipEligibility(state, delegatorId);
    if (!vip.ok) return vip;
  }
  return explainCommonAreaPremium(state, delegatorId, delegateId);
};

/**
 * R7: may this invitation be made active now? What accepting it checks, and what admin-enforced
 * activation (`autoActivateInvitations`) checks before it activates one without an answer: both
 * parties may take part in delegation (R2, R3), a phone-user delegate has its Assistant panel (R4: it
 * works the delegation there), the Power Pack it needs is still there (R5: it may have been taken
 * away, or the account made common-area delegation premium, while the invitation was pending), and
 * its parties are within the limits on active delegations (R8: an admin may have lowered them).
 */
export const explainActivation = (
  state: AccountState,
  invitation: Pick<Delegation, 'delegatorId' | 'delegateId' | 'permissions'>,
): Verdict => {
  const { delegatorId, delegateId, permissions } = invitation;
  const delegator = explainDelegationEligibility(state, delegatorId);
  if (!delegator.ok) return delegator;
  const delegate = explainDelegateEligibility(state, delegateId);
  if (!delegate.ok) return delegate;
  const powerPack = explainDelegationPowerPack(state, delegatorId, delegateId, permissions);
  if (!powerPack.ok) return powerPack;
  return explainActiveLimits(state, delegatorId, delegateId);
};

/**
 * R8 when an invitation becomes active: the invitation was within the limits when it was made (it
 * counted, pending, toward them), so this refuses only after an admin lowered a limit below what the
 * pending and active delegations already take. Active delegations are what the limit then holds to:
 * the invitation is the one that would go past it, so it stays pending (its invitee may still decline
 * it, the delegator revoke it); those already active are never ended by a policy change.
 */
const explainActiveLimits = (state: AccountState, delegatorId: string, delegateId: string): Verdict => {
  if (state.status !== 'active') return ACCOUNT_NOT_FOUND;
  const { maxDelegatesPerDelegator, maxDelegatorsPerDelegate } = state.policy;
  if (activeDelegationsOf(state, delegatorId).length >= maxDelegatesPerDelegator)
    return refusal('DELEGATE_LIMIT_REACHED', 'R8', {
      case: 'activate',
      delegator: delegatorId,
      limit: maxDelegatesPerDelegator,
    });
  if (activeDelegationsHeldBy(state, delegateId).length >= maxDelegatorsPerDelegate)
    return refusal('DELEGATOR_LIMIT_REACHED', 'R8', {
      case: 'activate',
      delegate: delegateId,
      limit: maxDelegatorsPerDelegate,
    });
  return ALLOWED;
};

/**
 * R20 "why is this permission unavailable": the live delegation between the two parties (R7), both
 * parties' eligibility (R2–R4), a premium common-area delegation's Power Pack (R5), the permission
 * itself (R6) and, for VIP permissions, the Power Pack (R5).
 */
export const explainPermission = (
  state: AccountState,
  delegatorId: string,
  delegateId: string,
  permission: Permission,
): Verdict => {
  if (state.status !== 'active') return ACCOUNT_NOT_FOUND;
  const delegation = delegationBetween(state, delegatorId, delegateId);
  if (!delegation)
    return refusal('DELEGATION_NOT_FOUND', 'R7', {
      case: 'between',
      delegate: delegateId,
      delegator: delegatorId,
    });
  if (delegation.status === 'pending')
    return refusal('INVITATION_PENDING', 'R7', { delegate: delegateId, delegation: delegation.id });
  const delegator = explainDelegationEligibility(state, delegatorId);
  if (!delegator.ok) return delegator;
  const delegate = explainDelegateEligibility(state, delegateId);
  if (!delegate.ok) return delegate;
  const premium = explainCommonAreaPremium(state, delegatorId, delegateId);
  if (!premium.ok) return premium;
  if (!delegation.permissions.includes(permission)) return permissionRequired(delegation, permission);
  return VIP_PERMISSIONS.includes(permission) ? explainVipEligibility(state, delegatorId) : ALLOWED;
};
