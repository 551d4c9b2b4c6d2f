import { lineKey, splitLineKey } from '#events';
import {
  CALL_ACTIONS,
  DomainError,
  named,
  explainAnswer,
  explainCallAction,
  explainDelegateEligibility,
  explainExternalAnswer,
  explainExternalHangUp,
  explainJoin,
  explainLineAction,
  explainMerge,
  explainPickUp,
  explainRingAt,
  LINE_ACTION_PERMISSIONS,
  lineBusy,
  lineContextFor,
  refusal,
  refusalOf,
  type CallAction,
  type LineAction,
  type Check as DecidedStep,
  type LineContext,
  type LineFacts,
} from '#domain';
import type { ReadModels } from '../engine/read-models.js';
import { callsProjection, type CallRow } from '../projections/calls.projection.js';
import { accountStateOf } from './account-state.js';
import { accountParty, lineOwner, ofCurrentOwner, partyName, sameNumber, shownNumber } from './access.js';
import type { DiagnosisTime } from './diagnosis-time.js';
import { currentLineName } from './line-views.js';

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

/** A party as a diagnosis names it: its name, set apart (see `named`), or its id when it has none. */
const sentenceName = (readModels: ReadModels, accountId: string, partyId: string): string =>
  named(partyName(readModels, accountId, partyId) ?? partyId);

/** Why party P did or did not ring for call C: the routing decisions recorded in CallRang (R13, R19). */
export const whyRing = (readModels: ReadModels, call: CallRow, partyId: string): Diagnosis => {
  const { callId } = call;
  const { accountId } = splitLineKey(call.line);
  const name = sentenceName(readModels, accountId, partyId);
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

/**
 * R23: a line as diagnostics name it, its name beside the number when it has one. The number is
 * written with its `+`: a line is asked about by its digits (line keys have no `+`).
 */
const lineTitle = (readModels: ReadModels, accountId: string, number: string): string => {
  const owner = lineOwner(readModels, accountId, number);
  const name = owner ? currentLineName(owner, number) : null;
  return name === null ? shownNumber(number) : `${shownNumber(number)} "${named(name)}"`;
};

/** Why line L shows busy (R12), held (R15) or ringing (R13). */
export const whyBusy = (readModels: ReadModels, accountId: string, number: string): Diagnosis => {
  const { lines, calls } = readModels.state(callsProjection);
  const name = (party: string): string => sentenceName(readModels, accountId, party);
  const live = (lines.get(lineKey(accountId, number))?.live ?? []).map((id) => calls.get(id)!);
  const line = lineTitle(readModels, accountId, number);
  const question = `Why is line ${line} busy?`;
  const occupying = live.find((c) => c.live!.phase !== 'ringing');
  const owner = lineOwner(readModels, accountId, number);
  const previousOwners = live.find((call) => !ofCurrentOwner(owner, call));
  if (previousOwners) {
    // R10: the call is the number's previous owner's; the line's owner now is not told whose or who is on it.
    return {
      question,
      answer: `Line ${line} is busy with a call that started while it was another party's number (R10); it takes no new call until that call ends (R12).`,
      rule: 'R12',
      checks: [{ rule: 'R12', ok: false, detail: "a call of the number's previous owner holds the line" }],
    };
  }
  if (occupying) {
    const call = occupying.live!;
    // Delegates on the call are there for its owner, the owner for nobody (as the lamp says it).
    const callOwner = occupying.owner ?? owner?.partyId ?? null;
    const behalf =
      callOwner !== null && !call.parties.includes(callOwner) ? ` on behalf of ${name(callOwner)}` : '';
    if (call.hold) {
      return {
        question,
        answer:
          `Call ${occupying.callId} is on hold by ${name(call.hold.by)} since ${call.hold.since}` +
          (call.privacyLocked
            ? ', locked for privacy: delegates cannot pick it up (R15).'
            : '; it can be picked up (R15).'),
        rule: 'R15',
        checks: [{ rule: 'R12', ok: false, detail: `call ${occupying.callId} holds the line` }],
      };
    }
    return {
      question,
      answer:
        `Call ${occupying.callId} with ${occupying.external} is active (${call.parties.map(name).join(', ')}${behalf}) ` +
        `since ${occupying.busySince ?? occupying.startedAt}: while a call is active the line is busy for everyone else (R12).` +
        (call.privacyLocked ? ' It is locked for privacy: delegates cannot join or merge it (R15).' : ''),
      rule: 'R12',
      checks: [{ rule: 'R12', ok: false, detail: `call ${occupying.callId} holds the line` }],
    };
  }
  const ringing = live[0];
  if (ringing) {
    return {
      question,
      answer: `Line ${line} is not busy: call ${ringing.callId} from ${ringing.external} is ringing ${(ringing.live!.ring?.ringing ?? []).map(name).join(', ')} (R13).`,
      rule: 'R13',
      checks: [],
    };
  }
  return { question, answer: `Line ${line} is idle: no call is active on it.`, rule: null, checks: [] };
};

export type Action = LineAction | CallAction;

const isCallAction = (action: Action): action is CallAction => Object.hasOwn(CALL_ACTIONS, action);

/**
 * Why party P can or cannot answer / pick up / place a call / join / merge on line L, or decline, hold,
 * resume, lock, transfer, record or hang up its call in progress (R20). The verdict is
 * the domain's: the line context is built from the account state exactly as the api builds it, and
 * the steps are the line decider's own (R10 shared and active, the delegator's then the delegate's
 * R2–R4 eligibility, the action's permission, then, for the call in progress, the checks the decider
 * makes of it; a party's own act on the call asks the decider's explain function of that act), so the first failing check names the rule, code and sentence the api rejects the
 * command with. A party not alerted for a ringing call is named by the cause routing gives (R13,
 * R19, R5) or its own decline (R14). With no call to answer, routing is asked about a call arriving
 * at the diagnosis time; a place call needs a free line (R12). The time is the caller's to choose
 * (see diagnosisTime: the api's now, R21); the question names it and where it comes from.
 */
export const whyCannot = (
  readModels: ReadModels,
  accountId: string,
  number: string,
  partyId: string,
  action: Action,
  asOf: DiagnosisTime,
): Diagnosis => {
  const { at } = asOf;
  const { lines, calls } = readModels.state(callsProjection);
  const name = sentenceName(readModels, accountId, partyId);
  const verb = {
    answer: 'answer calls on',
    pickUp: 'pick up held calls on',
    placeCall: 'place calls on',
    join: 'join calls on',
    merge: 'merge held calls on',
    decline: 'decline calls on',
    hold: 'hold calls on',
    holdLocked: 'hold calls locked for privacy on',
    resume: 'resume held calls on',
    privacyLock: 'lock calls for privacy, or unlock them, on',
    transfer: 'transfer calls on',
    record: 'record calls on',
    hangUp: 'hang up calls on',
  }[action];
  const title = lineTitle(readModels, accountId, number);
  const question = `Why can ${name} not ${verb} line ${title} (as of ${at}, ${asOf.source})?`;
  const checks: Check[] = [];
  const check = (rule: string, ok: boolean, detail: string, code?: string): boolean => {
    checks.push(ok || code === undefined ? { rule, ok, detail } : { rule, ok, detail, code });
    return ok;
  };
  /** A decider's step, in its sentence; a refusal resting on routing or a decline names that cause. */
  const record = (step: DecidedStep): boolean =>
    step.ok
      ? check(step.rule, true, step.message)
      : check(step.cause?.rule ?? step.rule, false, step.message, step.cause?.code ?? step.code);
  const verdict = (): Diagnosis => {
    const failing = checks.find((c) => !c.ok);
    return {
      question,
      answer: failing
        ? `${name} cannot ${verb} line ${title}: ${failing.detail}`
        : `${name} can ${verb} line ${title}.`,
      rule: failing?.rule ?? checks.at(-1)?.rule ?? null,
      ...(failing?.code === undefined ? {} : { code: failing.code }),
      checks,
    };
  };

  const party = accountParty(readModels, accountId, partyId);
  if (
    !check(
      'R1',
      party !== undefined,
      party ? 'party exists' : `${partyId} is not a party of account ${accountId}`,
    )
  )
    return verdict();
  const state = accountStateOf(readModels, accountId);
  // The domain keys lines by the number as provisioned; the query may spell it without the '+'.
  const owner = lineOwner(readModels, accountId, number);
  const provisioned = owner?.directNumbers.find((own) => sameNumber(own, number));
  // A number nobody owns any more still decides its parties' acts on the call already on it (R10), as
  // the api does: the line's context for the command, a stand-in for those, LINE_NOT_FOUND for the rest.
  const unownedContext = (): LineContext | null => {
    if (!isCallAction(action)) return null;
    try {
      return lineContextFor(state, shownNumber(number), at, CALL_ACTIONS[action].command);
    } catch (error) {
      if (error instanceof DomainError) return null;
      throw error;
    }
  };
  const context = provisioned ? lineContextFor(state, provisioned, at) : unownedContext();
  if (!context) {
    const unowned = refusal('LINE_NOT_FOUND', 'R10', { case: 'unowned', line: shownNumber(number) });
    check(unowned.rule, false, unowned.message, unowned.code);
    return verdict();
  }
  const line = lines.get(lineKey(accountId, number));
  // The decider's call in progress: a call arriving while the line is busy never becomes it (R12).
  const current = line?.live[0] === undefined ? undefined : calls.get(line.live[0])!;
  // Without one, a pick-up or join is asked of the line's last call, which is over, as the api would
  // answer a command naming it; an answer is a question about the next call instead (below).
  const newest = line?.calls.at(-1);
  const last = current || newest === undefined ? undefined : calls.get(newest)!;
  // The decider's own state of the calls: the one in progress, and the last one over.
  const facts: LineFacts = {
    call: current?.live ?? null,
    recentCalls: last?.finished ? [last.finished] : [],
  };
  const explainCall = {
    answer: (callId: string) => explainAnswer(context, facts, callId, partyId, at),
    pickUp: (callId: string) => explainPickUp(context, facts, callId, partyId),
    join: (callId: string) => explainJoin(context, facts, callId, partyId),
    merge: (callId: string) => explainMerge(context, facts, callId, partyId),
  };
  const target = action === 'answer' ? current : (current ?? last);
  const steps = isCallAction(action)
    ? target
      ? explainCallAction(context, facts, target.callId, partyId, action, at)
      : []
    : target && action !== 'placeCall'
      ? explainCall[action](target.callId).checks
      : explainLineAction(context, partyId, action);
  for (const step of steps) record(step);
  const refused = refusalOf(steps);
  if (refused) {
    // Sharing the line (inviting, accepting) is refused while the party itself is ineligible: name
    // that too, after the verdict, so the troubleshooting does not stop at a fix that cannot work.
    if (refused.code === 'LINE_NOT_SHARED' || refused.code === 'DELEGATION_NOT_ACTIVE') {
      const own = explainDelegateEligibility(state, partyId);
      if (!own.ok) check(own.rule, false, own.message, own.code);
    }
    return verdict();
  }

  const isDelegate = partyId !== context.delegator.partyId;
  if (action === 'placeCall') {
    // One call per line: a ringing call keeps it busy too (R12); the api's own sentence says by what.
    const busy = current?.live && lineBusy(current.live, context);
    if (busy) check(busy.rule, false, busy.message, busy.code);
    else check('R12', true, 'the line is free');
  }
  if (action === 'answer' && !current && isDelegate) {
    // No call to ask about: would routing alert the party for one arriving now, whoever calls?
    const notAlerted = explainRingAt(context, partyId, at);
    check(
      notAlerted?.rule ?? 'R13',
      !notAlerted,
      notAlerted?.message ?? `${name} would be alerted for a call to the line now, VIP routing permitting`,
      notAlerted?.reason,
    );
  }
  if ((action === 'pickUp' || action === 'join' || action === 'merge' || isCallAction(action)) && !target) {
    const rule = isCallAction(action) ? CALL_ACTIONS[action].rule : LINE_ACTION_PERMISSIONS[action].rule;
    const none = refusal('CALL_NOT_FOUND', rule, {
      case: 'noCallYet',
      line: shownNumber(number),
    });
    check(none.rule, false, none.message, none.code);
  }
  return verdict();
};

/** What the other end of a call, outside the account, does on it: the simulator plays it as it plays a caller. */
export type OtherEndAction = 'answer' | 'hangUp';

/** The other end of the call in progress on a line, and R20's answer to each of its acts. */
export interface OtherEnd {
  readonly callId: string;
  /** The number at the other end, E.164. */
  readonly number: string;
  readonly can: Readonly<Record<OtherEndAction, Diagnosis>>;
}

/**
 * The other end of line L's call in progress, and why it can or cannot answer it (a call a party placed,
 * still dialing: R12) or hang up (R14), by the line decider's own steps; `null` with no call on the line.
 */
export const otherEndOf = (readModels: ReadModels, accountId: string, number: string): OtherEnd | null => {
  const { lines, calls } = readModels.state(callsProjection);
  const key = lines.get(lineKey(accountId, number))?.live[0];
  const live = key === undefined ? null : (calls.get(key)?.live ?? null);
  if (!live) return null;
  const facts: LineFacts = { call: live, recentCalls: [] };
  const { callId, external } = live;
  const line = lineTitle(readModels, accountId, number);
  const diagnosis = (verb: string, steps: readonly DecidedStep[]): Diagnosis => {
    const refused = refusalOf(steps);
    const checks = steps.map((step): Check =>
      step.ok
        ? { rule: step.rule, ok: true, detail: step.message }
        : { rule: step.rule, ok: false, detail: step.message, code: step.code },
    );
    return {
      question: `Why can ${shownNumber(external)}, the other end of call ${callId} on line ${line}, not ${verb} it?`,
      answer: refused
        ? `${shownNumber(external)} cannot ${verb} call ${callId} on line ${line}: ${refused.message}`
        : `${shownNumber(external)} can ${verb} call ${callId} on line ${line}.`,
      rule: refused?.rule ?? steps.at(-1)?.rule ?? null,
      ...(refused ? { code: refused.code } : {}),
      checks,
    };
  };
  return {
    callId,
    number: shownNumber(external),
    can: {
      answer: diagnosis('answer', explainExternalAnswer(facts, callId)),
      hangUp: diagnosis('hang up', explainExternalHangUp(facts, callId)),
    },
  };
};
