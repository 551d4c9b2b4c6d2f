import type { AccountEvent } from '#events';
import type * as C from './account.commands.js';
import {
  checkVersion,
  partyOf,
  requireAdmin,
  requireSelfOrAdminOf,
  sameJson,
  stamped,
  type DecideOn,
  type StampedFields,
} from './account.decide.shared.js';
import { refuse } from '../shared/domain-error.js';
import { isLive } from './account.queries.js';
import type { ActiveAccount, Party } from './account.state.js';
import { PHONE_NUMBER_PATTERN } from './account.values.js';

// Parties and their licences: provisioning and direct numbers (R1), calling plans (R2), the Power Pack
// (R5), the Assistant and the desktop client (R4).

/** R1: direct numbers of a party: at least one, well-formed, distinct, owned by nobody else. */
const checkDirectNumbers = (state: ActiveAccount, partyId: string, numbers: readonly string[]): void => {
  if (numbers.length === 0) refuse('NO_DIRECT_NUMBER', 'R1', { party: partyId });
  for (const number of numbers) {
    if (!PHONE_NUMBER_PATTERN.test(number)) refuse('INVALID_NUMBER', 'R1', { number });
    const owner = state.numberOwners.get(number);
    if (owner !== undefined && owner !== partyId) refuse('NUMBER_ALREADY_ASSIGNED', 'R1', { number, owner });
  }
  if (new Set(numbers).size !== numbers.length) refuse('DUPLICATE_NUMBER', 'R1', { party: partyId });
};

/**
 * R1: what every new party's event says, once an admin may provision it under its id and numbers; in
 * the order the events have always stored it.
 */
const newParty = (command: C.ProvisionPhoneUser | C.ProvisionCommonAreaPhone, state: ActiveAccount) => {
  requireAdmin(state, command.actor, 'R1', 'provision parties');
  if (state.parties.has(command.partyId) || state.admins.includes(command.partyId))
    refuse('PARTY_ALREADY_EXISTS', 'R1', { party: command.partyId });
  checkDirectNumbers(state, command.partyId, command.directNumbers);
  const { partyId, name, callingPlan, powerPack } = command;
  return { partyId, name, directNumbers: [...command.directNumbers], callingPlan, powerPack };
};

export const provisionPhoneUser: DecideOn<C.ProvisionPhoneUser> = (command, state, { now }) => {
  const party = newParty(command, state);
  if (command.desktopClient) checkVersion(command.desktopClient.version, 'R4');
  const { assistantEnabled, desktopClient } = command;
  return [stamped(command, now, 'PhoneUserProvisioned', { ...party, assistantEnabled, desktopClient })];
};

export const provisionCommonAreaPhone: DecideOn<C.ProvisionCommonAreaPhone> = (command, state, { now }) => [
  stamped(command, now, 'CommonAreaPhoneProvisioned', newParty(command, state)),
];

export const changeDirectNumbers: DecideOn<C.ChangeDirectNumbers> = (command, state, { now }) => {
  requireAdmin(state, command.actor, 'R1', 'change direct numbers');
  const party = partyOf(state, command.partyId);
  checkDirectNumbers(state, party.id, command.directNumbers);
  for (const number of party.directNumbers) {
    if (command.directNumbers.includes(number)) continue;
    const sharing = [...state.delegations.values()].find((d) => isLive(d) && d.sharedLines.includes(number));
    if (sharing)
      refuse('NUMBER_SHARED_BY_DELEGATION', 'R10', {
        number,
        delegate: sharing.delegateId,
        delegation: sharing.id,
      });
  }
  if (sameJson(command.directNumbers, party.directNumbers)) return [];
  return [
    stamped(command, now, 'PartyDirectNumbersChanged', {
      partyId: party.id,
      directNumbers: [...command.directNumbers],
    }),
  ];
};

/** The event that records each licence setting an admin changes on a party (R2, R5, R4). */
const SETTING_CHANGED = {
  callingPlan: 'PartyCallingPlanChanged',
  powerPack: 'PartyPowerPackChanged',
  assistantEnabled: 'PartyAssistantChanged',
} as const;

type LicenceSetting = keyof typeof SETTING_CHANGED;

/**
 * A licence setting of `party` as an admin's command sets it: the event names the party and the new
 * value; setting what is already set decides nothing. (The cast: TypeScript cannot see that the field
 * named `setting` is the one the event of `setting` carries.)
 */
const settingChanged = <K extends LicenceSetting>(
  command: { readonly actor: string } & Readonly<Record<K, unknown>>,
  now: string,
  party: Party & Readonly<Record<K, unknown>>,
  setting: K,
): AccountEvent[] => {
  const value: unknown = command[setting];
  if (party[setting] === value) return [];
  const fields = { partyId: party.id, [setting]: value };
  return [
    stamped(command, now, SETTING_CHANGED[setting], fields as StampedFields<(typeof SETTING_CHANGED)[K]>),
  ];
};

export const changeCallingPlan: DecideOn<C.ChangeCallingPlan> = (command, state, { now }) => {
  requireAdmin(state, command.actor, 'R2', 'change calling plans');
  return settingChanged(command, now, partyOf(state, command.partyId), 'callingPlan');
};

export const changePowerPack: DecideOn<C.ChangePowerPack> = (command, state, { now }) => {
  requireAdmin(state, command.actor, 'R5', 'assign or remove the Power Pack');
  return settingChanged(command, now, partyOf(state, command.partyId), 'powerPack');
};

const phoneUserOf = (state: ActiveAccount, partyId: string) => {
  const party = partyOf(state, partyId);
  return party.kind === 'phoneUser'
    ? party
    : refuse('NOT_A_PHONE_USER', 'R4', { case: 'setting', party: party.id });
};

export const changeAssistant: DecideOn<C.ChangeAssistant> = (command, state, { now }) => {
  requireAdmin(state, command.actor, 'R4', 'enable or disable the Assistant');
  return settingChanged(command, now, phoneUserOf(state, command.partyId), 'assistantEnabled');
};

export const reportDesktopClient: DecideOn<C.ReportDesktopClient> = (command, state, { now }) => {
  requireSelfOrAdminOf(state, command, 'R4', 'report the desktop client');
  const party = phoneUserOf(state, command.partyId);
  checkVersion(command.desktopClient.version, 'R4');
  if (sameJson(party.desktopClient, command.desktopClient)) return [];
  return [
    stamped(command, now, 'PartyDesktopClientChanged', {
      partyId: party.id,
      desktopClient: { platform: command.desktopClient.platform, version: command.desktopClient.version },
    }),
  ];
};
