import type { DomainEvent } from './event.js';

/**
 * Events of an account (stream `account-<accountId>`): its policy and limits, its parties and their
 * licences (R1–R5), per-user delegation settings and admin locks (R3), every delegation's life (R6–R10)
 * the VIP settings of delegators (R19), every party's speed dials (R22) and the names of direct numbers
 * (R23). Case names and field names are the storage format: never
 * rename one, add a new version with an upcaster instead.
 *
 * Conventions shared by every event: `by` is whoever acted (a party id or an admin id of the account),
 * `at` is the simulated time of the decision (R21), so read models and audits need no metadata to say
 * who changed a delegation and when. Delegation events repeat `delegatorId` and `delegateId` so a
 * projection can place them without remembering the invitation.
 */

/** Category of account streams; the id part is a validated account id (SPEC §2). */
export const ACCOUNT_STREAM_CATEGORY = 'account';

// ── Value types ──────────────────────────────────────────────────────────────────────────────────

/** R2: `none` means the party holds no phone licence with a calling plan. */
export type CallingPlan = 'metered' | 'unlimited' | 'pro' | 'none';

export type PartyKind = 'phoneUser' | 'commonAreaPhone';

/** R4: only Windows and macOS desktop clients carry the Assistant panel. */
export type DesktopPlatform = 'windows' | 'macos' | 'linux' | 'web' | 'mobile';

export interface DesktopClient {
  readonly platform: DesktopPlatform;
  /** Dotted numeric version, e.g. `6.2.1`. */
  readonly version: string;
}

/**
 * R6: every permission, in the canonical order events store them in: the first three are the core
 * permissions, the rest optional refinements.
 */
export const PERMISSIONS = [
  'placeCalls',
  'answerCalls',
  'pickUpHeldCalls',
  'joinAndMerge',
  'optInOut',
  'overrideBusinessHours',
  'manageVipContacts',
  'vipOnly',
  /** R22: the delegate may add, relabel, move and remove the delegator's speed dials. */
  'manageSpeedDials',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** R7: pending until accepted (or activated by policy); declined and revoked are final. */
export type DelegationStatus = 'pending' | 'active' | 'declined' | 'revoked';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface WeeklyWindow {
  readonly day: Weekday;
  /** `HH:MM`, 24-hour local time, inclusive. */
  readonly from: string;
  /** `HH:MM`, exclusive; `24:00` for end of day. */
  readonly to: string;
}

/**
 * Weekly opening hours at a fixed offset from UTC (no time-zone database, so deciding stays pure and
 * replays identically).
 */
export interface BusinessHours {
  /** Local time = UTC + this many minutes (e.g. 540 for Tokyo). */
  readonly utcOffsetMinutes: number;
  readonly windows: readonly WeeklyWindow[];
}

/** R19: how a VIP caller is routed; the delay counts from the call's arrival. */
export type VipRouting =
  { readonly mode: 'delegatorOnly' } | { readonly mode: 'delegatorFirst'; readonly delaySeconds: number };

export interface AccountPolicy {
  /** R3: account-level switch for call delegation. */
  readonly delegationEnabled: boolean;
  /** R7: admin-enforced activation, invitations become active without the delegate accepting. */
  readonly autoActivateInvitations: boolean;
  /** R8: pending + active delegations one delegator may have. */
  readonly maxDelegatesPerDelegator: number;
  /** R8: pending + active delegations one delegate may hold. */
  readonly maxDelegatorsPerDelegate: number;
  /** R4: lowest desktop client version whose Assistant panel is supported. */
  readonly assistantMinimumVersion: string;
  /** R5: the account marks delegation involving a common-area phone as premium (Power Pack). */
  readonly commonAreaDelegationNeedsPowerPack: boolean;
}

type By = { by: string; at: string };
type OfParty = By & { partyId: string };
type OfDelegation = By & { delegationId: string; delegatorId: string; delegateId: string };

// ── Account ──────────────────────────────────────────────────────────────────────────────────────

export type AccountCreated = DomainEvent<
  'AccountCreated',
  By & { accountId: string; name: string; admins: string[]; policy: AccountPolicy }
>;
export type AccountPolicyChanged = DomainEvent<'AccountPolicyChanged', By & { policy: AccountPolicy }>;

// ── Parties (R1, R2, R4, R5) ─────────────────────────────────────────────────────────────────────

export type PhoneUserProvisioned = DomainEvent<
  'PhoneUserProvisioned',
  OfParty & {
    name: string;
    directNumbers: string[];
    callingPlan: CallingPlan;
    powerPack: boolean;
    assistantEnabled: boolean;
    desktopClient: DesktopClient | null;
  }
>;
export type CommonAreaPhoneProvisioned = DomainEvent<
  'CommonAreaPhoneProvisioned',
  OfParty & { name: string; directNumbers: string[]; callingPlan: CallingPlan; powerPack: boolean }
>;
export type PartyDirectNumbersChanged = DomainEvent<
  'PartyDirectNumbersChanged',
  OfParty & { directNumbers: string[] }
>;
export type PartyCallingPlanChanged = DomainEvent<
  'PartyCallingPlanChanged',
  OfParty & { callingPlan: CallingPlan }
>;
export type PartyPowerPackChanged = DomainEvent<'PartyPowerPackChanged', OfParty & { powerPack: boolean }>;
export type PartyAssistantChanged = DomainEvent<
  'PartyAssistantChanged',
  OfParty & { assistantEnabled: boolean }
>;
export type PartyDesktopClientChanged = DomainEvent<
  'PartyDesktopClientChanged',
  OfParty & { desktopClient: DesktopClient }
>;
/** Hours of the party's own lines (R13): delegates without `overrideBusinessHours` follow them. */
export type BusinessHoursSet = DomainEvent<
  'BusinessHoursSet',
  OfParty & { businessHours: BusinessHours | null }
>;
/** How long a call to the party's lines rings before it goes to voicemail (R14). */
export type RingTimeoutChanged = DomainEvent<'RingTimeoutChanged', OfParty & { ringTimeoutSeconds: number }>;

// ── Per-user delegation settings (R3) ────────────────────────────────────────────────────────────

export type DelegationEnabledForUser = DomainEvent<'DelegationEnabledForUser', OfParty>;
export type DelegationDisabledForUser = DomainEvent<'DelegationDisabledForUser', OfParty>;
export type DelegationLockedByAdmin = DomainEvent<'DelegationLockedByAdmin', OfParty>;
export type DelegationUnlockedByAdmin = DomainEvent<'DelegationUnlockedByAdmin', OfParty>;

// ── Delegations (R6–R10, R13) ────────────────────────────────────────────────────────────────────

export type DelegateInvited = DomainEvent<
  'DelegateInvited',
  OfDelegation & { permissions: Permission[]; sharedLines: string[] }
>;
export type DelegationAccepted = DomainEvent<'DelegationAccepted', OfDelegation>;
export type DelegationDeclined = DomainEvent<'DelegationDeclined', OfDelegation>;
export type DelegationActivatedByPolicy = DomainEvent<'DelegationActivatedByPolicy', OfDelegation>;
export type DelegationRevoked = DomainEvent<'DelegationRevoked', OfDelegation>;
export type DelegationPermissionsChanged = DomainEvent<
  'DelegationPermissionsChanged',
  OfDelegation & { permissions: Permission[] }
>;
export type DelegationSharedLinesChanged = DomainEvent<
  'DelegationSharedLinesChanged',
  OfDelegation & { sharedLines: string[] }
>;
export type DelegateOptedIn = DomainEvent<'DelegateOptedIn', OfDelegation>;
export type DelegateOptedOut = DomainEvent<'DelegateOptedOut', OfDelegation>;
/** The delegate's own hours for this delegation, used instead of the line's (R13). */
export type DelegateBusinessHoursSet = DomainEvent<
  'DelegateBusinessHoursSet',
  OfDelegation & { businessHours: BusinessHours | null }
>;

// ── VIP delegation (R5, R19) ─────────────────────────────────────────────────────────────────────

export type VipContactAdded = DomainEvent<
  'VipContactAdded',
  By & { delegatorId: string; number: string; name: string }
>;
export type VipContactRemoved = DomainEvent<
  'VipContactRemoved',
  By & { delegatorId: string; number: string }
>;
export type VipRoutingChanged = DomainEvent<
  'VipRoutingChanged',
  By & { delegatorId: string; routing: VipRouting }
>;

// ── Speed dials (R22) ────────────────────────────────────────────────────────────────────────────

type OfSpeedDial = By & { ownerId: string; entryId: string };

/**
 * A speed-dial key of `ownerId` at key `position` (1-based; a desk phone's keys have fixed places, so
 * positions may have gaps). `number` is E.164: a direct number of the account (an internal party or a
 * line, shown with its BLF presence) or an external number.
 */
export type SpeedDialAdded = DomainEvent<
  'SpeedDialAdded',
  OfSpeedDial & { label: string; number: string; position: number }
>;
export type SpeedDialRelabelled = DomainEvent<'SpeedDialRelabelled', OfSpeedDial & { label: string }>;
export type SpeedDialMoved = DomainEvent<
  'SpeedDialMoved',
  OfSpeedDial & { fromPosition: number; position: number }
>;
export type SpeedDialRemoved = DomainEvent<'SpeedDialRemoved', OfSpeedDial>;
/** The account setting: how many speed-dial keys each party may fill (and the highest key position). */
export type SpeedDialLimitChanged = DomainEvent<'SpeedDialLimitChanged', By & { maxSpeedDials: number }>;

// ── Named shared lines (R23) ─────────────────────────────────────────────────────────────────────

/**
 * The owner of direct number `number` (the delegator of its shared line) or an admin names it; `null`
 * clears the name. Read models keep the name each call was placed under: a rename changes what is
 * shown from now on, never history.
 */
export type LineNamed = DomainEvent<'LineNamed', OfParty & { number: string; name: string | null }>;

export type AccountEvent =
  | AccountCreated
  | AccountPolicyChanged
  | PhoneUserProvisioned
  | CommonAreaPhoneProvisioned
  | PartyDirectNumbersChanged
  | PartyCallingPlanChanged
  | PartyPowerPackChanged
  | PartyAssistantChanged
  | PartyDesktopClientChanged
  | BusinessHoursSet
  | RingTimeoutChanged
  | DelegationEnabledForUser
  | DelegationDisabledForUser
  | DelegationLockedByAdmin
  | DelegationUnlockedByAdmin
  | DelegateInvited
  | DelegationAccepted
  | DelegationDeclined
  | DelegationActivatedByPolicy
  | DelegationRevoked
  | DelegationPermissionsChanged
  | DelegationSharedLinesChanged
  | DelegateOptedIn
  | DelegateOptedOut
  | DelegateBusinessHoursSet
  | VipContactAdded
  | VipContactRemoved
  | VipRoutingChanged
  | SpeedDialAdded
  | SpeedDialRelabelled
  | SpeedDialMoved
  | SpeedDialRemoved
  | SpeedDialLimitChanged
  | LineNamed;

export const accountEventSchemaVersions: Record<AccountEvent['type'], number> = {
  AccountCreated: 1,
  AccountPolicyChanged: 1,
  PhoneUserProvisioned: 1,
  CommonAreaPhoneProvisioned: 1,
  PartyDirectNumbersChanged: 1,
  PartyCallingPlanChanged: 1,
  PartyPowerPackChanged: 1,
  PartyAssistantChanged: 1,
  PartyDesktopClientChanged: 1,
  BusinessHoursSet: 1,
  RingTimeoutChanged: 1,
  DelegationEnabledForUser: 1,
  DelegationDisabledForUser: 1,
  DelegationLockedByAdmin: 1,
  DelegationUnlockedByAdmin: 1,
  DelegateInvited: 1,
  DelegationAccepted: 1,
  DelegationDeclined: 1,
  DelegationActivatedByPolicy: 1,
  DelegationRevoked: 1,
  DelegationPermissionsChanged: 1,
  DelegationSharedLinesChanged: 1,
  DelegateOptedIn: 1,
  DelegateOptedOut: 1,
  DelegateBusinessHoursSet: 1,
  VipContactAdded: 1,
  VipContactRemoved: 1,
  VipRoutingChanged: 1,
  SpeedDialAdded: 1,
  SpeedDialRelabelled: 1,
  SpeedDialMoved: 1,
  SpeedDialRemoved: 1,
  SpeedDialLimitChanged: 1,
  LineNamed: 1,
};
