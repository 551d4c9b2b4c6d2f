import { refuse } from '../shared/domain-error.js';
import type * as C from './account.commands.js';
import {
  checkBusinessHours,
  partyOf,
  requireAdmin,
  requireSelfOrAdminOf,
  requireUnlocked,
  sameJson,
  stamped,
  type DecideOn,
} from './account.decide.shared.js';

// ── Line settings (R13, R14) ─────────────────────────────────────────────────────────────────────

export const setBusinessHours: DecideOn<C.SetBusinessHours> = (command, state, { now }) => {
  requireSelfOrAdminOf(state, command, 'R13', 'set the business hours');
  const party = partyOf(state, command.partyId);
  checkBusinessHours(command.businessHours);
  if (sameJson(party.businessHours, command.businessHours)) return [];
  return [
    stamped(command, now, 'BusinessHoursSet', { partyId: party.id, businessHours: command.businessHours }),
  ];
};

const MIN_RING_TIMEOUT_SECONDS = 5;
const MAX_RING_TIMEOUT_SECONDS = 300;

export const changeRingTimeout: DecideOn<C.ChangeRingTimeout> = (command, state, { now }) => {
  requireSelfOrAdminOf(state, command, 'R14', 'change the ring timeout');
  const party = partyOf(state, command.partyId);
  const seconds = command.ringTimeoutSeconds;
  if (!Number.isInteger(seconds) || seconds < MIN_RING_TIMEOUT_SECONDS || seconds > MAX_RING_TIMEOUT_SECONDS)
    refuse('INVALID_RING_TIMEOUT', 'R14', { min: MIN_RING_TIMEOUT_SECONDS, max: MAX_RING_TIMEOUT_SECONDS });
  if (party.ringTimeoutSeconds === seconds) return [];
  return [stamped(command, now, 'RingTimeoutChanged', { partyId: party.id, ringTimeoutSeconds: seconds })];
};

// ── Per-user delegation settings (R3) ────────────────────────────────────────────────────────────

export const setUserDelegation: DecideOn<C.EnableDelegationForUser | C.DisableDelegationForUser> = (
  command,
  state,
  { now },
) => {
  const enable = command.type === 'EnableDelegationForUser';
  requireSelfOrAdminOf(state, command, 'R3', 'change the delegation setting');
  const party = partyOf(state, command.partyId);
  requireUnlocked(party);
  if (party.delegationEnabled === enable) return [];
  const data = { partyId: party.id, by: command.actor, at: now };
  return [enable ? { type: 'DelegationEnabledForUser', data } : { type: 'DelegationDisabledForUser', data }];
};

export const lockDelegation: DecideOn<C.LockDelegation> = (command, state, { now }) => {
  requireAdmin(state, command.actor, 'R3', 'lock delegation settings');
  const party = partyOf(state, command.partyId);
  if (party.delegationLocked) return [];
  // A lock would freeze the invitation half-way: nobody could accept, decline or revoke it any more.
  const pending = [...state.delegations.values()].find(
    (d) => d.status === 'pending' && (d.delegatorId === party.id || d.delegateId === party.id),
  );
  if (pending)
    refuse('PENDING_INVITATION_BLOCKS_LOCK', 'R3', {
      delegation: pending.id,
      delegator: pending.delegatorId,
      delegate: pending.delegateId,
      party: party.id,
    });
  return [stamped(command, now, 'DelegationLockedByAdmin', { partyId: party.id })];
};

export const unlockDelegation: DecideOn<C.UnlockDelegation> = (command, state, { now }) => {
  requireAdmin(state, command.actor, 'R3', 'unlock delegation settings');
  const party = partyOf(state, command.partyId);
  if (!party.delegationLocked) return [];
  return [stamped(command, now, 'DelegationUnlockedByAdmin', { partyId: party.id })];
};
