import { explainDelegateEligibility, explainVipEligibility, type Eligibility } from '#domain';
import type { ReadModels } from '../engine/read-models.js';
import { accountsProjection, partyKey, type DelegationRow } from '../projections/accounts.projection.js';
import { callsProjection, type CallRow } from '../projections/calls.projection.js';
import { lineKey, splitLineKey } from '../projections/line-key.js';
import { accountStateOf } from './account-state.js';
import { delegationsFor, lineOwner, partyName, sameNumber } from './access.js';

/** One rule looked at, passed or not: R20 answers name the rule that decides. */
export interface Check {
  readonly rule: string;
  readonly ok: boolean;
  readonly detail: string;
  /** The domain's reason code, for a check the domain decided and that failed (the api's rejection code). */
  readonly code?: string;
}

export interface Diagnosis {
  readonly question: string;
  readonly answer: string;
  /** The rule that decided the answer (the first failing check, or the rule that allowed it). */
  readonly rule: string | null;
  /** The failing check's reason code, when the domain decided it. */
  readonly code?: string;
  readonly checks: Check[];
}

/** Why party P did or did not ring for call C: the routing decisions recorded in CallRang (R13, R19). */
export const whyRing = (readModels: ReadModels, call: CallRow, partyId: string): Diagnosis => {
  const { callId } = call;
  const { accountId } = splitLineKey(call.line);
  const name = partyName(readModels, accountId, partyId);
  const question = `Why did ${name} ${call.rings.some((r) => r.alerted.includes(partyId)) ? '' : 'not '}ring for call ${callId}?`;
  if (call.direction === 'outgoing') {
    return {
      question,
      answer: `Call ${callId} was placed from the line, not received: outgoing calls ring nobody on the line.`,
      rule: 'R12',
      checks: [],
    };
  }
  const checks: Check[] = call.rings.flatMap((stage) =>
    stage.decisions
      .filter((d) => d.partyId === partyId)
      .map((d) => ({
        rule: d.rule,
        ok: d.rings,
        detail: `${stage.stage} ring at ${stage.at}: ${d.message} [${d.reason}]${d.afterSeconds > 0 ? ` (after ${d.afterSeconds}s)` : ''}`,
      })),
  );
  if (checks.length === 0) {
    const routed = call.rings.length > 0;
    return {
      question,
      answer: routed
        ? `${name} was not among the parties call ${callId} was routed to: it is neither the line's delegator nor a delegate it is shared with.`
        : `Call ${callId} has not been routed yet (or went to voicemail before ringing anyone).`,
      rule: routed ? 'R10' : 'R13',
      checks,
    };
  }
  const decisive = checks.find((c) => c.ok) ?? checks.at(-1)!;
  return {
    question,
    answer: decisive.ok ? `${name} rang: ${decisive.detail}` : `${name} did not ring: ${decisive.detail}`,
    rule: decisive.rule,
    checks,
  };
};

/** Why line L shows busy (R12), held (R15) or ringing (R13). */
export const whyBusy = (readModels: ReadModels, accountId: string, number: string): Diagnosis => {
  const { lines, calls } = readModels.state(callsProjection);
  const name = (party: string | null): string | null => partyName(readModels, accountId, party);
  const live = (lines.get(lineKey(accountId, number))?.live ?? []).map((id) => calls.get(id)!);
  const question = `Why is line ${number} busy?`;
  const occupying = live.find((c) => c.status !== 'ringing');
  if (occupying) {
    const acted = occupying.answeredBy ?? occupying.placedBy;
    const behalf = acted?.onBehalfOf ? ` on behalf of ${name(acted.onBehalfOf)}` : '';
    if (occupying.held) {
      return {
        question,
        answer:
          `Call ${occupying.callId} is on hold by ${name(occupying.held.by)} since ${occupying.held.since}` +
          (occupying.held.locked
            ? ', locked for privacy: delegates cannot pick it up (R15).'
            : '; it can be picked up (R15).'),
        rule: 'R15',
        checks: [{ rule: 'R12', ok: false, detail: `call ${occupying.callId} holds the line` }],
      };
    }
    return {
      question,
      answer:
        `Call ${occupying.callId} with ${occupying.external} is active (${occupying.participants.map(name).join(', ')}${behalf}) ` +
        `since ${occupying.busySince ?? occupying.startedAt}: while a call is active the line is busy for everyone else (R12).`,
      rule: 'R12',
      checks: [{ rule: 'R12', ok: false, detail: `call ${occupying.callId} holds the line` }],
    };
  }
  const ringing = live[0];
  if (ringing) {
    return {
      question,
      answer: `Line ${number} is not busy: call ${ringing.callId} from ${ringing.external} is ringing ${ringing.ringing.map(name).join(', ')} (R13).`,
      rule: 'R13',
      checks: [],
    };
  }
  return { question, answer: `Line ${number} is idle: no call is active on it.`, rule: null, checks: [] };
};

export type Action = 'answer' | 'pickUp' | 'placeCall' | 'join';

const permissionFor: Record<Action, string> = {
  answer: 'answerCalls',
  pickUp: 'pickUpHeldCalls',
  placeCall: 'placeCalls',
  join: 'joinAndMerge',
};

/**
 * Why party P can or cannot answer / pick up / place a call / join on line L: every rule on the way,
 * in the order the domain checks them (R1–R4 eligibility, R7 status, R10 shared line, R6 permission,
 * then the state of the line: R12 busy, R15 privacy lock, R13 opt-out, R5 Power Pack, R19 VIP-only).
 * R4 and R5 are asked of the domain's own eligibility functions, so the diagnosis names the code and
 * sentence the api refuses with (R20).
 */
export const whyCannot = (
  readModels: ReadModels,
  accountId: string,
  number: string,
  partyId: string,
  action: Action,
): Diagnosis => {
  const { accounts, parties } = readModels.state(accountsProjection);
  const { lines, calls } = readModels.state(callsProjection);
  const name = partyName(readModels, accountId, partyId);
  const verb = {
    answer: 'answer calls on',
    pickUp: 'pick up held calls on',
    placeCall: 'place calls on',
    join: 'join calls on',
  }[action];
  const question = `Why can ${name} not ${verb} line ${number}?`;
  const checks: Check[] = [];
  const check = (rule: string, ok: boolean, detail: string): boolean => {
    checks.push({ rule, ok, detail });
    return ok;
  };
  /** A check the domain decides: a failure carries the domain's rule, code and sentence verbatim. */
  const checkDomain = (rule: string, eligibility: Eligibility, passed: string): boolean => {
    checks.push(
      eligibility.ok
        ? { rule, ok: true, detail: passed }
        : { rule: eligibility.rule, ok: false, detail: eligibility.message, code: eligibility.code },
    );
    return eligibility.ok;
  };
  const verdict = (): Diagnosis => {
    const failing = checks.find((c) => !c.ok);
    return {
      question,
      answer: failing
        ? `${name} cannot ${verb} line ${number}: ${failing.detail}`
        : `${name} can ${verb} line ${number}.`,
      rule: failing?.rule ?? checks.at(-1)?.rule ?? null,
      ...(failing?.code === undefined ? {} : { code: failing.code }),
      checks,
    };
  };

  const account = accounts.get(accountId);
  const party = parties.get(partyKey(accountId, partyId));
  // The domain's view of the account, for the checks the domain decides (R4, R5).
  const state = accountStateOf(readModels, accountId);
  if (
    !check(
      'R1',
      account !== undefined && party !== undefined,
      party ? 'party exists' : `${partyId} is not a party of account ${accountId}`,
    )
  )
    return verdict();
  const owner = lineOwner(readModels, accountId, number);
  if (
    !check(
      'R10',
      owner !== undefined,
      owner ? `${number} is ${owner.name}'s direct number` : `${number} is nobody's direct number`,
    )
  )
    return verdict();
  if (
    !check(
      'R2',
      party!.callingPlan !== 'none',
      party!.callingPlan === 'none'
        ? `${party!.name} has no calling plan`
        : `calling plan ${party!.callingPlan}`,
    )
  )
    return verdict();

  const live = (lines.get(lineKey(accountId, number))?.live ?? []).map((id) => calls.get(id)!);
  const occupying = live.find((c) => c.status !== 'ringing');
  const isDelegator = owner!.partyId === partyId;
  let delegation: DelegationRow | undefined;
  if (!isDelegator) {
    check(
      'R3',
      account!.policy.delegationEnabled,
      account!.policy.delegationEnabled
        ? 'delegation enabled for the account'
        : 'call delegation is disabled for the account',
    );
    check(
      'R3',
      party!.delegationEnabled,
      party!.delegationEnabled
        ? 'delegation enabled for the user'
        : `call delegation is disabled for ${party!.name}${party!.delegationLocked ? ' and locked by an admin' : ''}`,
    );
    if (checks.some((c) => !c.ok)) return verdict();
    // R2 and R3 passed above, so the domain's delegate eligibility can only fail on R4 here: the
    // Assistant on a supported, recent desktop client (common-area phones are exempt).
    if (
      !checkDomain(
        'R4',
        explainDelegateEligibility(state, partyId),
        party!.kind === 'phoneUser'
          ? 'the Assistant is enabled on a supported, up-to-date desktop client'
          : 'a common-area phone needs no Assistant',
      )
    )
      return verdict();
    delegation = delegationsFor(readModels, accountId, owner!.partyId, partyId)[0];
    if (
      !check(
        'R7',
        delegation?.status === 'active',
        delegation
          ? `the delegation from ${owner!.name} is ${delegation.status}`
          : `${owner!.name} has not invited ${name} as a delegate`,
      )
    )
      return verdict();
    if (
      !check(
        'R10',
        delegation!.sharedLines.some((line) => sameNumber(line, number)),
        delegation!.sharedLines.some((line) => sameNumber(line, number))
          ? `${number} is shared with ${name}`
          : `${owner!.name} does not share ${number} with ${name}`,
      )
    )
      return verdict();
    const permission = permissionFor[action];
    if (
      !check(
        'R6',
        delegation!.permissions.includes(permission as never),
        delegation!.permissions.includes(permission as never)
          ? `has ${permission}`
          : `the delegation lacks the ${permission} permission`,
      )
    )
      return verdict();
  } else {
    check('R6', true, `${name} is the delegator and needs no permission on its own line`);
  }

  if (action === 'placeCall' || action === 'answer') {
    if (
      action === 'placeCall' &&
      !check(
        'R12',
        occupying === undefined,
        occupying ? `the line is busy with call ${occupying.callId}` : 'the line is free',
      )
    )
      return verdict();
    if (action === 'answer' && delegation) {
      if (!check('R13', delegation.optedIn, delegation.optedIn ? 'opted in' : `${name} opted out of ringing`))
        return verdict();
      const vipOnly = delegation.permissions.includes('vipOnly');
      // Routing alerts a VIP-only delegate only when the delegator has the Power Pack (R5).
      if (
        vipOnly &&
        !checkDomain('R5', explainVipEligibility(state, owner!.partyId), `${owner!.name} has the Power Pack`)
      )
        return verdict();
      const ringing = live.find((c) => c.status === 'ringing');
      if (vipOnly && ringing)
        check(
          'R19',
          ringing.vip,
          ringing.vip ? 'VIP caller' : `${name} answers VIP callers only and ${ringing.external} is not one`,
        );
    }
  }
  if (action === 'pickUp' || action === 'join') {
    const locked = occupying?.held?.locked === true;
    if (
      delegation &&
      !check(
        'R15',
        !locked,
        locked ? `call ${occupying!.callId} is locked for privacy by the delegator` : 'no privacy lock',
      )
    )
      return verdict();
  }
  return verdict();
};
