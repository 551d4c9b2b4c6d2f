import type { Permission } from '#events';
import type { AccountState, Delegation, Party } from './account.state.js';

/**
 * Pure reads over account state for the call side (R10–R13, R19; lineContextFor puts them in line
 * terms) and diagnostics (R20). Unknown accounts read as empty.
 */

const delegationsOf = (state: AccountState): Iterable<Delegation> =>
  state.status === 'active' ? state.delegations.values() : [];

/** R7/R8: pending and active delegations count; declined and revoked ones are history. */
export const isLive = (delegation: Delegation): boolean =>
  delegation.status === 'pending' || delegation.status === 'active';

export const isAdmin = (state: AccountState, actor: string): boolean =>
  state.status === 'active' && state.admins.includes(actor);

export const partyById = (state: AccountState, partyId: string): Party | undefined =>
  state.status === 'active' ? state.parties.get(partyId) : undefined;

/** R1/R10: the party whose direct number this is (the delegator of a shared line). */
export const lineOwner = (state: AccountState, number: string): Party | undefined => {
  if (state.status !== 'active') return undefined;
  const owner = state.numberOwners.get(number);
  return owner === undefined ? undefined : state.parties.get(owner);
};

export const delegationById = (state: AccountState, delegationId: string): Delegation | undefined =>
  state.status === 'active' ? state.delegations.get(delegationId) : undefined;

/** R9: the pending or active delegation from delegator to delegate (at most one exists). */
export const delegationBetween = (
  state: AccountState,
  delegatorId: string,
  delegateId: string,
): Delegation | undefined =>
  [...delegationsOf(state)].find(
    (d) => isLive(d) && d.delegatorId === delegatorId && d.delegateId === delegateId,
  );

/** R8: pending and active delegations of a delegator. */
export const liveDelegationsOf = (state: AccountState, delegatorId: string): Delegation[] =>
  [...delegationsOf(state)].filter((d) => isLive(d) && d.delegatorId === delegatorId);

/** R8: pending and active delegations a delegate holds. */
export const liveDelegationsHeldBy = (state: AccountState, delegateId: string): Delegation[] =>
  [...delegationsOf(state)].filter((d) => isLive(d) && d.delegateId === delegateId);

export const activeDelegationsOf = (state: AccountState, delegatorId: string): Delegation[] =>
  [...delegationsOf(state)].filter((d) => d.status === 'active' && d.delegatorId === delegatorId);

export const activeDelegationsHeldBy = (state: AccountState, delegateId: string): Delegation[] =>
  [...delegationsOf(state)].filter((d) => d.status === 'active' && d.delegateId === delegateId);

/** R10: pending and active delegations that share this number. */
export const delegationsSharingLine = (state: AccountState, number: string): Delegation[] =>
  [...delegationsOf(state)].filter((d) => isLive(d) && d.sharedLines.includes(number));

export const hasPermission = (delegation: Delegation, permission: Permission): boolean =>
  delegation.permissions.includes(permission);

/** R19: a VIP caller of this delegator; VIP delegation is a Power Pack feature (R5), off without it. */
export const isVip = (state: AccountState, delegatorId: string, callerNumber: string): boolean => {
  const delegator = partyById(state, delegatorId);
  return delegator !== undefined && delegator.powerPack && delegator.vipContacts.has(callerNumber);
};
