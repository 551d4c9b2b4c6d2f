import type { VipRouting } from '#events';
import { refuse, refusal } from '../shared/domain-error.js';
import type { Authority } from '../shared/decider.js';
import type * as C from './account.commands.js';
import {
  check,
  decidedOn,
  partyOf,
  requireListEditor,
  requireSelfOrAdmin,
  sameJson,
  stamped,
  type DecideOn,
  type DecideWithAuthority,
} from './account.decide.shared.js';
import { explainVipEligibility } from './account.eligibility.js';
import type { ActiveAccount } from './account.state.js';
import { PHONE_NUMBER_PATTERN } from './account.values.js';

// ── VIP delegation (R5, R19) ─────────────────────────────────────────────────────────────────────

/** R19: who edits the VIP list of `delegatorId`. */
const requireVipListEditor = (state: ActiveAccount, actor: string, delegatorId: string): Authority =>
  requireListEditor(
    state,
    actor,
    delegatorId,
    'manageVipContacts',
    refusal('ACTOR_NOT_ALLOWED', 'R19', { case: 'vipListEditor', delegator: delegatorId }),
  );

export const addVipContact: DecideWithAuthority<C.AddVipContact> = (command, state, { now }) => {
  const { number, name } = command;
  const delegator = partyOf(state, command.delegatorId);
  const authority = requireVipListEditor(state, command.actor, delegator.id);
  check(explainVipEligibility(state, delegator.id));
  if (!PHONE_NUMBER_PATTERN.test(number)) refuse('INVALID_NUMBER', 'R19', { number });
  if (delegator.vipContacts.get(number) === name) return decidedOn(authority);
  return decidedOn(
    authority,
    stamped(command, now, 'VipContactAdded', { delegatorId: delegator.id, number, name }),
  );
};

/** Removing needs no Power Pack: cleaning up a dormant list must stay possible after it lapses. */
export const removeVipContact: DecideWithAuthority<C.RemoveVipContact> = (command, state, { now }) => {
  const delegator = partyOf(state, command.delegatorId);
  const authority = requireVipListEditor(state, command.actor, delegator.id);
  if (!delegator.vipContacts.has(command.number))
    refuse('VIP_CONTACT_NOT_FOUND', 'R19', { number: command.number, delegator: delegator.id });
  return decidedOn(
    authority,
    stamped(command, now, 'VipContactRemoved', { delegatorId: delegator.id, number: command.number }),
  );
};

const MAX_VIP_DELAY_SECONDS = 300;

export const changeVipRouting: DecideOn<C.ChangeVipRouting> = (command, state, { now }) => {
  const delegator = partyOf(state, command.delegatorId);
  requireSelfOrAdmin(state, command.actor, delegator.id, 'R19', `change the VIP routing of ${delegator.id}`);
  check(explainVipEligibility(state, delegator.id));
  const routing = command.routing;
  if (routing.mode !== 'delegatorOnly' && routing.mode !== 'delegatorFirst')
    refuse('INVALID_VIP_ROUTING', 'R19', { case: 'mode' });
  if (
    routing.mode === 'delegatorFirst' &&
    (!Number.isInteger(routing.delaySeconds) ||
      routing.delaySeconds < 1 ||
      routing.delaySeconds > MAX_VIP_DELAY_SECONDS)
  )
    refuse('INVALID_VIP_ROUTING', 'R19', { case: 'delay', max: MAX_VIP_DELAY_SECONDS });
  const canonical: VipRouting =
    routing.mode === 'delegatorOnly'
      ? { mode: routing.mode }
      : { mode: routing.mode, delaySeconds: routing.delaySeconds };
  if (sameJson(canonical, delegator.vipRouting)) return [];
  return [stamped(command, now, 'VipRoutingChanged', { delegatorId: delegator.id, routing: canonical })];
};
