import type * as C from './account.commands.js';
import {
  checkVersion,
  partyOf,
  reject,
  requireAdmin,
  requireSelfOrAdminOf,
  sameJson,
  stamped,
  type DecideOn,
} from './account.decide.shared.js';
import { isLive } from './account.queries.js';
import type { ActiveAccount } from './account.state.js';
import { PHONE_NUMBER_PATTERN } from './account.values.js';

// Parties and their licences: provisioning and direct numbers (R1), calling plans (R2), the Power Pack
// (R5), the Assistant and the desktop client (R4).

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
      );
  }
  if (new Set(numbers).size !== numbers.length)
    reject('DUPLICATE_NUMBER', 'R1', `The direct numbers of ${partyId} list a number twice: list each once.`);
};

export const provisionPhoneUser: DecideOn<C.ProvisionPhoneUser> = (command, state, { now }) => {
  checkNewParty(command, state);
  if (command.desktopClient) checkVersion(command.desktopClient.version, 'R4');
  const { partyId, name, callingPlan, powerPack, assistantEnabled, desktopClient } = command;
  return [
    stamped(command, now, 'PhoneUserProvisioned', {
      partyId,
      name,
      directNumbers: [...command.directNumbers],
      callingPlan,
      powerPack,
      assistantEnabled,
      desktopClient,
    }),
  ];
};

export const provisionCommonAreaPhone: DecideOn<C.ProvisionCommonAreaPhone> = (command, state, { now }) => {
  checkNewParty(command, state);
  const { partyId, name, callingPlan, powerPack } = command;
  return [
    stamped(command, now, 'CommonAreaPhoneProvisioned', {
      partyId,
      name,
      directNumbers: [...command.directNumbers],
      callingPlan,
      powerPack,
    }),
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
    );
  checkDirectNumbers(state, command.partyId, command.directNumbers);
};

export const changeDirectNumbers: DecideOn<C.ChangeDirectNumbers> = (command, state, { now }) => {
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
      );
  }
  if (sameJson(command.directNumbers, party.directNumbers)) return [];
  return [
    stamped(command, now, 'PartyDirectNumbersChanged', {
      partyId: party.id,
      directNumbers: [...command.directNumbers],
    }),
  ];
};

export const changeCallingPlan: DecideOn<C.ChangeCallingPlan> = (command, state, { now }) => {
  requireAdmin(state, command.actor, 'R2', 'change calling plans');
  const party = partyOf(state, command.partyId);
  if (party.callingPlan === command.callingPlan) return [];
  return [
    stamped(command, now, 'PartyCallingPlanChanged', { partyId: party.id, callingPlan: command.callingPlan }),
  ];
};

export const changePowerPack: DecideOn<C.ChangePowerPack> = (command, state, { now }) => {
  requireAdmin(state, command.actor, 'R5', 'assign or remove the Power Pack');
  const party = partyOf(state, command.partyId);
  if (party.powerPack === command.powerPack) return [];
  return [
    stamped(command, now, 'PartyPowerPackChanged', { partyId: party.id, powerPack: command.powerPack }),
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

export const changeAssistant: DecideOn<C.ChangeAssistant> = (command, state, { now }) => {
  requireAdmin(state, command.actor, 'R4', 'enable or disable the Assistant');
  const party = phoneUserOf(state, command.partyId);
  if (party.assistantEnabled === command.assistantEnabled) return [];
  return [
    stamped(command, now, 'PartyAssistantChanged', {
      partyId: party.id,
      assistantEnabled: command.assistantEnabled,
    }),
  ];
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
