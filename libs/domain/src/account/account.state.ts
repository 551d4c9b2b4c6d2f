import type {
  AccountEvent,
  AccountPolicy,
  BusinessHours,
  CallingPlan,
  DelegationStatus,
  DesktopClient,
  Permission,
  VipRouting,
} from '#events';

interface PartyBase {
  readonly id: string;
  readonly name: string;
  /** R1: one or more, unique in the account. */
  readonly directNumbers: readonly string[];
  readonly callingPlan: CallingPlan;
  readonly powerPack: boolean;
  /** R3: the user-level switch (on when provisioned: the account switch decides by default). */
  readonly delegationEnabled: boolean;
  /** R3: an admin froze this party's delegation settings. */
  readonly delegationLocked: boolean;
  /** R13: hours of the party's own lines; `null` means always open. */
  readonly businessHours: BusinessHours | null;
  /** R14: ring timeout of the party's lines. */
  readonly ringTimeoutSeconds: number;
  /** R19: VIP callers of this party as a delegator, by number. */
  readonly vipContacts: ReadonlyMap<string, string>;
  readonly vipRouting: VipRouting;
  /** R22: the party's speed-dial keys, ordered by position. */
  readonly speedDials: readonly SpeedDial[];
  /** R23: names of the party's direct numbers, by number (unnamed numbers are absent). */
  readonly lineNames: ReadonlyMap<string, string>;
}

/** R22: one speed-dial key. */
export interface SpeedDial {
  readonly entryId: string;
  readonly label: string;
  /** E.164: an internal party's or line's direct number, or an external number. */
  readonly number: string;
  /** 1-based key position, unique in the owner's list. */
  readonly position: number;
}

export interface PhoneUser extends PartyBase {
  readonly kind: 'phoneUser';
  readonly assistantEnabled: boolean;
  readonly desktopClient: DesktopClient | null;
}

/** A desk phone in a shared area: no desktop client, so no Assistant (R4 does not apply). */
export interface CommonAreaPhone extends PartyBase {
  readonly kind: 'commonAreaPhone';
}

export type Party = PhoneUser | CommonAreaPhone;

export interface Delegation {
  readonly id: string;
  readonly delegatorId: string;
  readonly delegateId: string;
  readonly status: DelegationStatus;
  /** Canonical order (as in PERMISSIONS), no duplicates. */
  readonly permissions: readonly Permission[];
  /** R10: the delegator's direct numbers this delegation shares. */
  readonly sharedLines: readonly string[];
  /** R13: only meaningful with `optInOut`; a delegate without it is always opted in. */
  readonly optedIn: boolean;
  /** R13: the delegate's own hours, with `overrideBusinessHours`. */
  readonly businessHours: BusinessHours | null;
}

export type AccountState =
  | { readonly status: 'unknown' }
  | {
      readonly status: 'active';
      readonly accountId: string;
      readonly name: string;
      /** Ids allowed to act as an admin (provisioning, policy, locks). */
      readonly admins: readonly string[];
      readonly policy: AccountPolicy;
      readonly parties: ReadonlyMap<string, Party>;
      /** R1: direct number → owning party id, kept in step with `parties`. */
      readonly numberOwners: ReadonlyMap<string, string>;
      /** Every delegation ever made, by id (declined and revoked ones stay for history and R20). */
      readonly delegations: ReadonlyMap<string, Delegation>;
      /** R22: the account setting limiting each party's speed dials (count and highest position). */
      readonly maxSpeedDials: number;
    };

export type ActiveAccount = Extract<AccountState, { status: 'active' }>;

export const DEFAULT_DELEGATION_LIMIT = 15;
export const DEFAULT_RING_TIMEOUT_SECONDS = 30;
export const DEFAULT_VIP_ROUTING: VipRouting = { mode: 'delegatorOnly' };
/** R22: a desk phone's side car holds a couple of dozen keys; an admin may allow up to the maximum. */
export const DEFAULT_MAX_SPEED_DIALS = 24;
export const MAX_SPEED_DIALS_LIMIT = 100;

export const DEFAULT_ACCOUNT_POLICY: AccountPolicy = {
  delegationEnabled: true,
  autoActivateInvitations: false,
  maxDelegatesPerDelegator: DEFAULT_DELEGATION_LIMIT,
  maxDelegatorsPerDelegate: DEFAULT_DELEGATION_LIMIT,
  assistantMinimumVersion: '6.0.0',
  commonAreaDelegationNeedsPowerPack: false,
};

export const initialAccountState: AccountState = { status: 'unknown' };

const withEntry = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> =>
  new Map(map).set(key, value);

const withoutEntry = <K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> => {
  const copy = new Map(map);
  copy.delete(key);
  return copy;
};

/** What each keyed collection of an active account holds. */
interface Entries {
  readonly parties: Party;
  readonly delegations: Delegation;
}

/** The account with entry `id` of `collection` changed; unchanged when there is no such entry. */
const updateEntry = <C extends keyof Entries>(
  state: ActiveAccount,
  collection: C,
  id: string,
  change: (entry: Entries[C]) => Entries[C],
): ActiveAccount => {
  const collections: { readonly [K in keyof Entries]: ReadonlyMap<string, Entries[K]> } = state;
  const entries = collections[collection];
  const entry = entries.get(id);
  return entry ? { ...state, [collection]: withEntry(entries, id, change(entry)) } : state;
};

const updateParty = (state: ActiveAccount, partyId: string, change: (party: Party) => Party) =>
  updateEntry(state, 'parties', partyId, change);

const updateDelegation = (
  state: ActiveAccount,
  delegationId: string,
  change: (delegation: Delegation) => Delegation,
) => updateEntry(state, 'delegations', delegationId, change);

const addParty = (state: ActiveAccount, party: Party): ActiveAccount => {
  const numberOwners = new Map(state.numberOwners);
  for (const number of party.directNumbers) numberOwners.set(number, party.id);
  return { ...state, parties: withEntry(state.parties, party.id, party), numberOwners };
};

const newParty = (
  id: string,
  name: string,
  directNumbers: readonly string[],
  plan: CallingPlan,
  powerPack: boolean,
) => ({
  id,
  name,
  directNumbers,
  callingPlan: plan,
  powerPack,
  delegationEnabled: true,
  delegationLocked: false,
  businessHours: null,
  ringTimeoutSeconds: DEFAULT_RING_TIMEOUT_SECONDS,
  vipContacts: new Map<string, string>(),
  vipRouting: DEFAULT_VIP_ROUTING,
  speedDials: [] as readonly SpeedDial[],
  lineNames: new Map<string, string>(),
});

const byPosition = (a: SpeedDial, b: SpeedDial): number => a.position - b.position;

const updateSpeedDials = (
  state: ActiveAccount,
  ownerId: string,
  change: (speedDials: readonly SpeedDial[]) => readonly SpeedDial[],
): ActiveAccount =>
  updateParty(state, ownerId, (p) => ({ ...p, speedDials: [...change(p.speedDials)].sort(byPosition) }));

/**
 * Sets fields of a party (of either kind) or of a delegation. Each event names the fields it sets: data
 * from the store may carry fields a foreign writer added, which must never reach the state.
 */
const setOnParty = (state: ActiveAccount, partyId: string, fields: Partial<Omit<PartyBase, 'id'>>) =>
  updateParty(state, partyId, (p) => ({ ...p, ...fields }));
const setOnDelegation = (
  state: ActiveAccount,
  delegationId: string,
  fields: Partial<Omit<Delegation, 'id' | 'delegatorId' | 'delegateId'>>,
) => updateDelegation(state, delegationId, (d) => ({ ...d, ...fields }));

/** R3: each of an admin's per-user switches sets one flag of the party. */
const USER_SWITCHES = {
  DelegationEnabledForUser: { delegationEnabled: true },
  DelegationDisabledForUser: { delegationEnabled: false },
  DelegationLockedByAdmin: { delegationLocked: true },
  DelegationUnlockedByAdmin: { delegationLocked: false },
} as const satisfies Record<string, Partial<PartyBase>>;

/** R7: the status a delegation is in after each answer to it. */
const STATUS_AFTER = {
  DelegationAccepted: 'active',
  DelegationActivatedByPolicy: 'active',
  DelegationDeclined: 'declined',
  DelegationRevoked: 'revoked',
} as const satisfies Record<string, DelegationStatus>;

export const evolveAccount = (state: AccountState, event: AccountEvent): AccountState => {
  if (event.type === 'AccountCreated') {
    const { accountId, name, admins, policy } = event.data;
    return {
      status: 'active',
      accountId,
      name,
      admins,
      policy,
      parties: new Map(),
      numberOwners: new Map(),
      delegations: new Map(),
      maxSpeedDials: DEFAULT_MAX_SPEED_DIALS,
    };
  }
  // Events other than AccountCreated only ever follow it in a stream the decider wrote.
  if (state.status !== 'active') return state;

  switch (event.type) {
    case 'AccountPolicyChanged':
      return { ...state, policy: event.data.policy };
    case 'PhoneUserProvisioned': {
      const { partyId, name, directNumbers, callingPlan, powerPack, assistantEnabled, desktopClient } =
        event.data;
      return addParty(state, {
        ...newParty(partyId, name, directNumbers, callingPlan, powerPack),
        kind: 'phoneUser',
        assistantEnabled,
        desktopClient,
      });
    }
    case 'CommonAreaPhoneProvisioned': {
      const { partyId, name, directNumbers, callingPlan, powerPack } = event.data;
      return addParty(state, {
        ...newParty(partyId, name, directNumbers, callingPlan, powerPack),
        kind: 'commonAreaPhone',
      });
    }
    case 'PartyDirectNumbersChanged': {
      const { partyId, directNumbers } = event.data;
      const party = state.parties.get(partyId);
      if (!party) return state;
      const numberOwners = new Map(state.numberOwners);
      for (const number of party.directNumbers) numberOwners.delete(number);
      for (const number of directNumbers) numberOwners.set(number, partyId);
      // R23: a number the party no longer owns takes its name with it.
      const keepNames = (names: ReadonlyMap<string, string>) =>
        new Map([...names].filter(([number]) => directNumbers.includes(number)));
      return {
        ...updateParty(state, partyId, (p) => ({ ...p, directNumbers, lineNames: keepNames(p.lineNames) })),
        numberOwners,
      };
    }
    case 'PartyCallingPlanChanged':
      return setOnParty(state, event.data.partyId, { callingPlan: event.data.callingPlan });
    case 'PartyPowerPackChanged':
      return setOnParty(state, event.data.partyId, { powerPack: event.data.powerPack });
    case 'PartyAssistantChanged':
      return updateParty(state, event.data.partyId, (p) =>
        p.kind === 'phoneUser' ? { ...p, assistantEnabled: event.data.assistantEnabled } : p,
      );
    case 'PartyDesktopClientChanged':
      return updateParty(state, event.data.partyId, (p) =>
        p.kind === 'phoneUser' ? { ...p, desktopClient: event.data.desktopClient } : p,
      );
    case 'BusinessHoursSet':
      return setOnParty(state, event.data.partyId, { businessHours: event.data.businessHours });
    case 'RingTimeoutChanged':
      return setOnParty(state, event.data.partyId, { ringTimeoutSeconds: event.data.ringTimeoutSeconds });
    case 'DelegationEnabledForUser':
    case 'DelegationDisabledForUser':
    case 'DelegationLockedByAdmin':
    case 'DelegationUnlockedByAdmin':
      return setOnParty(state, event.data.partyId, USER_SWITCHES[event.type]);
    case 'DelegateInvited': {
      const { delegationId, delegatorId, delegateId, permissions, sharedLines } = event.data;
      return {
        ...state,
        delegations: withEntry(state.delegations, delegationId, {
          id: delegationId,
          delegatorId,
          delegateId,
          status: 'pending',
          permissions,
          sharedLines,
          optedIn: true,
          businessHours: null,
        }),
      };
    }
    case 'DelegationAccepted':
    case 'DelegationActivatedByPolicy':
    case 'DelegationDeclined':
    case 'DelegationRevoked':
      return setOnDelegation(state, event.data.delegationId, { status: STATUS_AFTER[event.type] });
    case 'DelegationPermissionsChanged':
      return setOnDelegation(state, event.data.delegationId, { permissions: event.data.permissions });
    case 'DelegationSharedLinesChanged':
      return setOnDelegation(state, event.data.delegationId, { sharedLines: event.data.sharedLines });
    case 'DelegateOptedIn':
    case 'DelegateOptedOut':
      return setOnDelegation(state, event.data.delegationId, { optedIn: event.type === 'DelegateOptedIn' });
    case 'DelegateBusinessHoursSet':
      return setOnDelegation(state, event.data.delegationId, { businessHours: event.data.businessHours });
    case 'VipContactAdded':
      return updateParty(state, event.data.delegatorId, (p) => ({
        ...p,
        vipContacts: withEntry(p.vipContacts, event.data.number, event.data.name),
      }));
    case 'VipContactRemoved':
      return updateParty(state, event.data.delegatorId, (p) => ({
        ...p,
        vipContacts: withoutEntry(p.vipContacts, event.data.number),
      }));
    case 'VipRoutingChanged':
      return setOnParty(state, event.data.delegatorId, { vipRouting: event.data.routing });
    case 'SpeedDialAdded': {
      const { ownerId, entryId, label, number, position } = event.data;
      return updateSpeedDials(state, ownerId, (dials) => [...dials, { entryId, label, number, position }]);
    }
    case 'SpeedDialRelabelled':
      return updateSpeedDials(state, event.data.ownerId, (dials) =>
        dials.map((d) => (d.entryId === event.data.entryId ? { ...d, label: event.data.label } : d)),
      );
    case 'SpeedDialMoved':
      return updateSpeedDials(state, event.data.ownerId, (dials) =>
        dials.map((d) => (d.entryId === event.data.entryId ? { ...d, position: event.data.position } : d)),
      );
    case 'SpeedDialRemoved':
      return updateSpeedDials(state, event.data.ownerId, (dials) =>
        dials.filter((d) => d.entryId !== event.data.entryId),
      );
    case 'SpeedDialLimitChanged':
      return { ...state, maxSpeedDials: event.data.maxSpeedDials };
    case 'LineNamed': {
      const { partyId, number, name } = event.data;
      return updateParty(state, partyId, (p) => ({
        ...p,
        lineNames: name === null ? withoutEntry(p.lineNames, number) : withEntry(p.lineNames, number, name),
      }));
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
};
