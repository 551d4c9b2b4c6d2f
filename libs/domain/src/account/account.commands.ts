import type {
  AccountPolicy,
  BusinessHours,
  CallingPlan,
  DesktopClient,
  Permission,
  VipRouting,
} from '#events';

/**
 * Commands on an account. Every command names its `actor`; the time it takes effect is the
 * context's `now` (R21), recorded as the events' `at`.
 *
 * Admins are not a flag on the command but ids listed in the account (set when it is created): the
 * decider checks `actor` against that list, so "acting as an admin" is a fact of the account's own
 * history rather than something a client asserts. Admin ids are plain validated ids like party ids
 * (a prefix such as `admin:` would not survive the API's id pattern) and cannot be reused as parties.
 *
 * Ids of new things (accounts, parties, delegations) come in the command, so deciding never invents
 * one and a resend decides the same.
 */
interface AccountCommandBase<Type extends string> {
  readonly type: Type;
  readonly actor: string;
}

// ── Account (admin) ──────────────────────────────────────────────────────────────────────────────

/** The actor becomes the account's first admin; `admins` adds more. Unset policy fields take defaults. */
export interface CreateAccount extends AccountCommandBase<'CreateAccount'> {
  readonly accountId: string;
  readonly name: string;
  readonly admins?: readonly string[];
  readonly policy?: Partial<AccountPolicy>;
}
/** Changes the given policy fields, keeping the others (R3, R4, R5, R7, R8). */
export interface ChangeAccountPolicy extends AccountCommandBase<'ChangeAccountPolicy'> {
  readonly policy: Partial<AccountPolicy>;
}

// ── Parties (admin, except what a user sets for itself) ──────────────────────────────────────────

export interface ProvisionPhoneUser extends AccountCommandBase<'ProvisionPhoneUser'> {
  readonly partyId: string;
  readonly name: string;
  readonly directNumbers: readonly string[];
  readonly callingPlan: CallingPlan;
  readonly powerPack: boolean;
  readonly assistantEnabled: boolean;
  readonly desktopClient: DesktopClient | null;
}
export interface ProvisionCommonAreaPhone extends AccountCommandBase<'ProvisionCommonAreaPhone'> {
  readonly partyId: string;
  readonly name: string;
  readonly directNumbers: readonly string[];
  readonly callingPlan: CallingPlan;
  readonly powerPack: boolean;
}
export interface ChangeDirectNumbers extends AccountCommandBase<'ChangeDirectNumbers'> {
  readonly partyId: string;
  readonly directNumbers: readonly string[];
}
export interface ChangeCallingPlan extends AccountCommandBase<'ChangeCallingPlan'> {
  readonly partyId: string;
  readonly callingPlan: CallingPlan;
}
export interface ChangePowerPack extends AccountCommandBase<'ChangePowerPack'> {
  readonly partyId: string;
  readonly powerPack: boolean;
}
export interface ChangeAssistant extends AccountCommandBase<'ChangeAssistant'> {
  readonly partyId: string;
  readonly assistantEnabled: boolean;
}
/** The user's desktop client reports what it runs (the user itself or an admin). */
export interface ReportDesktopClient extends AccountCommandBase<'ReportDesktopClient'> {
  readonly partyId: string;
  readonly desktopClient: DesktopClient;
}
/** Hours of the party's own lines (the party itself or an admin); `null` means always open. */
export interface SetBusinessHours extends AccountCommandBase<'SetBusinessHours'> {
  readonly partyId: string;
  readonly businessHours: BusinessHours | null;
}
export interface ChangeRingTimeout extends AccountCommandBase<'ChangeRingTimeout'> {
  readonly partyId: string;
  readonly ringTimeoutSeconds: number;
}

// ── Per-user delegation settings (R3) ────────────────────────────────────────────────────────────

export interface EnableDelegationForUser extends AccountCommandBase<'EnableDelegationForUser'> {
  readonly partyId: string;
}
export interface DisableDelegationForUser extends AccountCommandBase<'DisableDelegationForUser'> {
  readonly partyId: string;
}
export interface LockDelegation extends AccountCommandBase<'LockDelegation'> {
  readonly partyId: string;
}
export interface UnlockDelegation extends AccountCommandBase<'UnlockDelegation'> {
  readonly partyId: string;
}

// ── Delegations (R6–R10) ─────────────────────────────────────────────────────────────────────────

export interface InviteDelegate extends AccountCommandBase<'InviteDelegate'> {
  readonly delegationId: string;
  readonly delegatorId: string;
  readonly delegateId: string;
  readonly permissions: readonly Permission[];
  readonly sharedLines: readonly string[];
}
export interface AcceptInvitation extends AccountCommandBase<'AcceptInvitation'> {
  readonly delegationId: string;
}
export interface DeclineInvitation extends AccountCommandBase<'DeclineInvitation'> {
  readonly delegationId: string;
}
/** Ends a pending or active delegation (withdrawing an invitation is revoking it). */
export interface RevokeDelegation extends AccountCommandBase<'RevokeDelegation'> {
  readonly delegationId: string;
}
export interface ChangeDelegationPermissions extends AccountCommandBase<'ChangeDelegationPermissions'> {
  readonly delegationId: string;
  readonly permissions: readonly Permission[];
}
export interface ChangeSharedLines extends AccountCommandBase<'ChangeSharedLines'> {
  readonly delegationId: string;
  readonly sharedLines: readonly string[];
}
export interface OptIn extends AccountCommandBase<'OptIn'> {
  readonly delegationId: string;
}
export interface OptOut extends AccountCommandBase<'OptOut'> {
  readonly delegationId: string;
}
export interface SetDelegateBusinessHours extends AccountCommandBase<'SetDelegateBusinessHours'> {
  readonly delegationId: string;
  readonly businessHours: BusinessHours | null;
}

// ── VIP delegation (R5, R19) ─────────────────────────────────────────────────────────────────────

export interface AddVipContact extends AccountCommandBase<'AddVipContact'> {
  readonly delegatorId: string;
  readonly number: string;
  readonly name: string;
}
export interface RemoveVipContact extends AccountCommandBase<'RemoveVipContact'> {
  readonly delegatorId: string;
  readonly number: string;
}
export interface ChangeVipRouting extends AccountCommandBase<'ChangeVipRouting'> {
  readonly delegatorId: string;
  readonly routing: VipRouting;
}

// ── Speed dials (R22) ────────────────────────────────────────────────────────────────────────────

/** Edits of `ownerId`'s list: by the owner, an admin, or a delegate with `manageSpeedDials`. */
interface SpeedDialCommand<Type extends string> extends AccountCommandBase<Type> {
  readonly ownerId: string;
  readonly entryId: string;
}
export interface AddSpeedDial extends SpeedDialCommand<'AddSpeedDial'> {
  readonly label: string;
  readonly number: string;
  readonly position: number;
}
export interface RelabelSpeedDial extends SpeedDialCommand<'RelabelSpeedDial'> {
  readonly label: string;
}
export interface MoveSpeedDial extends SpeedDialCommand<'MoveSpeedDial'> {
  readonly position: number;
}
export type RemoveSpeedDial = SpeedDialCommand<'RemoveSpeedDial'>;
/** The account setting (admin): at most this many keys per party, at positions 1…limit. */
export interface ChangeSpeedDialLimit extends AccountCommandBase<'ChangeSpeedDialLimit'> {
  readonly maxSpeedDials: number;
}

// ── Named shared lines (R23) ─────────────────────────────────────────────────────────────────────

/** The owner of the number or an admin names it; `null` clears the name. */
export interface NameLine extends AccountCommandBase<'NameLine'> {
  readonly partyId: string;
  readonly number: string;
  readonly name: string | null;
}

export type AccountCommand =
  | CreateAccount
  | ChangeAccountPolicy
  | ProvisionPhoneUser
  | ProvisionCommonAreaPhone
  | ChangeDirectNumbers
  | ChangeCallingPlan
  | ChangePowerPack
  | ChangeAssistant
  | ReportDesktopClient
  | SetBusinessHours
  | ChangeRingTimeout
  | EnableDelegationForUser
  | DisableDelegationForUser
  | LockDelegation
  | UnlockDelegation
  | InviteDelegate
  | AcceptInvitation
  | DeclineInvitation
  | RevokeDelegation
  | ChangeDelegationPermissions
  | ChangeSharedLines
  | OptIn
  | OptOut
  | SetDelegateBusinessHours
  | AddVipContact
  | RemoveVipContact
  | ChangeVipRouting
  | AddSpeedDial
  | RelabelSpeedDial
  | MoveSpeedDial
  | RemoveSpeedDial
  | ChangeSpeedDialLimit
  | NameLine;
