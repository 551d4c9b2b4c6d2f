import {
  DEFAULT_RING_TIMEOUT_SECONDS,
  DEFAULT_VIP_ROUTING,
  explainActivation,
  initialAccountState,
  type AccountState,
  type Delegation,
  type Party,
  type ReasonCode,
  type RuleId,
} from '#domain';
import type { ReadModels } from '../engine/read-models.js';
import { accountsProjection, type PartyRow } from '../projections/accounts.projection.js';
import { accountDelegations, accountParties } from './access.js';

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
  const account = readModels.state(accountsProjection).accounts.get(accountId);
  if (!account) return initialAccountState;
  const partyRows = accountParties(readModels, accountId);
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
      accountDelegations(readModels, accountId).map((row): [string, Delegation] => [
        row.delegationId,
        {
          id: row.delegationId,
          delegatorId: row.delegatorId,
          delegateId: row.delegateId,
          status: row.status,
          permissions: row.permissions,
          sharedLines: row.sharedLines,
          optedIn: row.optedIn,
          businessHours: row.businessHours,
        },
      ]),
    ),
  };
};

/** R7: why a pending invitation may not be accepted now, in the code, rule and sentence the api refuses it with. */
export interface ActivationRefusal {
  readonly code: ReasonCode;
  readonly rule: RuleId;
  readonly message: string;
}

/**
 * R7: for the delegations of an account, what accepting each pending invitation would be refused with
 * now, or null (it may be accepted, or it is not pending); the same answer as the api's
 * `activationRefused`. Asked of the domain's own `explainActivation` (what accepting and admin-enforced
 * activation check) on the account state the read model folds, so an invitation left pending under
 * `autoActivateInvitations` says why. Computed when asked, not kept in the rows: it depends on the
 * whole account (a party's Power Pack, the policy, the limits), not on the delegation's own events.
 * The state is rebuilt once per call; the answer looks up delegation ids in its Map.
 */
export const activationRefusalsOf = (
  readModels: ReadModels,
  accountId: string,
): ((delegationId: string) => ActivationRefusal | null) => {
  const state = accountStateOf(readModels, accountId);
  return (delegationId) => {
    const delegation = state.status === 'active' ? state.delegations.get(delegationId) : undefined;
    if (delegation?.status !== 'pending') return null;
    const verdict = explainActivation(state, delegation);
    return verdict.ok ? null : { code: verdict.code, rule: verdict.rule, message: verdict.message };
  };
};
