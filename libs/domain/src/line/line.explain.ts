import type { LinePermissionUsed } from '#events';
import type { RuleId } from '../reasons.js';
import { pass, refusal, type Check, type Refusal } from '../shared/domain-error.js';
import { named } from '../shared/named.js';
import type { LineContext, LineDelegate } from './line.context.js';

/** What a party may ask to do on a shared line, and R20 may be asked about. */
export type LineAction = 'answer' | 'placeCall' | 'pickUp' | 'join' | 'merge';

/** The permission a delegate needs for each action (R6), and the rule the decider names without it. */
export const LINE_ACTION_PERMISSIONS: Readonly<
  Record<LineAction, { readonly permission: LinePermissionUsed; readonly rule: RuleId }>
> = {
  placeCall: { permission: 'placeCalls', rule: 'R12' },
  answer: { permission: 'answerCalls', rule: 'R13' },
  pickUp: { permission: 'pickUpHeldCalls', rule: 'R15' },
  join: { permission: 'joinAndMerge', rule: 'R16' },
  merge: { permission: 'joinAndMerge', rule: 'R16' },
};

export type ActingParty =
  | { readonly role: 'delegator'; readonly onBehalfOf: null }
  | { readonly role: 'delegate'; readonly onBehalfOf: string; readonly delegate: LineDelegate };

/** An eligibility refusal of the account (R2–R4) as a line answers it: naming the line and the party. */
const onLine = (
  { code, rule, message }: Refusal,
  details: { readonly line: string; readonly party: string },
): Refusal => ({ ok: false, code, rule, message, details });

/**
 * R10, R2–R4: who acts on the line. The delegator uses its own line; a delegate only a line shared
 * with it, with an active delegation, while both sides stay eligible (the delegator's R2/R3 first).
 * The checks end at the first refusal; `acting` is set only when none refused.
 */
export const explainActor = (
  context: LineContext,
  actor: string,
): { readonly checks: readonly Check[]; readonly acting: ActingParty | null } => {
  const number = context.line.number;
  const { delegator } = context;
  if (!context.line.owned) {
    return {
      checks: [refusal('LINE_NOT_FOUND', 'R10', { case: 'onlyItsCall', line: number }, { line: number })],
      acting: null,
    };
  }
  if (actor === delegator.partyId) {
    return {
      checks: [pass('R10', `${named(delegator.name)} owns line ${number}.`)],
      acting: { role: 'delegator', onBehalfOf: null },
    };
  }
  const checks: Check[] = [];
  const refuse = (refused: Check) => ({ checks: [...checks, refused], acting: null });
  const delegate = context.delegates.find((d) => d.partyId === actor);
  if (!delegate) {
    return refuse(
      refusal(
        'LINE_NOT_SHARED',
        'R10',
        { line: number, party: actor, delegator: named(delegator.name) },
        { line: number, party: actor },
      ),
    );
  }
  checks.push(pass('R10', `Line ${number} is shared with ${named(delegate.name)}.`));
  if (!delegate.active) {
    // R7: the invitation lifecycle decides whether a delegation is active, whatever asks.
    return refuse(
      refusal(
        'DELEGATION_NOT_ACTIVE',
        'R7',
        { case: 'line', delegate: named(delegate.name), line: number },
        { line: number, party: actor },
      ),
    );
  }
  checks.push(pass('R7', `${named(delegate.name)}'s delegation for line ${number} is active.`));
  if (delegator.eligibility) {
    return refuse(onLine(delegator.eligibility, { line: number, party: delegator.partyId }));
  }
  checks.push(pass('R3', `${named(delegator.name)} has a calling plan and may delegate.`));
  if (delegate.eligibility) {
    return refuse(onLine(delegate.eligibility, { line: number, party: actor }));
  }
  checks.push(
    pass(
      'R4',
      `${named(delegate.name)} has a calling plan, may take part in delegation and meets the Assistant needs.`,
    ),
  );
  return { checks, acting: { role: 'delegate', onBehalfOf: delegator.partyId, delegate } };
};

/** R6: the permission a delegate exercises; the delegator needs none on its own line. */
export const explainLinePermission = (
  acting: ActingParty,
  permission: LinePermissionUsed,
  rule: RuleId,
  context: LineContext,
): Check => {
  if (acting.role === 'delegator') {
    return pass(
      rule,
      `${named(context.delegator.name)} is the delegator and needs no permission on its own line.`,
    );
  }
  const { delegate } = acting;
  if (delegate.permissions.includes(permission))
    return pass(rule, `${named(delegate.name)} has ${permission}.`);
  return refusal(
    'PERMISSION_REQUIRED',
    rule,
    {
      case: 'line',
      delegate: named(delegate.name),
      permission,
      line: context.line.number,
      delegator: named(context.delegator.name),
    },
    { permission, party: delegate.partyId },
  );
};

/**
 * R20: the permission and eligibility steps the decider takes for `action` by `partyId`, in its own
 * order, ending at the first refusal (the one the api rejects with). The state of the line (busy,
 * ringing, held) is decided after these and is not part of them.
 */
export const explainLineAction = (
  context: LineContext,
  partyId: string,
  action: LineAction,
): readonly Check[] => {
  const { checks, acting } = explainActor(context, partyId);
  if (!acting) return checks;
  const { permission, rule } = LINE_ACTION_PERMISSIONS[action];
  return [...checks, explainLinePermission(acting, permission, rule, context)];
};

/** The first refusal among checks, if any. */
export const refusalOf = (checks: readonly Check[]): Refusal | undefined =>
  checks.find((check): check is Refusal => !check.ok);
