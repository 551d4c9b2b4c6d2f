import {
  DEFAULT_RING_TIMEOUT_SECONDS,
  DEFAULT_VIP_ROUTING,
  initialAccountState,
  type AccountState,
  type Delegation,
  type Party,
} from '#domain';
import type { ReadModels } from '../engine/read-models.js';
import {
  accountsProjection,
  delegationKey,
  partyKey,
  type PartyRow,
} from '../projections/accounts.projection.js';

const partyOf = (row: PartyRow): Party => {
  const common = {
    id: row.partyId,
    name: row.name,
    directNumbers: row.directNumbers,
    callingPlan: row.callingPlan,
    powerPack: row.powerPack,
    delegationEnabled: row.delegationEnabled,
    delegationLocked: row.delegationLocked,
    businessHours: row.businessHours,
    // The read model keeps `null` for "never set"; the domain starts from its defaults.
    ringTimeoutSeconds: row.ringTimeoutSeconds ?? DEFAULT_RING_TIMEOUT_SECONDS,
    vipContacts: new Map(row.vipContacts.map((contact) => [contact.number, contact.name])),
    vipRouting: row.vipRouting ?? DEFAULT_VIP_ROUTING,
    speedDials: row.speedDials.map((entry) => ({ ...entry })),
    lineNames: new Map(row.lineNames.map((line) => [line.number, line.name])),
  };
  return row.kind === 'phoneUser'
    ? {
        ...common,
        kind: 'phoneUser',
        assistantEnabled: row.assistantEnabled,
        desktopClient: row.desktopClient,
      }
    : { ...common, kind: 'commonAreaPhone' };
};

/**
 * The domain's state of an account, rebuilt from the accounts read model, so diagnostics (R20) ask
 * the very eligibility functions the api decides with (R2–R5) instead of re-implementing them.
 */
export const accountStateOf = (readModels: ReadModels, accountId: string): AccountState => {
  const { accounts, parties, delegations } = readModels.state(accountsProjection);
  const account = accounts.get(accountId);
  if (!account) return initialAccountState;
  const partyRows = account.parties.map((partyId) => parties.get(partyKey(accountId, partyId))!);
  return {
    status: 'active',
    accountId,
    name: account.name,
    admins: account.admins,
    policy: account.policy,
    maxSpeedDials: account.maxSpeedDials,
    parties: new Map(partyRows.map((row) => [row.partyId, partyOf(row)])),
    numberOwners: new Map(
      partyRows.flatMap((row) => row.directNumbers.map((number) => [number, row.partyId] as const)),
    ),
    delegations: new Map(
      account.delegations.map((delegationId): [string, Delegation] => {
        const row = delegations.get(delegationKey(accountId, delegationId))!;
        return [
          delegationId,
          {
            id: delegationId,
            delegatorId: row.delegatorId,
            delegateId: row.delegateId,
            status: row.status,
            permissions: row.permissions,
            sharedLines: row.sharedLines,
            optedIn: row.optedIn,
            businessHours: row.businessHours,
          },
        ];
      }),
    ),
  };
};
