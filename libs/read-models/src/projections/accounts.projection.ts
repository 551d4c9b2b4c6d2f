import {
  accountIdOf,
  type AccountPolicy,
  type BusinessHours,
  type CommonAreaPhoneProvisioned,
  type DelegateInvited,
  type DelegationStatus,
  type PartyKind,
  type PhoneUserProvisioned,
  type VipRouting,
} from '#events';
import { DEFAULT_MAX_SPEED_DIALS } from '#domain';
import type { StoredEvent } from '#eventstore';
import { existing, invariant } from '../engine/projection.js';
import { defineProjectionOf } from './catalogue.js';

export interface AccountRow {
  accountId: string;
  name: string;
  /** Kept so the read model rebuilds the domain's account state whole (see `accountStateOf`). */
  admins: string[];
  policy: AccountPolicy;
  parties: string[];
  delegations: string[];
  /** R22: the account setting bounding every party's speed-dial keys. */
  maxSpeedDials: number;
}

/** R22: one speed-dial key of a party. */
export interface SpeedDialRow {
  entryId: string;
  label: string;
  number: string;
  position: number;
}

/** A party as provisioning a phone user describes it (R1, R2, R4, R5), plus where and what it is. */
export interface PartyRow extends Omit<PhoneUserProvisioned['data'], 'by' | 'at'> {
  accountId: string;
  kind: PartyKind;
  businessHours: BusinessHours | null;
  ringTimeoutSeconds: number | null;
  /** R3: delegation switched on for the user, and whether an admin locked the settings. */
  delegationEnabled: boolean;
  delegationLocked: boolean;
  vipContacts: { number: string; name: string }[];
  vipRouting: VipRouting | null;
  /** R22: ordered by position. */
  speedDials: SpeedDialRow[];
  /** R23: names of the party's direct numbers (unnamed numbers are absent). */
  lineNames: { number: string; name: string }[];
}

export interface DelegationChange {
  readonly type: string;
  readonly by: string;
  readonly at: string;
}

/** A delegation as its invitation describes it (R6, R10), then as it has changed since. */
export interface DelegationRow extends Omit<DelegateInvited['data'], 'by' | 'at'> {
  accountId: string;
  status: DelegationStatus;
  optedIn: boolean;
  businessHours: BusinessHours | null;
  invitedAt: string;
  /** Since when the delegation has had its current status. */
  statusSince: string;
  /** Every change, oldest first (R7: every change is an event, and the roster shows them). */
  changes: DelegationChange[];
}

type AccountsState = {
  accounts: Map<string, AccountRow>;
  /** Key `<accountId>/<partyId>`. */
  parties: Map<string, PartyRow>;
  /** Key `<accountId>/<delegationId>`: delegation ids are unique within an account only. */
  delegations: Map<string, DelegationRow>;
};

export const partyKey = (accountId: string, partyId: string): string => `${accountId}/${partyId}`;
export const delegationKey = (accountId: string, delegationId: string): string =>
  `${accountId}/${delegationId}`;

const streamAccountOf = (stored: StoredEvent): string => accountIdOf(stored.stream);

type PartyEvent<Data = unknown> = StoredEvent<{ type: string; data: { partyId: string } & Data }>;
type DelegationEvent<Data = unknown> = StoredEvent<{
  type: string;
  data: { delegationId: string; delegatorId: string; delegateId: string; by: string; at: string } & Data;
}>;
/** The fields of the rows below: known names, so no setting can reach Object.prototype. */
type RowField = keyof PartyRow | keyof DelegationRow;
type SwitchOf<Row> = { [K in keyof Row]: Row[K] extends boolean ? K : never }[keyof Row];

const accountOf = (state: AccountsState, stored: StoredEvent): AccountRow =>
  existing(state.accounts, streamAccountOf(stored), 'account');

const partyOf = (state: AccountsState, stored: PartyEvent) =>
  existing(state.parties, partyKey(streamAccountOf(stored), stored.event.data.partyId), 'party');

const delegationOf = (state: AccountsState, stored: DelegationEvent): DelegationRow => {
  const { data } = stored.event;
  const delegation = existing(
    state.delegations,
    delegationKey(streamAccountOf(stored), data.delegationId),
    'delegation',
  );
  invariant(
    delegation.delegatorId === data.delegatorId && delegation.delegateId === data.delegateId,
    `delegation ${data.delegationId} is between ${delegation.delegatorId} and ${delegation.delegateId}, ` +
      `not ${data.delegatorId} and ${data.delegateId}`,
  );
  delegation.changes.push({ type: stored.event.type, by: data.by, at: data.at });
  return delegation;
};

/**
 * Handlers of the events that set one field of the row they name (a party, a delegation): most
 * settings are stated whole by their event, and an on/off switch by the event's type alone.
 */
const settingsOf = <
  Row extends PartyRow | DelegationRow,
  Event extends StoredEvent<{ type: string; data: object }>,
>(
  rowOf: (state: AccountsState, stored: Event) => Row,
) => ({
  takes:
    <K extends keyof Row & RowField>(field: K) =>
    (state: AccountsState, stored: Event & StoredEvent<{ type: string; data: Pick<Row, K> }>): void => {
      const data: Pick<Row, K> = stored.event.data;
      rowOf(state, stored)[field] = data[field];
    },
  switches:
    <K extends SwitchOf<Row> & RowField>(field: K, on: Row[K] & boolean) =>
    (state: AccountsState, stored: Event): void => {
      rowOf(state, stored)[field] = on;
    },
});
const partySettings = settingsOf(partyOf);
/** A delegation's settings are recorded as changes too (R7): `delegationOf` does that. */
const delegationSettings = settingsOf(delegationOf);

const byPosition = (a: SpeedDialRow, b: SpeedDialRow): number => a.position - b.position;

const speedDialOf = (
  state: AccountsState,
  stored: StoredEvent<{ type: string; data: { ownerId: string; entryId: string } }>,
): SpeedDialRow => {
  const { ownerId, entryId } = stored.event.data;
  const owner = existing(state.parties, partyKey(streamAccountOf(stored), ownerId), 'party');
  const entry = owner.speedDials.find((d) => d.entryId === entryId);
  invariant(entry !== undefined, `speed dial ${entryId} of ${ownerId} does not exist`);
  return entry;
};

const moveTo =
  (status: DelegationStatus, from: readonly DelegationStatus[]) =>
  (state: AccountsState, stored: DelegationEvent): void => {
    const delegation = delegationOf(state, stored);
    invariant(
      from.includes(delegation.status),
      `delegation ${delegation.delegationId} cannot become ${status} from ${delegation.status}`,
    );
    delegation.status = status;
    delegation.statusSince = stored.event.data.at;
  };

/** A new party as its event describes it; what only a phone user has comes apart (`kind` and R4). */
const provision = (
  state: AccountsState,
  stored: StoredEvent<PhoneUserProvisioned | CommonAreaPhoneProvisioned>,
  { kind, assistantEnabled, desktopClient }: Pick<PartyRow, 'kind' | 'assistantEnabled' | 'desktopClient'>,
): void => {
  const { partyId, name, directNumbers, callingPlan, powerPack } = stored.event.data;
  const account = accountOf(state, stored);
  const key = partyKey(account.accountId, partyId);
  invariant(!state.parties.has(key), `party ${partyId} provisioned twice`);
  state.parties.set(key, {
    accountId: account.accountId,
    partyId,
    kind,
    name,
    directNumbers,
    callingPlan,
    powerPack,
    assistantEnabled,
    desktopClient,
    businessHours: null,
    ringTimeoutSeconds: null,
    // The domain enables delegation for a new party; an admin switches it off explicitly (R3).
    delegationEnabled: true,
    delegationLocked: false,
    vipContacts: [],
    vipRouting: null,
    speedDials: [],
    lineNames: [],
  });
  account.parties.push(partyId);
};

/**
 * Accounts, parties and delegations: the delegation roster per delegator and per delegate with status
 * and permissions (R6–R10), and the settings R20's diagnostics check (R2–R5, R13, R19). It also tells
 * which party owns a shared number and who may see a line's inbox (R11, R17). It keeps everything the
 * domain's account state holds, so diagnostics can ask the domain's own eligibility functions.
 */
export const accountsProjection = defineProjectionOf('accounts')({
  name: 'accounts',
  version: 4,
  create: (): AccountsState => ({ accounts: new Map(), parties: new Map(), delegations: new Map() }),
  handlers: {
    AccountCreated: (state, stored) => {
      const accountId = streamAccountOf(stored);
      invariant(!state.accounts.has(accountId), `account ${accountId} created twice`);
      const { data } = stored.event;
      state.accounts.set(accountId, {
        accountId,
        name: data.name,
        admins: data.admins,
        policy: data.policy,
        parties: [],
        delegations: [],
        maxSpeedDials: DEFAULT_MAX_SPEED_DIALS,
      });
    },
    AccountPolicyChanged: (state, stored) => {
      accountOf(state, stored).policy = stored.event.data.policy;
    },
    PhoneUserProvisioned: (state, stored) => {
      const { assistantEnabled, desktopClient } = stored.event.data;
      provision(state, stored, { kind: 'phoneUser', assistantEnabled, desktopClient });
    },
    CommonAreaPhoneProvisioned: (state, stored) =>
      provision(state, stored, { kind: 'commonAreaPhone', assistantEnabled: false, desktopClient: null }),
    PartyDirectNumbersChanged: (state, stored) => {
      const party = partyOf(state, stored);
      const { directNumbers } = stored.event.data;
      party.directNumbers = directNumbers;
      // R23: as in the domain, a number the party gives up takes its name with it.
      party.lineNames = party.lineNames.filter((line) => directNumbers.includes(line.number));
    },
    PartyCallingPlanChanged: partySettings.takes('callingPlan'),
    PartyPowerPackChanged: partySettings.takes('powerPack'),
    PartyAssistantChanged: partySettings.takes('assistantEnabled'),
    PartyDesktopClientChanged: partySettings.takes('desktopClient'),
    BusinessHoursSet: partySettings.takes('businessHours'),
    RingTimeoutChanged: partySettings.takes('ringTimeoutSeconds'),
    DelegationEnabledForUser: partySettings.switches('delegationEnabled', true),
    DelegationDisabledForUser: partySettings.switches('delegationEnabled', false),
    DelegationLockedByAdmin: partySettings.switches('delegationLocked', true),
    DelegationUnlockedByAdmin: partySettings.switches('delegationLocked', false),
    DelegateInvited: (state, stored) => {
      const { data } = stored.event;
      const account = accountOf(state, stored);
      const key = delegationKey(account.accountId, data.delegationId);
      invariant(!state.delegations.has(key), `delegation ${data.delegationId} invited twice`);
      state.delegations.set(key, {
        delegationId: data.delegationId,
        accountId: account.accountId,
        delegatorId: data.delegatorId,
        delegateId: data.delegateId,
        status: 'pending',
        permissions: data.permissions,
        sharedLines: data.sharedLines,
        optedIn: true,
        businessHours: null,
        invitedAt: data.at,
        statusSince: data.at,
        changes: [{ type: stored.event.type, by: data.by, at: data.at }],
      });
      account.delegations.push(data.delegationId);
    },
    DelegationAccepted: moveTo('active', ['pending']),
    DelegationActivatedByPolicy: moveTo('active', ['pending']),
    DelegationDeclined: moveTo('declined', ['pending']),
    DelegationRevoked: moveTo('revoked', ['pending', 'active']),
    DelegationPermissionsChanged: delegationSettings.takes('permissions'),
    DelegationSharedLinesChanged: delegationSettings.takes('sharedLines'),
    DelegateOptedIn: delegationSettings.switches('optedIn', true),
    DelegateOptedOut: delegationSettings.switches('optedIn', false),
    DelegateBusinessHoursSet: delegationSettings.takes('businessHours'),
    VipContactAdded: (state, stored) => {
      const { data } = stored.event;
      const delegator = existing(state.parties, partyKey(streamAccountOf(stored), data.delegatorId), 'party');
      delegator.vipContacts = [
        ...delegator.vipContacts.filter((c) => c.number !== data.number),
        { number: data.number, name: data.name },
      ];
    },
    VipContactRemoved: (state, stored) => {
      const { data } = stored.event;
      const delegator = existing(state.parties, partyKey(streamAccountOf(stored), data.delegatorId), 'party');
      delegator.vipContacts = delegator.vipContacts.filter((c) => c.number !== data.number);
    },
    SpeedDialAdded: (state, stored) => {
      const { ownerId, entryId, label, number, position } = stored.event.data;
      const owner = existing(state.parties, partyKey(streamAccountOf(stored), ownerId), 'party');
      invariant(!owner.speedDials.some((d) => d.entryId === entryId), `speed dial ${entryId} added twice`);
      owner.speedDials = [...owner.speedDials, { entryId, label, number, position }].sort(byPosition);
    },
    SpeedDialRelabelled: (state, stored) => {
      speedDialOf(state, stored).label = stored.event.data.label;
    },
    SpeedDialMoved: (state, stored) => {
      speedDialOf(state, stored).position = stored.event.data.position;
      const owner = existing(
        state.parties,
        partyKey(streamAccountOf(stored), stored.event.data.ownerId),
        'party',
      );
      owner.speedDials = [...owner.speedDials].sort(byPosition);
    },
    SpeedDialRemoved: (state, stored) => {
      const { ownerId, entryId } = stored.event.data;
      speedDialOf(state, stored);
      const owner = existing(state.parties, partyKey(streamAccountOf(stored), ownerId), 'party');
      owner.speedDials = owner.speedDials.filter((d) => d.entryId !== entryId);
    },
    SpeedDialLimitChanged: (state, stored) => {
      accountOf(state, stored).maxSpeedDials = stored.event.data.maxSpeedDials;
    },
    LineNamed: (state, stored) => {
      const { number, name } = stored.event.data;
      const party = partyOf(state, stored);
      const others = party.lineNames.filter((line) => line.number !== number);
      party.lineNames = name === null ? others : [...others, { number, name }];
    },
    VipRoutingChanged: (state, stored) => {
      const { data } = stored.event;
      existing(state.parties, partyKey(streamAccountOf(stored), data.delegatorId), 'party').vipRouting =
        data.routing;
    },
  },
});
