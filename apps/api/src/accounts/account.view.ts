import {
  ACCOUNT_NOT_FOUND,
  DomainError,
  explainActivation,
  type AccountState,
  type Delegation,
  type ReasonCode,
  type RuleId,
} from '#domain';
import type { AccountPolicy, BusinessHours, DesktopClient, VipRouting } from '#events';

/** What `GET /accounts/:accountId` answers: the command side's own state, as of `revision`. */
export interface AccountView {
  readonly accountId: string;
  readonly name: string;
  readonly admins: readonly string[];
  readonly policy: AccountPolicy;
  readonly revision: string;
  readonly parties: readonly PartyView[];
  readonly delegations: readonly DelegationView[];
}

export interface PartyView {
  readonly partyId: string;
  readonly kind: 'phoneUser' | 'commonAreaPhone';
  readonly name: string;
  readonly directNumbers: readonly string[];
  readonly callingPlan: string;
  readonly powerPack: boolean;
  readonly assistantEnabled: boolean | null;
  readonly desktopClient: DesktopClient | null;
  readonly delegationEnabled: boolean;
  readonly delegationLocked: boolean;
  readonly businessHours: BusinessHours | null;
  readonly ringTimeoutSeconds: number;
  readonly vipContacts: readonly { number: string; name: string }[];
  readonly vipRouting: VipRouting;
}

/** A delegation as the domain holds it, named by `delegationId` like everywhere else in the api. */
export type DelegationView = Omit<Delegation, 'id'> & {
  readonly delegationId: string;
  /**
   * For a pending invitation, what accepting it would be refused with now (R7: the checks admin-enforced
   * activation runs too, so with `autoActivateInvitations` on, why it was left pending); null when it
   * may be accepted, and on a delegation that is not pending.
   */
  readonly activationRefused: {
    readonly code: ReasonCode;
    readonly rule: RuleId;
    readonly message: string;
  } | null;
};

const activationRefused = (
  state: AccountState,
  delegation: Delegation,
): DelegationView['activationRefused'] => {
  if (delegation.status !== 'pending') return null;
  const verdict = explainActivation(state, delegation);
  return verdict.ok ? null : { code: verdict.code, rule: verdict.rule, message: verdict.message };
};

export const accountView = (state: AccountState, revision: bigint | 'no_stream'): AccountView => {
  if (state.status !== 'active' || revision === 'no_stream') {
    throw new DomainError(ACCOUNT_NOT_FOUND);
  }
  return {
    accountId: state.accountId,
    name: state.name,
    admins: state.admins,
    policy: state.policy,
    revision: revision.toString(),
    parties: [...state.parties.values()].map((party) => ({
      partyId: party.id,
      kind: party.kind,
      name: party.name,
      directNumbers: party.directNumbers,
      callingPlan: party.callingPlan,
      powerPack: party.powerPack,
      assistantEnabled: party.kind === 'phoneUser' ? party.assistantEnabled : null,
      desktopClient: party.kind === 'phoneUser' ? party.desktopClient : null,
      delegationEnabled: party.delegationEnabled,
      delegationLocked: party.delegationLocked,
      businessHours: party.businessHours,
      ringTimeoutSeconds: party.ringTimeoutSeconds,
      vipContacts: [...party.vipContacts].map(([number, name]) => ({ number, name })),
      vipRouting: party.vipRouting,
    })),
    delegations: [...state.delegations.values()].map((delegation) => ({
      delegationId: delegation.id,
      delegatorId: delegation.delegatorId,
      delegateId: delegation.delegateId,
      status: delegation.status,
      permissions: delegation.permissions,
      sharedLines: delegation.sharedLines,
      optedIn: delegation.optedIn,
      businessHours: delegation.businessHours,
      activationRefused: activationRefused(state, delegation),
    })),
  };
};
