import type { Permission } from '#events';
import { ALLOWED, refusal, type Refusal, type Verdict } from '../shared/domain-error.js';
import type { AccountState, Party } from './account.state.js';
import { compareVersions, VIP_PERMISSIONS } from './account.values.js';

const SUPPORTED_DESKTOP_PLATFORMS = ['windows', 'macos'];

export const ACCOUNT_NOT_FOUND = refusal(
  'ACCOUNT_NOT_FOUND',
  'R1',
  'There is no such account: create it first.',
);

export const partyNotFound = (partyId: string): Refusal =>
  refusal('PARTY_NOT_FOUND', 'R1', `There is no party "${partyId}" in this account: provision it first.`);

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
    `${delegation.delegateId} does not have the ${permission} permission on delegation ${delegation.id}: ` +
      `${delegation.delegatorId} or an admin must grant it.`,
    { permission, party: delegation.delegateId },
  );

/** R1–R3: may this party take part in delegation at all (as delegator or delegate)? */
export const explainDelegationEligibility = (state: AccountState, partyId: string): Verdict => {
  const party = findParty(state, partyId);
  if (isFailure(party)) return party;
  if (party.callingPlan === 'none')
    return refusal(
      'NO_CALLING_PLAN',
      'R2',
      `${party.name} (${party.id}) has no calling plan: assign a metered, unlimited or pro plan to take part in delegation.`,
    );
  if (state.status === 'active' && !state.policy.delegationEnabled)
    return refusal(
      'DELEGATION_DISABLED_FOR_ACCOUNT',
      'R3',
      'Call delegation is disabled for this account: an admin must enable it in the account policy.',
    );
  if (!party.delegationEnabled)
    return refusal(
      'DELEGATION_DISABLED_FOR_USER',
      'R3',
      party.delegationLocked
        ? `Call delegation is disabled and locked for ${party.id}: an admin must unlock and enable it.`
        : `Call delegation is disabled for ${party.id}: enable it for this user.`,
    );
  return ALLOWED;
};

/** R4: can this party use the Assistant panel (a phone user with a supported, recent desktop client)? */
export const explainAssistantEligibility = (state: AccountState, partyId: string): Verdict => {
  const party = findParty(state, partyId);
  if (isFailure(party)) return party;
  if (party.kind !== 'phoneUser')
    return refusal(
      'NOT_A_PHONE_USER',
      'R4',
      `${party.id} is a common-area phone, which has no desktop client: an admin acts for it instead.`,
    );
  if (!party.assistantEnabled)
    return refusal(
      'ASSISTANT_DISABLED',
      'R4',
      `The Assistant is disabled for ${party.id}: an admin must enable it.`,
    );
  if (!party.desktopClient)
    return refusal(
      'DESKTOP_CLIENT_MISSING',
      'R4',
      `${party.id} has no desktop client: install the Windows or macOS desktop app and sign in.`,
    );
  if (!SUPPORTED_DESKTOP_PLATFORMS.includes(party.desktopClient.platform))
    return refusal(
      'DESKTOP_CLIENT_UNSUPPORTED',
      'R4',
      `${party.id} uses the ${party.desktopClient.platform} client, which has no Assistant panel: use the Windows or macOS desktop app.`,
    );
  const minimum = state.status === 'active' ? state.policy.assistantMinimumVersion : '0';
  if (compareVersions(party.desktopClient.version, minimum) < 0)
    return refusal(
      'DESKTOP_CLIENT_OUTDATED',
      'R4',
      `${party.id} runs desktop client ${party.desktopClient.version}, older than the required ${minimum}: update the desktop app.`,
    );
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
  return party.powerPack
    ? ALLOWED
    : refusal(
        'POWER_PACK_REQUIRED',
        'R5',
        `VIP delegation needs the Power Pack add-on: assign it to ${party.id} or drop the VIP feature.`,
      );
};

/**
 * R20 "why is this permission unavailable": the live delegation between the two parties (R7), both
 * parties' eligibility (R2–R4), the permission itself (R6) and, for VIP permissions, the Power Pack (R5).
 */
export const explainPermission = (
  state: AccountState,
  delegatorId: string,
  delegateId: string,
  permission: Permission,
): Verdict => {
  if (state.status !== 'active') return ACCOUNT_NOT_FOUND;
  const delegation = [...state.delegations.values()].find(
    (d) =>
      d.delegatorId === delegatorId &&
      d.delegateId === delegateId &&
      (d.status === 'pending' || d.status === 'active'),
  );
  if (!delegation)
    return refusal(
      'DELEGATION_NOT_FOUND',
      'R7',
      `${delegateId} is not a delegate of ${delegatorId}: ${delegatorId} or an admin must invite it.`,
    );
  if (delegation.status === 'pending')
    return refusal(
      'INVITATION_PENDING',
      'R7',
      `${delegateId} has not accepted the invitation ${delegation.id} yet: accept it first.`,
    );
  const delegator = explainDelegationEligibility(state, delegatorId);
  if (!delegator.ok) return delegator;
  const delegate = explainDelegateEligibility(state, delegateId);
  if (!delegate.ok) return delegate;
  if (!delegation.permissions.includes(permission)) return permissionRequired(delegation, permission);
  return VIP_PERMISSIONS.includes(permission) ? explainVipEligibility(state, delegatorId) : ALLOWED;
};
