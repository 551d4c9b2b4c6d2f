import { isIneligibilityReason, type RingDecisionReason, type RingDecisionRecord } from '#events';
import { isWithinBusinessHours } from '../account/account.values.js';
import type { LineContext, LineDelegate } from './line.context.js';

/**
 * One party's answer to "does an incoming call ring me, and why (not)?" (R13, R19). The same
 * function decides ringing and answers diagnostics (R20), so the two can never disagree.
 */
export type RingDecision = RingDecisionRecord;

/** A caller is VIP only with the Power Pack (R5) and when its number is on the VIP list (R19). */
export const isVipCaller = (context: LineContext, from: string): boolean =>
  context.delegator.powerPack && context.vip.contacts.includes(from);

/**
 * Who is alerted for a call from `from` arriving (or escalating) at `at`: the delegator always,
 * each delegate per R13/R19, in the order the context lists them. A delegate with `afterSeconds` > 0
 * rings that long after the call arrived (VIP delegatorFirst).
 */
export const routeIncomingCall = (context: LineContext, from: string, at: string): RingDecision[] => [
  lineOwnerDecision(context.delegator.partyId),
  ...context.delegates.map((delegate) => routeDelegate(context, delegate, isVipCaller(context, from), at)),
];

/** The delegator's answer, the same for every call: its own line always rings it (R13). */
export const lineOwnerDecision = (partyId: string): RingDecision => ({
  partyId,
  role: 'delegator',
  rings: true,
  afterSeconds: 0,
  rule: 'R13',
  reason: 'LINE_OWNER',
  message: 'The delegator owns the line and is always alerted.',
});

const routeDelegate = (
  context: LineContext,
  delegate: LineDelegate,
  vip: boolean,
  at: string,
): RingDecision => {
  const decision = (
    rings: boolean,
    rule: RingDecision['rule'],
    reason: RingDecisionReason,
    message: string,
    afterSeconds = 0,
  ): RingDecision => ({
    partyId: delegate.partyId,
    role: 'delegate',
    rings,
    afterSeconds,
    rule,
    reason,
    message,
  });
  const can = (permission: LineDelegate['permissions'][number]) => delegate.permissions.includes(permission);

  const standing = standingRefusal(context, delegate);
  if (standing) return standing;
  if (can('vipOnly') && !vip) {
    return notAlerted(
      delegate,
      'R19',
      'VIP_ONLY_NON_VIP_CALLER',
      'The delegate answers VIP callers only; this caller is not VIP.',
    );
  }
  if (vip && context.vip.routing.mode === 'delegatorOnly') {
    return notAlerted(delegate, 'R19', 'VIP_DELEGATOR_ONLY', 'VIP callers ring the delegator only.');
  }
  const closed = hoursRefusal(context, delegate, at);
  if (closed) return closed;
  if (vip && context.vip.routing.mode === 'delegatorFirst') {
    const delay = context.vip.routing.delaySeconds;
    if (delay >= context.line.ringTimeoutSeconds) {
      return notAlerted(
        delegate,
        'R19',
        'VIP_DELAY_EXCEEDS_RING_TIMEOUT',
        `VIP callers ring the delegator first for ${delay}s, but the call goes to voicemail after ` +
          `${context.line.ringTimeoutSeconds}s: shorten the delay to alert delegates.`,
      );
    }
    return decision(
      true,
      'R19',
      'VIP_DELEGATOR_FIRST',
      `VIP callers ring the delegator first; delegates after ${delay}s.`,
      delay,
    );
  }
  return decision(true, 'R13', 'ALERTED', 'Active delegation with answerCalls, opted in and within hours.');
};

const notAlerted = (
  delegate: LineDelegate,
  rule: RingDecision['rule'],
  reason: RingDecisionReason,
  message: string,
): RingDecision => ({
  partyId: delegate.partyId,
  role: 'delegate',
  rings: false,
  afterSeconds: 0,
  rule,
  reason,
  message,
});

/**
 * The routing rules that hold whoever calls and whenever (R7 active, R2–R4 eligible, R13 `answerCalls`, opted
 * in; R5 Power Pack for `vipOnly`), in routing's order: the refusing decision, or `null`.
 */
const standingRefusal = (context: LineContext, delegate: LineDelegate): RingDecision | null => {
  if (!delegate.active) {
    return notAlerted(
      delegate,
      'R7',
      'DELEGATION_NOT_ACTIVE',
      'The delegation is not active: the delegate must accept it.',
    );
  }
  const ineligible = context.delegator.eligibility ?? delegate.eligibility;
  if (ineligible) {
    // The ring decision's schema lists the reasons it may record; eligibility gives no other.
    if (!isIneligibilityReason(ineligible.code))
      throw new Error(`routing cannot record ${ineligible.code} as a reason a delegate was not alerted`);
    return notAlerted(delegate, ineligible.rule, ineligible.code, ineligible.message);
  }
  if (!delegate.permissions.includes('answerCalls')) {
    return notAlerted(
      delegate,
      'R13',
      'ANSWER_CALLS_NOT_GRANTED',
      'The delegate lacks answerCalls: grant it to be alerted.',
    );
  }
  if (!delegate.optedIn) {
    return notAlerted(
      delegate,
      'R13',
      'OPTED_OUT',
      'The delegate opted out of ringing: opt back in to be alerted.',
    );
  }
  if (delegate.permissions.includes('vipOnly') && !context.delegator.powerPack) {
    return notAlerted(
      delegate,
      'R5',
      'POWER_PACK_REQUIRED',
      'vipOnly answering needs the Power Pack add-on on the delegator.',
    );
  }
  return null;
};

/**
 * R13 business hours at `at`: with `overrideBusinessHours` the delegate's own hours replace the
 * line's; a delegate with the override but no hours of its own is not limited at all, which is what
 * "override" promises. The hours are read exactly as the account checks them (isWithinBusinessHours).
 */
const hoursRefusal = (context: LineContext, delegate: LineDelegate, at: string): RingDecision | null => {
  if (delegate.permissions.includes('overrideBusinessHours')) {
    return delegate.businessHours && !isWithinBusinessHours(delegate.businessHours, at)
      ? notAlerted(delegate, 'R13', 'OUTSIDE_OWN_HOURS', "It is outside the delegate's own business hours.")
      : null;
  }
  return context.line.businessHours && !isWithinBusinessHours(context.line.businessHours, at)
    ? notAlerted(delegate, 'R13', 'OUTSIDE_BUSINESS_HOURS', "It is outside the line's business hours.")
    : null;
};

/**
 * R20: why a delegate of the line would not be alerted for a call arriving at `at`, whoever calls —
 * routing's own refusal (the same code and sentence a CallRang records), or `null` when only the
 * caller (R19) could keep it from ringing then. `undefined` for a party the line is not shared with.
 */
export const explainRingAt = (
  context: LineContext,
  partyId: string,
  at: string,
): RingDecision | null | undefined => {
  const delegate = context.delegates.find((d) => d.partyId === partyId);
  return delegate && (standingRefusal(context, delegate) ?? hoursRefusal(context, delegate, at));
};
