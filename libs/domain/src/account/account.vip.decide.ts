import type { AccountEvent, VipRouting } from '#events';
import { OWN_AUTHORITY, type Authority, type Decision } from '../shared/decider.js';
import type * as C from './account.commands.js';
import {
  check,
  partyOf,
  reject,
  requireSelfOrAdmin,
  sameJson,
  stamped,
  type DecideOn,
} from './account.decide.shared.js';
import { explainPermission, explainVipEligibility } from './account.eligibility.js';
import { delegationBetween, isAdmin } from './account.queries.js';
import type { ActiveAccount } from './account.state.js';
import { PHONE_NUMBER_PATTERN } from './account.values.js';

// ── VIP delegation (R5, R19) ─────────────────────────────────────────────────────────────────────

/**
 * R19: the delegator, an admin, or an active delegate with `manageVipContacts` edits the VIP list,
 * a delegate on the delegator's behalf.
 */
const requireVipListEditor = (state: ActiveAccount, actor: string, delegatorId: string): Authority => {
  if (actor === delegatorId || isAdmin(state, actor)) return OWN_AUTHORITY;
  if (!delegationBetween(state, delegatorId, actor))
    reject(
      'ACTOR_NOT_ALLOWED',
      'R19',
      `Only ${delegatorId}, an admin or a delegate of ${delegatorId} with manageVipContacts may edit its VIP contacts.`,
    );
  check(explainPermission(state, delegatorId, actor, 'manageVipContacts'));
  return { onBehalfOf: delegatorId, permission: 'manageVipContacts' };
};

export const addVipContact: DecideOn<C.AddVipContact, Decision<AccountEvent>> = (command, state, { now }) => {
  const delegator = partyOf(state, command.delegatorId);
  const authority = requireVipListEditor(state, command.actor, delegator.id);
  check(explainVipEligibility(state, delegator.id));
  if (!PHONE_NUMBER_PATTERN.test(command.number))
    reject(
      'INVALID_NUMBER',
      'R19',
      `"${command.number}" is not an E.164 number: write it as + and 7–15 digits.`,
    );
  if (delegator.vipContacts.get(command.number) === command.name) return { events: [], authority };
  return {
    events: [
      stamped(command, now, 'VipContactAdded', {
        delegatorId: delegator.id,
        number: command.number,
        name: command.name,
      }),
    ],
    authority,
  };
};

/** Removing needs no Power Pack: cleaning up a dormant list must stay possible after it lapses. */
export const removeVipContact: DecideOn<C.RemoveVipContact, Decision<AccountEvent>> = (
  command,
  state,
  { now },
) => {
  const delegator = partyOf(state, command.delegatorId);
  const authority = requireVipListEditor(state, command.actor, delegator.id);
  if (!delegator.vipContacts.has(command.number))
    reject(
      'VIP_CONTACT_NOT_FOUND',
      'R19',
      `${command.number} is not a VIP contact of ${delegator.id}: check the number.`,
    );
  return {
    events: [
      stamped(command, now, 'VipContactRemoved', { delegatorId: delegator.id, number: command.number }),
    ],
    authority,
  };
};

const MAX_VIP_DELAY_SECONDS = 300;

export const changeVipRouting: DecideOn<C.ChangeVipRouting> = (command, state, { now }) => {
  const delegator = partyOf(state, command.delegatorId);
  requireSelfOrAdmin(state, command.actor, delegator.id, 'R19', `change the VIP routing of ${delegator.id}`);
  check(explainVipEligibility(state, delegator.id));
  const routing = command.routing;
  if (routing.mode !== 'delegatorOnly' && routing.mode !== 'delegatorFirst')
    reject('INVALID_VIP_ROUTING', 'R19', 'VIP routing mode must be delegatorOnly or delegatorFirst.');
  if (
    routing.mode === 'delegatorFirst' &&
    (!Number.isInteger(routing.delaySeconds) ||
      routing.delaySeconds < 1 ||
      routing.delaySeconds > MAX_VIP_DELAY_SECONDS)
  )
    reject(
      'INVALID_VIP_ROUTING',
      'R19',
      `The delegatorFirst delay must be a whole number of seconds from 1 to ${MAX_VIP_DELAY_SECONDS}.`,
    );
  const canonical: VipRouting =
    routing.mode === 'delegatorOnly'
      ? { mode: routing.mode }
      : { mode: routing.mode, delaySeconds: routing.delaySeconds };
  if (sameJson(canonical, delegator.vipRouting)) return [];
  return [stamped(command, now, 'VipRoutingChanged', { delegatorId: delegator.id, routing: canonical })];
};
