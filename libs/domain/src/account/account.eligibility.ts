import type { IneligibilityReason, Permission } from '#events';
import type { RuleId } from '../shared/domain-error.js';
import type { AccountState, Party } from './account.state.js';
import { compareVersions, VIP_PERMISSIONS } from './account.values.js';

/**
 * Why something is unavailable, naming the failing rule (R20). The decider rejects with exactly this
 * code and message, so a diagnostic and a rejection never disagree.
 */
export interface Ineligible {
  readonly ok: false;
  readonly code: IneligibilityReason;
  readonly rule: RuleId;
  /** A sentence telling what to change. */
  readonly message: string;
  readonly kind: 'conflict' | 'unprocessable' | 'not_found';
}

export type Eligibility = { readonly ok: true } | Ineligible;

const ELIGIBLE: Eligibility = { ok: true };

const fail = (
  code: IneligibilityReason,
  rule: RuleId,
  message: string,
  kind: Ineligible['kind'] = 'unprocessable',
): Ineligible => ({ ok: false, code, rule, message, kind });

const SUPPORTED_DESKTOP_PLATFORMS = ['windows', 'macos'];

export const ACCOUNT_NOT_FOUND = fail(
  'ACCOUNT_NOT_FOUND',
  'R1',
  'There is no such account: create it first.',
  'not_found',
);

export const partyNotFound = (partyId: string): Ineligible =>
  fail(
    'PARTY_NOT_FOUND',
    'R1',
    `There is no party "${partyId}" in this account: provision it first.`,
    'not_found',
  );

const findParty = (state: AccountState, partyId: string): Party | Ineligible => {
  if (state.status !== 'active') return ACCOUNT_NOT_FOUND;
  return state.parties.get(partyId) ?? partyNotFound(partyId);
};

const isFailure = (value: Party | Ineligible): value is Ineligible => 'ok' in value && value.ok === false;

/** R1–R3: may this party take part in delegation at all (as delegator or delegate)? */
export const explainDelegationEligibility = (state: AccountState, partyId: string): Eligibility => {
  const party = findParty(state, partyId);
  if (isFailure(party)) return party;
  if (party.callingPlan === 'none')
    return fail(
      'NO_CALLING_PLAN',
      'R2',
      `${party.name} (${party.id}) has no calling plan: assign a metered, unlimited or pro plan to take part in delegation.`,
    );
  if (state.status === 'active' && !state.policy.delegationEnabled)
    return fail(
      'DELEGATION_DISABLED_FOR_ACCOUNT',
      'R3',
      'Call delegation is disabled for this account: an admin must enable it in the account policy.',
    );
  if (!party.delegationEnabled)
    return fail(
      'DELEGATION_DISABLED_FOR_USER',
      'R3',
      party.delegationLocked
        ? `Call delegation is disabled and locked for ${party.id}: an admin must unlock and enable it.`
        : `Call delegation is disabled for ${party.id}: enable it for this user.`,
    );
  return ELIGIBLE;
};

/** R4: can this party use the Assistant panel (a phone user with a supported, recent desktop client)? */
export const explainAssistantEligibility = (state: AccountState, partyId: string): Eligibility => {
  const party = findParty(state, partyId);
  if (isFailure(party)) return party;
  if (party.kind !== 'phoneUser')
    return fail(
      'ASSISTANT_NOT_AVAILABLE',
      'R4',
      `${party.id} is a common-area phone, which has no desktop client: an admin acts for it instead.`,
    );
  if (!party.assistantEnabled)
    return fail(
      'ASSISTANT_DISABLED',
      'R4',
      `The Assistant is disabled for ${party.id}: an admin must enable it.`,
    );
  if (!party.desktopClient)
    return fail(
      'DESKTOP_CLIENT_MISSING',
      'R4',
      `${party.id} has no desktop client: install the Windows or macOS desktop app and sign in.`,
    );
  if (!SUPPORTED_DESKTOP_PLATFORMS.includes(party.desktopClient.platform))
    return fail(
      'DESKTOP_CLIENT_UNSUPPORTED',
      'R4',
      `${party.id} uses the ${party.desktopClient.platform} client, which has no Assistant panel: use the Windows or macOS desktop app.`,
    );
  const minimum = state.status === 'active' ? state.policy.assistantMinimumVersion : '0';
  if (compareVersions(party.desktopClient.version, minimum) < 0)
    return fail(
      'DESKTOP_CLIENT_OUTDATED',
      'R4',
      `${party.id} runs desktop client ${party.desktopClient.version}, older than the required ${minimum}: update the desktop app.`,
    );
  return ELIGIBLE;
};

/**
 * R2–R4: may this party act as a delegate? A phone-user delegate handles the delegator's calls in the
 * Assistant panel, so R4 applies to it; a common-area phone is a desk phone and needs no panel.
 */
export const explainDelegateEligibility = (state: AccountState, partyId: string): Eligibility => {
  const eligibility = explainDelegationEligibility(state, partyId);
  if (!eligibility.ok) return eligibility;
  const party = findParty(state, partyId);
  return !isFailure(party) && party.kind === 'phoneUser'
    ? explainAssistantEligibility(state, partyId)
    : ELIGIBLE;
};

/** R5: VIP delegation features of this delegator (VIP permissions, contacts, routing) need its Power Pack. */
export const explainVipEligibility = (state: AccountState, delegatorId: string): Eligibility => {
  const party = findParty(state, delegatorId);
  if (isFailure(party)) return party;
  return party.powerPack
    ? ELIGIBLE
    : fail(
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
): Eligibility => {
  if (state.status !== 'active') return ACCOUNT_NOT_FOUND;
  const delegation = [...state.delegations.values()].find(
    (d) =>
      d.delegatorId === delegatorId &&
      d.delegateId === delegateId &&
      (d.status === 'pending' || d.status === 'active'),
  );
  if (!delegation)
    return fail(
      'DELEGATION_NOT_FOUND',
      'R7',
      `${delegateId} is not a delegate of ${delegatorId}: ${delegatorId} or an admin must invite it.`,
      'not_found',
    );
  if (delegation.status === 'pending')
    return fail(
      'INVITATION_PENDING',
      'R7',
      `${delegateId} has not accepted the invitation ${delegation.id} yet: accept it first.`,
      'conflict',
    );
  const delegator = explainDelegationEligibility(state, delegatorId);
  if (!delegator.ok) return delegator;
  const delegate = explainDelegateEligibility(state, delegateId);
  if (!delegate.ok) return delegate;
  if (!delegation.permissions.includes(permission))
    return fail(
      'PERMISSION_NOT_GRANTED',
      'R6',
      `${delegateId} does not have the ${permission} permission from ${delegatorId}: ${delegatorId} or an admin must grant it.`,
    );
  return VIP_PERMISSIONS.includes(permission) ? explainVipEligibility(state, delegatorId) : ELIGIBLE;
};
