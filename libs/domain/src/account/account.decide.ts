import type { AccountEvent, AccountPolicy, BusinessHours, Permission, VipRouting } from '#events';
import { DomainError, type RuleId } from '../shared/domain-error.js';
import type * as C from './account.commands.js';
import {
  ACCOUNT_NOT_FOUND,
  explainAssistantEligibility,
  explainDelegationEligibility,
  explainPermission,
  explainVipEligibility,
  type Eligibility,
} from './account.eligibility.js';
import {
  delegationBetween,
  isAdmin,
  isLive,
  liveDelegationsHeldBy,
  liveDelegationsOf,
} from './account.queries.js';
import {
  DEFAULT_ACCOUNT_POLICY,
  type AccountState,
  type ActiveAccount,
  type Delegation,
  type Party,
} from './account.state.js';
import {
  businessHoursProblem,
  canonicalPermissions,
  CORE_PERMISSIONS,
  isPermission,
  PHONE_NUMBER_PATTERN,
  VERSION_PATTERN,
  VIP_PERMISSIONS,
} from './account.values.js';

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

type Kind = DomainError['kind'];

function reject(code: string, rule: RuleId, message: string, kind: Kind = 'unprocessable'): never {
  throw new DomainError(code, rule, message, kind);
}

const check = (eligibility: Eligibility): void => {
  if (!eligibility.ok) reject(eligibility.code, eligibility.rule, eligibility.message, eligibility.kind);
};

const activeAccount = (state: AccountState): ActiveAccount =>
  state.status === 'active'
    ? state
    : reject(
        ACCOUNT_NOT_FOUND.code,
        ACCOUNT_NOT_FOUND.rule,
        ACCOUNT_NOT_FOUND.message,
        ACCOUNT_NOT_FOUND.kind,
      );

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

// ── Who may act ──────────────────────────────────────────────────────────────────────────────────

const requireAdmin = (state: ActiveAccount, actor: string, rule: RuleId, what: string): void => {
  if (!isAdmin(state, actor))
    reject(
      'ADMIN_ONLY',
      rule,
      `Only an admin of account ${state.accountId} may ${what}: ask an admin to do it.`,
    );
};

const requireSelfOrAdmin = (
  state: ActiveAccount,
  actor: string,
  partyId: string,
  rule: RuleId,
  what: string,
) => {
  if (actor !== partyId && !isAdmin(state, actor))
    reject('ACTOR_NOT_ALLOWED', rule, `Only ${partyId} or an admin may ${what}.`);
};

// ── Lookups that reject ──────────────────────────────────────────────────────────────────────────

const partyOf = (state: ActiveAccount, partyId: string): Party =>
  state.parties.get(partyId) ??
  reject(
    'PARTY_NOT_FOUND',
    'R1',
    `There is no party "${partyId}" in this account: provision it first.`,
    'not_found',
  );

const delegationOf = (state: ActiveAccount, delegationId: string): Delegation =>
  state.delegations.get(delegationId) ??
  reject(
    'DELEGATION_NOT_FOUND',
    'R7',
    `There is no delegation "${delegationId}" in this account.`,
    'not_found',
  );

const requireLive = (delegation: Delegation): void => {
  if (!isLive(delegation))
    reject(
      'DELEGATION_ALREADY_ENDED',
      'R7',
      `Delegation ${delegation.id} was ${delegation.status}: invite ${delegation.delegateId} again instead.`,
      'conflict',
    );
};

const requireActive = (delegation: Delegation): void => {
  if (delegation.status !== 'active')
    reject(
      'DELEGATION_NOT_ACTIVE',
      'R7',
      `Delegation ${delegation.id} is ${delegation.status}, not active: it must be accepted first.`,
      'conflict',
    );
};

/** R3: an admin lock freezes every delegation setting of the party, whoever asks. */
const requireUnlocked = (...parties: readonly Party[]): void => {
  for (const party of parties)
    if (party.delegationLocked)
      reject(
        'DELEGATION_LOCKED',
        'R3',
        `An admin locked the delegation settings of ${party.id}: ask an admin to unlock them first.`,
      );
};

// ── Value checks ─────────────────────────────────────────────────────────────────────────────────

/** R1: direct numbers of a party: at least one, well-formed, distinct, owned by nobody else. */
const checkDirectNumbers = (state: ActiveAccount, partyId: string, numbers: readonly string[]): void => {
  if (numbers.length === 0)
    reject('NO_DIRECT_NUMBER', 'R1', `${partyId} needs at least one direct number: assign one.`);
  for (const number of numbers) {
    if (!PHONE_NUMBER_PATTERN.test(number))
      reject('INVALID_NUMBER', 'R1', `"${number}" is not an E.164 number: write it as + and 7–15 digits.`);
    const owner = state.numberOwners.get(number);
    if (owner !== undefined && owner !== partyId)
      reject(
        'NUMBER_ALREADY_ASSIGNED',
        'R1',
        `${number} is already a direct number of ${owner}: choose another number or remove it from ${owner} first.`,
        'conflict',
      );
  }
  if (new Set(numbers).size !== numbers.length)
    reject('DUPLICATE_NUMBER', 'R1', `The direct numbers of ${partyId} list a number twice: list each once.`);
};

const checkVersion = (version: string, rule: RuleId): void => {
  if (!VERSION_PATTERN.test(version))
    reject('INVALID_VERSION', rule, `"${version}" is not a version: write it as dotted numbers, e.g. 6.2.1.`);
};

/** R6: a usable, consistent permission set, returned in canonical order. */
const checkPermissions = (permissions: readonly string[]): Permission[] => {
  for (const permission of permissions)
    if (!isPermission(permission))
      reject('UNKNOWN_PERMISSION', 'R6', `"${permission}" is not a delegation permission.`);
  const canonical = canonicalPermissions(permissions as readonly Permission[]);
  if (!canonical.some((permission) => CORE_PERMISSIONS.includes(permission)))
    reject(
      'NO_CORE_PERMISSION',
      'R6',
      'A delegation needs at least one of placeCalls, answerCalls or pickUpHeldCalls: choose one.',
    );
  if (!canonical.includes('answerCalls')) {
    if (canonical.includes('optInOut'))
      reject(
        'OPT_IN_OUT_NEEDS_ANSWER_CALLS',
        'R6',
        'optInOut needs answerCalls: grant answerCalls or drop optInOut.',
      );
    if (canonical.includes('vipOnly'))
      reject(
        'VIP_ONLY_NEEDS_ANSWER_CALLS',
        'R6',
        'vipOnly needs answerCalls: grant answerCalls or drop vipOnly.',
      );
  }
  return canonical;
};

/** R5: VIP permissions, and delegation the account marks as premium, need the delegator's Power Pack. */
const checkPowerPack = (
  state: ActiveAccount,
  delegator: Party,
  delegate: Party,
  permissions: readonly Permission[],
): void => {
  if (permissions.some((permission) => VIP_PERMISSIONS.includes(permission)))
    check(explainVipEligibility(state, delegator.id));
  const involvesCommonArea = delegator.kind === 'commonAreaPhone' || delegate.kind === 'commonAreaPhone';
  if (state.policy.commonAreaDelegationNeedsPowerPack && involvesCommonArea && !delegator.powerPack)
    reject(
      'POWER_PACK_REQUIRED',
      'R5',
      `This account treats delegation with a common-area phone as premium: assign the Power Pack to ${delegator.id}.`,
    );
};

/** R10: shared lines are some of the delegator's own direct numbers, each listed once. */
const checkSharedLines = (delegator: Party, sharedLines: readonly string[]): string[] => {
  if (sharedLines.length === 0)
    reject('NO_SHARED_LINE', 'R10', `Choose at least one of ${delegator.id}'s direct numbers to share.`);
  for (const line of sharedLines)
    if (!delegator.directNumbers.includes(line))
      reject(
        'SHARED_LINE_NOT_OWNED',
        'R10',
        `${line} is not a direct number of ${delegator.id}: share only ${delegator.directNumbers.join(', ')}.`,
      );
  return [...new Set(sharedLines)];
};

const checkBusinessHours = (hours: BusinessHours | null): void => {
  const problem = hours && businessHoursProblem(hours);
  if (problem) reject('INVALID_BUSINESS_HOURS', 'R13', `The business hours are not valid: ${problem}.`);
};

const checkPolicy = (policy: AccountPolicy): void => {
  for (const limit of ['maxDelegatesPerDelegator', 'maxDelegatorsPerDelegate'] as const)
    if (!Number.isInteger(policy[limit]) || policy[limit] < 1)
      reject('INVALID_DELEGATION_LIMIT', 'R8', `${limit} must be a whole number of at least 1.`);
  checkVersion(policy.assistantMinimumVersion, 'R4');
};

// ── Account and parties ──────────────────────────────────────────────────────────────────────────

const createAccount = (command: C.CreateAccount, state: AccountState): AccountEvent[] => {
  if (state.status === 'active')
    reject(
      'ACCOUNT_ALREADY_EXISTS',
      'R1',
      `Account ${state.accountId} already exists: choose another id.`,
      'conflict',
    );
  const policy = { ...DEFAULT_ACCOUNT_POLICY, ...command.policy };
  checkPolicy(policy);
  const admins = [...new Set([command.actor, ...(command.admins ?? [])])];
  return [
    {
      type: 'AccountCreated',
      data: {
        accountId: command.accountId,
        name: command.name,
        admins,
        policy,
        by: command.actor,
        at: command.now,
      },
    },
  ];
};

const changeAccountPolicy = (command: C.ChangeAccountPolicy, state: ActiveAccount): AccountEvent[] => {
  requireAdmin(state, command.actor, 'R3', 'change the account policy');
  const policy = { ...state.policy, ...command.policy };
  checkPolicy(policy);
  if (sameJson(policy, state.policy)) return [];
  const by = { by: command.actor, at: command.now };
  const events: AccountEvent[] = [{ type: 'AccountPolicyChanged', data: { policy, ...by } }];
  // R7: switching admin-enforced activation on applies it to the invitations still waiting.
  if (policy.autoActivateInvitations && !state.policy.autoActivateInvitations)
    for (const delegation of state.delegations.values())
      if (delegation.status === 'pending')
        events.push({ type: 'DelegationActivatedByPolicy', data: { ...delegationRef(delegation), ...by } });
  return events;
};

const provisionPhoneUser = (command: C.ProvisionPhoneUser, state: ActiveAccount): AccountEvent[] => {
  checkNewParty(command, state);
  if (command.desktopClient) checkVersion(command.desktopClient.version, 'R4');
  const { partyId, name, callingPlan, powerPack, assistantEnabled, desktopClient } = command;
  return [
    {
      type: 'PhoneUserProvisioned',
      data: {
        partyId,
        name,
        directNumbers: [...command.directNumbers],
        callingPlan,
        powerPack,
        assistantEnabled,
        desktopClient,
        by: command.actor,
        at: command.now,
      },
    },
  ];
};

const provisionCommonAreaPhone = (
  command: C.ProvisionCommonAreaPhone,
  state: ActiveAccount,
): AccountEvent[] => {
  checkNewParty(command, state);
  const { partyId, name, callingPlan, powerPack } = command;
  return [
    {
      type: 'CommonAreaPhoneProvisioned',
      data: {
        partyId,
        name,
        directNumbers: [...command.directNumbers],
        callingPlan,
        powerPack,
        by: command.actor,
        at: command.now,
      },
    },
  ];
};

const checkNewParty = (
  command: C.ProvisionPhoneUser | C.ProvisionCommonAreaPhone,
  state: ActiveAccount,
): void => {
  requireAdmin(state, command.actor, 'R1', 'provision parties');
  if (state.parties.has(command.partyId) || state.admins.includes(command.partyId))
    reject(
      'PARTY_ALREADY_EXISTS',
      'R1',
      `"${command.partyId}" is already taken in this account: choose another party id.`,
      'conflict',
    );
  checkDirectNumbers(state, command.partyId, command.directNumbers);
};

const changeDirectNumbers = (command: C.ChangeDirectNumbers, state: ActiveAccount): AccountEvent[] => {
  requireAdmin(state, command.actor, 'R1', 'change direct numbers');
  const party = partyOf(state, command.partyId);
  checkDirectNumbers(state, party.id, command.directNumbers);
  for (const number of party.directNumbers) {
    if (command.directNumbers.includes(number)) continue;
    const sharing = [...state.delegations.values()].find((d) => isLive(d) && d.sharedLines.includes(number));
    if (sharing)
      reject(
        'NUMBER_SHARED_BY_DELEGATION',
        'R10',
        `${number} is shared with ${sharing.delegateId} by delegation ${sharing.id}: stop sharing it first.`,
        'conflict',
      );
  }
  if (sameJson(command.directNumbers, party.directNumbers)) return [];
  return [
    {
      type: 'PartyDirectNumbersChanged',
      data: {
        partyId: party.id,
        directNumbers: [...command.directNumbers],
        by: command.actor,
        at: command.now,
      },
    },
  ];
};

const changeCallingPlan = (command: C.ChangeCallingPlan, state: ActiveAccount): AccountEvent[] => {
  requireAdmin(state, command.actor, 'R2', 'change calling plans');
  const party = partyOf(state, command.partyId);
  if (party.callingPlan === command.callingPlan) return [];
  return [
    {
      type: 'PartyCallingPlanChanged',
      data: { partyId: party.id, callingPlan: command.callingPlan, by: command.actor, at: command.now },
    },
  ];
};

const changePowerPack = (command: C.ChangePowerPack, state: ActiveAccount): AccountEvent[] => {
  requireAdmin(state, command.actor, 'R5', 'assign or remove the Power Pack');
  const party = partyOf(state, command.partyId);
  if (party.powerPack === command.powerPack) return [];
  return [
    {
      type: 'PartyPowerPackChanged',
      data: { partyId: party.id, powerPack: command.powerPack, by: command.actor, at: command.now },
    },
  ];
};

const phoneUserOf = (state: ActiveAccount, partyId: string) => {
  const party = partyOf(state, partyId);
  return party.kind === 'phoneUser'
    ? party
    : reject(
        'NOT_A_PHONE_USER',
        'R4',
        `${party.id} is a common-area phone: the Assistant and desktop clients belong to phone users.`,
      );
};

const changeAssistant = (command: C.ChangeAssistant, state: ActiveAccount): AccountEvent[] => {
  requireAdmin(state, command.actor, 'R4', 'enable or disable the Assistant');
  const party = phoneUserOf(state, command.partyId);
  if (party.assistantEnabled === command.assistantEnabled) return [];
  return [
    {
      type: 'PartyAssistantChanged',
      data: {
        partyId: party.id,
        assistantEnabled: command.assistantEnabled,
        by: command.actor,
        at: command.now,
      },
    },
  ];
};

const reportDesktopClient = (command: C.ReportDesktopClient, state: ActiveAccount): AccountEvent[] => {
  requireSelfOrAdmin(
    state,
    command.actor,
    command.partyId,
    'R4',
    `report the desktop client of ${command.partyId}`,
  );
  const party = phoneUserOf(state, command.partyId);
  checkVersion(command.desktopClient.version, 'R4');
  if (sameJson(party.desktopClient, command.desktopClient)) return [];
  return [
    {
      type: 'PartyDesktopClientChanged',
      data: {
        partyId: party.id,
        desktopClient: { platform: command.desktopClient.platform, version: command.desktopClient.version },
        by: command.actor,
        at: command.now,
      },
    },
  ];
};

const setBusinessHours = (command: C.SetBusinessHours, state: ActiveAccount): AccountEvent[] => {
  requireSelfOrAdmin(
    state,
    command.actor,
    command.partyId,
    'R13',
    `set the business hours of ${command.partyId}`,
  );
  const party = partyOf(state, command.partyId);
  checkBusinessHours(command.businessHours);
  if (sameJson(party.businessHours, command.businessHours)) return [];
  return [
    {
      type: 'BusinessHoursSet',
      data: { partyId: party.id, businessHours: command.businessHours, by: command.actor, at: command.now },
    },
  ];
};

const MIN_RING_TIMEOUT_SECONDS = 5;
const MAX_RING_TIMEOUT_SECONDS = 300;

const changeRingTimeout = (command: C.ChangeRingTimeout, state: ActiveAccount): AccountEvent[] => {
  requireSelfOrAdmin(
    state,
    command.actor,
    command.partyId,
    'R14',
    `change the ring timeout of ${command.partyId}`,
  );
  const party = partyOf(state, command.partyId);
  const seconds = command.ringTimeoutSeconds;
  if (!Number.isInteger(seconds) || seconds < MIN_RING_TIMEOUT_SECONDS || seconds > MAX_RING_TIMEOUT_SECONDS)
    reject(
      'INVALID_RING_TIMEOUT',
      'R14',
      `The ring timeout must be a whole number of seconds from ${MIN_RING_TIMEOUT_SECONDS} to ${MAX_RING_TIMEOUT_SECONDS}.`,
    );
  if (party.ringTimeoutSeconds === seconds) return [];
  return [
    {
      type: 'RingTimeoutChanged',
      data: { partyId: party.id, ringTimeoutSeconds: seconds, by: command.actor, at: command.now },
    },
  ];
};

// ── Per-user delegation settings (R3) ────────────────────────────────────────────────────────────

const setUserDelegation = (
  command: C.EnableDelegationForUser | C.DisableDelegationForUser,
  state: ActiveAccount,
): AccountEvent[] => {
  const enable = command.type === 'EnableDelegationForUser';
  requireSelfOrAdmin(
    state,
    command.actor,
    command.partyId,
    'R3',
    `change the delegation setting of ${command.partyId}`,
  );
  const party = partyOf(state, command.partyId);
  requireUnlocked(party);
  if (party.delegationEnabled === enable) return [];
  const data = { partyId: party.id, by: command.actor, at: command.now };
  return [enable ? { type: 'DelegationEnabledForUser', data } : { type: 'DelegationDisabledForUser', data }];
};

const lockDelegation = (command: C.LockDelegation, state: ActiveAccount): AccountEvent[] => {
  requireAdmin(state, command.actor, 'R3', 'lock delegation settings');
  const party = partyOf(state, command.partyId);
  if (party.delegationLocked) return [];
  // A lock would freeze the invitation half-way: nobody could accept, decline or revoke it any more.
  const pending = [...state.delegations.values()].find(
    (d) => d.status === 'pending' && (d.delegatorId === party.id || d.delegateId === party.id),
  );
  if (pending)
    reject(
      'PENDING_INVITATION_BLOCKS_LOCK',
      'R3',
      `Invitation ${pending.id} (${pending.delegatorId} → ${pending.delegateId}) is pending: accept, decline or revoke it before locking ${party.id}.`,
      'conflict',
    );
  return [
    { type: 'DelegationLockedByAdmin', data: { partyId: party.id, by: command.actor, at: command.now } },
  ];
};

const unlockDelegation = (command: C.UnlockDelegation, state: ActiveAccount): AccountEvent[] => {
  requireAdmin(state, command.actor, 'R3', 'unlock delegation settings');
  const party = partyOf(state, command.partyId);
  if (!party.delegationLocked) return [];
  return [
    { type: 'DelegationUnlockedByAdmin', data: { partyId: party.id, by: command.actor, at: command.now } },
  ];
};

// ── Delegations ──────────────────────────────────────────────────────────────────────────────────

const delegationRef = (delegation: Delegation) => ({
  delegationId: delegation.id,
  delegatorId: delegation.delegatorId,
  delegateId: delegation.delegateId,
});

const inviteDelegate = (command: C.InviteDelegate, state: ActiveAccount): AccountEvent[] => {
  const { delegationId, delegatorId, delegateId } = command;
  requireSelfOrAdmin(state, command.actor, delegatorId, 'R7', `invite delegates for ${delegatorId}`);
  if (state.delegations.has(delegationId))
    reject(
      'DELEGATION_ID_TAKEN',
      'R7',
      `Delegation id ${delegationId} is already used: choose another.`,
      'conflict',
    );
  const delegator = partyOf(state, delegatorId);
  const delegate = partyOf(state, delegateId);
  if (delegatorId === delegateId)
    reject('SELF_DELEGATION', 'R9', `${delegatorId} cannot delegate to itself: choose another delegate.`);
  check(explainDelegationEligibility(state, delegatorId));
  check(explainDelegationEligibility(state, delegateId));
  requireUnlocked(delegator, delegate);
  const permissions = checkPermissions(command.permissions);
  checkPowerPack(state, delegator, delegate, permissions);
  const sharedLines = checkSharedLines(delegator, command.sharedLines);

  const existing = delegationBetween(state, delegatorId, delegateId);
  if (existing)
    reject(
      'DELEGATION_ALREADY_EXISTS',
      'R9',
      `${delegateId} already has a ${existing.status} delegation ${existing.id} from ${delegatorId}: change that one instead.`,
      'conflict',
    );
  const { maxDelegatesPerDelegator, maxDelegatorsPerDelegate } = state.policy;
  if (liveDelegationsOf(state, delegatorId).length >= maxDelegatesPerDelegator)
    reject(
      'DELEGATE_LIMIT_REACHED',
      'R8',
      `${delegatorId} already has ${maxDelegatesPerDelegator} delegates (pending or active), the account limit: revoke one or ask an admin to raise maxDelegatesPerDelegator.`,
      'conflict',
    );
  if (liveDelegationsHeldBy(state, delegateId).length >= maxDelegatorsPerDelegate)
    reject(
      'DELEGATOR_LIMIT_REACHED',
      'R8',
      `${delegateId} is already a delegate of ${maxDelegatorsPerDelegate} delegators (pending or active), the account limit: end one of those delegations or ask an admin to raise maxDelegatorsPerDelegate.`,
      'conflict',
    );

  const ref = { delegationId, delegatorId, delegateId, by: command.actor, at: command.now };
  const events: AccountEvent[] = [{ type: 'DelegateInvited', data: { ...ref, permissions, sharedLines } }];
  if (state.policy.autoActivateInvitations) events.push({ type: 'DelegationActivatedByPolicy', data: ref });
  return events;
};

/**
 * R7: only the invitee answers an invitation. A common-area phone has nobody signed in to answer, so
 * an admin answers for it (the admin portal is where common-area phones are managed).
 */
const requireInvitee = (state: ActiveAccount, actor: string, delegation: Delegation, what: string): Party => {
  const delegate = partyOf(state, delegation.delegateId);
  const allowed = actor === delegate.id || (delegate.kind === 'commonAreaPhone' && isAdmin(state, actor));
  if (!allowed)
    reject(
      'ACTOR_NOT_ALLOWED',
      'R7',
      delegate.kind === 'commonAreaPhone'
        ? `Only an admin may ${what} invitation ${delegation.id} for the common-area phone ${delegate.id}.`
        : `Only the invitee ${delegate.id} may ${what} invitation ${delegation.id}.`,
    );
  return delegate;
};

const requirePending = (delegation: Delegation): void => {
  if (delegation.status !== 'pending')
    reject(
      'INVITATION_NOT_PENDING',
      'R7',
      delegation.status === 'active'
        ? `Invitation ${delegation.id} was already accepted: nothing to answer.`
        : `Invitation ${delegation.id} was ${delegation.status}: ${delegation.delegatorId} must invite again.`,
      'conflict',
    );
};

const acceptInvitation = (command: C.AcceptInvitation, state: ActiveAccount): AccountEvent[] => {
  const delegation = delegationOf(state, command.delegationId);
  const delegate = requireInvitee(state, command.actor, delegation, 'accept');
  requirePending(delegation);
  check(explainDelegationEligibility(state, delegation.delegatorId));
  check(explainDelegationEligibility(state, delegate.id));
  // R4: the invitation is answered and the delegation then worked in the Assistant panel, so a phone
  // user accepts only once its panel works; a common-area phone (accepted by an admin) has no panel.
  if (delegate.kind === 'phoneUser') check(explainAssistantEligibility(state, delegate.id));
  return [
    {
      type: 'DelegationAccepted',
      data: { ...delegationRef(delegation), by: command.actor, at: command.now },
    },
  ];
};

const declineInvitation = (command: C.DeclineInvitation, state: ActiveAccount): AccountEvent[] => {
  const delegation = delegationOf(state, command.delegationId);
  requireInvitee(state, command.actor, delegation, 'decline');
  requirePending(delegation);
  return [
    {
      type: 'DelegationDeclined',
      data: { ...delegationRef(delegation), by: command.actor, at: command.now },
    },
  ];
};

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

const revokeDelegation = (command: C.RevokeDelegation, state: ActiveAccount): AccountEvent[] => {
  const { delegation } = managedDelegation(state, command.actor, command.delegationId, 'revoke');
  return [
    { type: 'DelegationRevoked', data: { ...delegationRef(delegation), by: command.actor, at: command.now } },
  ];
};

const changeDelegationPermissions = (
  command: C.ChangeDelegationPermissions,
  state: ActiveAccount,
): AccountEvent[] => {
  const { delegation, delegator, delegate } = managedDelegation(
    state,
    command.actor,
    command.delegationId,
    'change the permissions of',
  );
  const permissions = checkPermissions(command.permissions);
  checkPowerPack(state, delegator, delegate, permissions);
  if (sameJson(permissions, delegation.permissions)) return [];
  const ref = { ...delegationRef(delegation), by: command.actor, at: command.now };
  const events: AccountEvent[] = [{ type: 'DelegationPermissionsChanged', data: { ...ref, permissions } }];
  // Without the permission the delegate could not undo its own opt-out or hours any more: reset them.
  if (!permissions.includes('optInOut') && !delegation.optedIn)
    events.push({ type: 'DelegateOptedIn', data: ref });
  if (!permissions.includes('overrideBusinessHours') && delegation.businessHours)
    events.push({ type: 'DelegateBusinessHoursSet', data: { ...ref, businessHours: null } });
  return events;
};

const changeSharedLines = (command: C.ChangeSharedLines, state: ActiveAccount): AccountEvent[] => {
  const { delegation, delegator } = managedDelegation(
    state,
    command.actor,
    command.delegationId,
    'change the shared lines of',
  );
  const sharedLines = checkSharedLines(delegator, command.sharedLines);
  if (sameJson(sharedLines, delegation.sharedLines)) return [];
  return [
    {
      type: 'DelegationSharedLinesChanged',
      data: { ...delegationRef(delegation), sharedLines, by: command.actor, at: command.now },
    },
  ];
};

/** R6: the delegate itself, exercising a permission of its delegation. */
const delegateExercising = (
  state: ActiveAccount,
  actor: string,
  delegation: Delegation,
  permission: Permission,
): void => {
  if (actor !== delegation.delegateId)
    reject(
      'ACTOR_NOT_ALLOWED',
      'R7',
      `Only the delegate ${delegation.delegateId} may do this on delegation ${delegation.id}.`,
    );
  if (!delegation.permissions.includes(permission))
    reject(
      'PERMISSION_NOT_GRANTED',
      'R6',
      `${delegation.delegateId} does not have the ${permission} permission on delegation ${delegation.id}: ${delegation.delegatorId} or an admin must grant it.`,
    );
  // R4: these are Assistant panel toggles for a phone user.
  if (partyOf(state, delegation.delegateId).kind === 'phoneUser')
    check(explainAssistantEligibility(state, delegation.delegateId));
};

const optInOrOut = (command: C.OptIn | C.OptOut, state: ActiveAccount): AccountEvent[] => {
  const optIn = command.type === 'OptIn';
  const delegation = delegationOf(state, command.delegationId);
  requireActive(delegation);
  delegateExercising(state, command.actor, delegation, 'optInOut');
  if (delegation.optedIn === optIn) return [];
  const data = { ...delegationRef(delegation), by: command.actor, at: command.now };
  return [optIn ? { type: 'DelegateOptedIn', data } : { type: 'DelegateOptedOut', data }];
};

const setDelegateBusinessHours = (
  command: C.SetDelegateBusinessHours,
  state: ActiveAccount,
): AccountEvent[] => {
  const delegation = delegationOf(state, command.delegationId);
  requireActive(delegation);
  delegateExercising(state, command.actor, delegation, 'overrideBusinessHours');
  checkBusinessHours(command.businessHours);
  if (sameJson(delegation.businessHours, command.businessHours)) return [];
  return [
    {
      type: 'DelegateBusinessHoursSet',
      data: {
        ...delegationRef(delegation),
        businessHours: command.businessHours,
        by: command.actor,
        at: command.now,
      },
    },
  ];
};

// ── VIP delegation (R5, R19) ─────────────────────────────────────────────────────────────────────

/** R19: the delegator, an admin, or an active delegate with `manageVipContacts` edits the VIP list. */
const requireVipListEditor = (state: ActiveAccount, actor: string, delegatorId: string): void => {
  if (actor === delegatorId || isAdmin(state, actor)) return;
  if (!delegationBetween(state, delegatorId, actor))
    reject(
      'ACTOR_NOT_ALLOWED',
      'R19',
      `Only ${delegatorId}, an admin or a delegate of ${delegatorId} with manageVipContacts may edit its VIP contacts.`,
    );
  check(explainPermission(state, delegatorId, actor, 'manageVipContacts'));
};

const addVipContact = (command: C.AddVipContact, state: ActiveAccount): AccountEvent[] => {
  const delegator = partyOf(state, command.delegatorId);
  requireVipListEditor(state, command.actor, delegator.id);
  check(explainVipEligibility(state, delegator.id));
  if (!PHONE_NUMBER_PATTERN.test(command.number))
    reject(
      'INVALID_NUMBER',
      'R19',
      `"${command.number}" is not an E.164 number: write it as + and 7–15 digits.`,
    );
  if (delegator.vipContacts.get(command.number) === command.name) return [];
  return [
    {
      type: 'VipContactAdded',
      data: {
        delegatorId: delegator.id,
        number: command.number,
        name: command.name,
        by: command.actor,
        at: command.now,
      },
    },
  ];
};

/** Removing needs no Power Pack: cleaning up a dormant list must stay possible after it lapses. */
const removeVipContact = (command: C.RemoveVipContact, state: ActiveAccount): AccountEvent[] => {
  const delegator = partyOf(state, command.delegatorId);
  requireVipListEditor(state, command.actor, delegator.id);
  if (!delegator.vipContacts.has(command.number))
    reject(
      'VIP_CONTACT_NOT_FOUND',
      'R19',
      `${command.number} is not a VIP contact of ${delegator.id}: check the number.`,
      'not_found',
    );
  return [
    {
      type: 'VipContactRemoved',
      data: { delegatorId: delegator.id, number: command.number, by: command.actor, at: command.now },
    },
  ];
};

const MAX_VIP_DELAY_SECONDS = 300;

const changeVipRouting = (command: C.ChangeVipRouting, state: ActiveAccount): AccountEvent[] => {
  const delegator = partyOf(state, command.delegatorId);
  requireSelfOrAdmin(state, command.actor, delegator.id, 'R19', `change the VIP routing of ${delegator.id}`);
  check(explainVipEligibility(state, delegator.id));
  const routing = command.routing;
  if (routing.mode !== 'delegatorOnly' && routing.mode !== 'delegatorFirst')
    reject('INVALID_VIP_ROUTING', 'R19', 'VIP routing mode must be delegatorOnly or delegatorFirst.');
  if (
    routing.mode === 'delegatorFirst' &&
    (!Number.isInteger(routing.delaySeconds) ||
      routing.delaySeconds < 1 ||
      routing.delaySeconds > MAX_VIP_DELAY_SECONDS)
  )
    reject(
      'INVALID_VIP_ROUTING',
      'R19',
      `The delegatorFirst delay must be a whole number of seconds from 1 to ${MAX_VIP_DELAY_SECONDS}.`,
    );
  const canonical: VipRouting =
    routing.mode === 'delegatorOnly'
      ? { mode: routing.mode }
      : { mode: routing.mode, delaySeconds: routing.delaySeconds };
  if (sameJson(canonical, delegator.vipRouting)) return [];
  return [
    {
      type: 'VipRoutingChanged',
      data: { delegatorId: delegator.id, routing: canonical, by: command.actor, at: command.now },
    },
  ];
};

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
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled account command ${JSON.stringify(unhandled)}`);
    }
  }
};
