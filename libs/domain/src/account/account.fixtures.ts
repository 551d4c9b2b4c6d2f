import type { AccountEvent, AccountPolicy, Permission } from '#events';
import { fold, inContext, type Timed } from '../shared/decider.js';
import { specFor } from '../shared/given-when-then.js';
import type * as C from './account.commands.js';
import { accountDecider } from './account.decider.js';
import type { AccountState } from './account.state.js';

/**
 * A small account for account specs: admin `root` runs account `acme`, where Alice, Bob and Carol are
 * phone users with unlimited plans and a current Windows client, and Lobby is a common-area phone.
 * Monday 2026-01-05 09:00 UTC.
 */
export const T0 = '2026-01-05T09:00:00.000Z';
export const ADMIN = 'root';
export const ALICE = 'alice';
export const BOB = 'bob';
export const CAROL = 'carol';
export const LOBBY = 'lobby';
export const STRANGER = 'stranger';

const KNOWN_NUMBERS: Readonly<Record<string, string>> = {
  [ALICE]: '+15550000001',
  [BOB]: '+15550000002',
  [CAROL]: '+15550000003',
  [LOBBY]: '+15550000009',
};

/** A caller Alice may list as a VIP contact (R19). */
export const VIP = '+15557770001';

/** Alice's second direct number, for specs of her two lines (R10, R23). */
export const ALICE_SECOND = '+15550000011';

/** The first direct number of a fixture party; `p<n>` parties get `+1555200<nnnn>`. */
export const numberOf = (partyId: string): string =>
  KNOWN_NUMBERS[partyId] ?? `+1555200${partyId.replace(/\D/g, '').padStart(4, '0')}`;

export const EVERYDAY: Permission[] = ['placeCalls', 'answerCalls', 'pickUpHeldCalls'];

const base = (actor: string) => ({ actor });

export const createAccount = (policy: Partial<AccountPolicy> = {}): C.CreateAccount => ({
  type: 'CreateAccount',
  ...base(ADMIN),
  accountId: 'acme',
  name: 'Acme',
  policy,
});

export const changePolicy = (policy: Partial<AccountPolicy>, actor = ADMIN): C.ChangeAccountPolicy => ({
  type: 'ChangeAccountPolicy',
  ...base(actor),
  policy,
});

/** What an admin provisioning `partyId` gives it unless a spec says otherwise: its number, no Power Pack. */
const provisioned = (partyId: string) => ({
  ...base(ADMIN),
  partyId,
  directNumbers: [numberOf(partyId)],
  powerPack: false,
});

export const provisionUser = (
  partyId: string,
  changes: Partial<Omit<C.ProvisionPhoneUser, 'type'>> = {},
): C.ProvisionPhoneUser => ({
  type: 'ProvisionPhoneUser',
  ...provisioned(partyId),
  name: partyId[0]!.toUpperCase() + partyId.slice(1),
  callingPlan: 'unlimited',
  assistantEnabled: true,
  desktopClient: { platform: 'windows', version: '6.2.0' },
  ...changes,
});

export const provisionCommonArea = (
  partyId: string,
  changes: Partial<Omit<C.ProvisionCommonAreaPhone, 'type'>> = {},
): C.ProvisionCommonAreaPhone => ({
  type: 'ProvisionCommonAreaPhone',
  ...provisioned(partyId),
  name: 'Lobby phone',
  callingPlan: 'metered',
  ...changes,
});

export const invite = (
  delegationId: string,
  delegatorId: string,
  delegateId: string,
  changes: Partial<Omit<C.InviteDelegate, 'type'>> = {},
): C.InviteDelegate => ({
  type: 'InviteDelegate',
  ...base(delegatorId),
  delegationId,
  delegatorId,
  delegateId,
  permissions: EVERYDAY,
  sharedLines: [numberOf(delegatorId)],
  ...changes,
});

/**
 * A command that names only a delegation and who acts on it (accept, decline, revoke, opt in/out): a
 * command that needed more would not be accepted where specs pass these as account commands.
 */
const onDelegation =
  <T extends 'AcceptInvitation' | 'DeclineInvitation' | 'RevokeDelegation' | 'OptIn' | 'OptOut'>(type: T) =>
  (delegationId: string, actor: string) => ({ type, ...base(actor), delegationId });

export const accept = onDelegation('AcceptInvitation');
export const decline = onDelegation('DeclineInvitation');
export const revoke = onDelegation('RevokeDelegation');
export const optIn = onDelegation('OptIn');
export const optOut = onDelegation('OptOut');

/** R13: the delegate's own business hours on a delegation (null: the delegator's again). */
export const setDelegateHours = (
  delegationId: string,
  actor: string,
  businessHours: C.SetDelegateBusinessHours['businessHours'],
): C.SetDelegateBusinessHours => ({
  type: 'SetDelegateBusinessHours',
  ...base(actor),
  delegationId,
  businessHours,
});

export const changePermissions = (
  delegationId: string,
  actor: string,
  permissions: Permission[],
): C.ChangeDelegationPermissions => ({
  type: 'ChangeDelegationPermissions',
  ...base(actor),
  delegationId,
  permissions,
});

export const changeSharedLines = (
  delegationId: string,
  actor: string,
  sharedLines: string[],
): C.ChangeSharedLines => ({ type: 'ChangeSharedLines', ...base(actor), delegationId, sharedLines });

/** An admin's switch on one party's delegation (R3 enable/disable, lock/unlock). */
const onParty =
  <T extends 'EnableDelegationForUser' | 'DisableDelegationForUser' | 'LockDelegation' | 'UnlockDelegation'>(
    type: T,
  ) =>
  (partyId: string, actor = ADMIN) => ({ type, ...base(actor), partyId });

export const enableFor = onParty('EnableDelegationForUser');
export const disableFor = onParty('DisableDelegationForUser');
export const lock = onParty('LockDelegation');
export const unlock = onParty('UnlockDelegation');

/** R1, R10: an admin gives `partyId` these direct numbers in place of its own. */
export const changeDirectNumbers = (partyId: string, directNumbers: string[]): C.ChangeDirectNumbers => ({
  type: 'ChangeDirectNumbers',
  ...base(ADMIN),
  partyId,
  directNumbers,
});

/** R2: an admin changes `partyId`'s calling plan (`'none'` takes it out of delegation). */
export const changeCallingPlan = (
  partyId: string,
  callingPlan: C.ChangeCallingPlan['callingPlan'],
): C.ChangeCallingPlan => ({ type: 'ChangeCallingPlan', ...base(ADMIN), partyId, callingPlan });

export const givePowerPack = (partyId: string, powerPack = true): C.ChangePowerPack => ({
  type: 'ChangePowerPack',
  ...base(ADMIN),
  partyId,
  powerPack,
});

export const changeAssistant = (partyId: string, assistantEnabled: boolean): C.ChangeAssistant => ({
  type: 'ChangeAssistant',
  ...base(ADMIN),
  partyId,
  assistantEnabled,
});

export const addVip = (delegatorId: string, number: string, actor = delegatorId): C.AddVipContact => ({
  type: 'AddVipContact',
  ...base(actor),
  delegatorId,
  number,
  name: 'Important caller',
});

/** R22: a speed-dial key of `ownerId`, added by `actor` (the owner by default). */
export const addSpeedDial = (
  ownerId: string,
  entryId: string,
  changes: Partial<Omit<C.AddSpeedDial, 'type' | 'ownerId' | 'entryId'>> = {},
): C.AddSpeedDial => ({
  type: 'AddSpeedDial',
  ...base(ownerId),
  ownerId,
  entryId,
  label: `Key ${entryId}`,
  number: '+15558880001',
  position: 1,
  ...changes,
});

/** R23: `partyId` (or `actor`) names one of its direct numbers. */
export const nameLine = (
  partyId: string,
  name: string | null,
  number = numberOf(partyId),
  actor = partyId,
): C.NameLine => ({ type: 'NameLine', ...base(actor), partyId, number, name });

/** The everyday account: created, with Alice, Bob, Carol and the Lobby phone provisioned. */
export const ACME: C.AccountCommand[] = [
  createAccount(),
  provisionUser(ALICE),
  provisionUser(BOB),
  provisionUser(CAROL),
  provisionCommonArea(LOBBY),
];

/** The events a sequence of accepted commands produces: "given" histories built from behaviour. */
export const history = (...commands: Timed<C.AccountCommand>[]): AccountEvent[] => extend([], ...commands);

/** `events` followed by what the commands decide on top of them, at T0 unless a command says `at`. */
export const extend = (
  events: readonly AccountEvent[],
  ...commands: Timed<C.AccountCommand>[]
): AccountEvent[] => {
  const extended = [...events];
  for (const timed of commands)
    extended.push(...accountDecider.decide(...decidedAt(timed, stateOf(extended))).events);
  return extended;
};

const decidedAt = (timed: Timed<C.AccountCommand>, state: AccountState) => {
  const [command, context] = inContext(timed, { now: T0 });
  return [command, state, context] as const;
};

export const stateOf = (events: readonly AccountEvent[]): AccountState =>
  fold(accountDecider.evolve, accountDecider.initialState, events);

/** The types of the events a decision emits, e.g. `['DelegateInvited', 'DelegationAccepted']`. */
export const typesOf = (events: readonly AccountEvent[]): string[] => events.map((event) => event.type);

/** The reference an event carries for a delegation, acted on by `by` at T0. */
export const ref = (delegationId: string, delegatorId: string, delegateId: string, by: string) => ({
  delegationId,
  delegatorId,
  delegateId,
  by,
  at: T0,
});

/** Account specs decide at T0 unless a command says `at`: `given(events).when(command).then(events)`. */
export const given = specFor(accountDecider, { now: T0 });

/** The everyday account's events: what the ACME commands decide. */
export const acme: readonly AccountEvent[] = history(...ACME);

/**
 * R2, R3: an invitation needs both of its parties eligible. With `party` (Alice the delegator or Bob
 * the delegate) made ineligible by `change`, Alice's invitation of Bob is refused, naming that party.
 */
export const inviteRefusedFor =
  (change: (partyId: string) => C.AccountCommand, code: string, rule: string) =>
  (party: string): void => {
    const rejection = given(extend(acme, change(party)))
      .when(invite('d1', ALICE, BOB))
      .thenRejects(code, rule);
    expect(rejection.message).toContain(party);
  };
