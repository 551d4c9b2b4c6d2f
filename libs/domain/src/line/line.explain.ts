import type { LinePermissionUsed } from '#events';
import type { DomainError, RuleId } from '../shared/domain-error.js';
import type { LineContext, LineDelegate } from './line.context.js';

/** What a party may ask to do on a shared line, and R20 may be asked about. */
export type LineAction = 'answer' | 'placeCall' | 'pickUp' | 'join';

/** The permission a delegate needs for each action (R6), and the rule the decider names without it. */
export const LINE_ACTION_PERMISSIONS: Readonly<
  Record<LineAction, { readonly permission: LinePermissionUsed; readonly rule: RuleId }>
> = {
  placeCall: { permission: 'placeCalls', rule: 'R12' },
  answer: { permission: 'answerCalls', rule: 'R13' },
  pickUp: { permission: 'pickUpHeldCalls', rule: 'R15' },
  join: { permission: 'joinAndMerge', rule: 'R16' },
};

/** A step of the decider's way to a line decision that let the party through. */
export interface LinePass {
  readonly ok: true;
  /** The (last) rule the step checked. */
  readonly rule: RuleId;
  readonly message: string;
}

/** The step that refused: exactly the code, rule, sentence, kind and details the decider rejects with. */
export interface LineRefusal {
  readonly ok: false;
  readonly rule: RuleId;
  readonly code: string;
  readonly message: string;
  readonly kind: DomainError['kind'];
  readonly details: Readonly<Record<string, unknown>>;
  /**
   * When the refusal rests on another rule's decision (routing's R13/R19/R5 for a party not alerted,
   * its own decline under R14): that rule and reason, which R20 names as the failing rule.
   */
  readonly cause?: { readonly rule: RuleId; readonly code: string };
}

export type LineCheck = LinePass | LineRefusal;

export type ActingParty =
  | { readonly role: 'delegator'; readonly onBehalfOf: null }
  | { readonly role: 'delegate'; readonly onBehalfOf: string; readonly delegate: LineDelegate };

const pass = (rule: RuleId, message: string): LinePass => ({ ok: true, rule, message });

/**
 * R10, R2–R4: who acts on the line. The delegator uses its own line; a delegate only a line shared
 * with it, with an active delegation, while both sides stay eligible (the delegator's R2/R3 first).
 * The checks end at the first refusal; `acting` is set only when none refused.
 */
export const explainActor = (
  context: LineContext,
  actor: string,
): { readonly checks: readonly LineCheck[]; readonly acting: ActingParty | null } => {
  const number = context.line.number;
  const { delegator } = context;
  if (actor === delegator.partyId) {
    return {
      checks: [pass('R10', `${delegator.name} owns line ${number}.`)],
      acting: { role: 'delegator', onBehalfOf: null },
    };
  }
  const checks: LineCheck[] = [];
  const refuse = (refusal: Omit<LineRefusal, 'ok' | 'kind'>) => ({
    checks: [...checks, { ok: false as const, kind: 'unprocessable' as const, ...refusal }],
    acting: null,
  });
  const delegate = context.delegates.find((d) => d.partyId === actor);
  if (!delegate) {
    return refuse({
      rule: 'R10',
      code: 'LINE_NOT_SHARED',
      message: `Line ${number} is not shared with ${actor}; ask ${delegator.name} to invite you as a delegate.`,
      details: { line: number, party: actor },
    });
  }
  checks.push(pass('R10', `Line ${number} is shared with ${delegate.name}.`));
  if (!delegate.active) {
    return refuse({
      rule: 'R10',
      code: 'DELEGATION_NOT_ACTIVE',
      message: `${delegate.name}'s delegation for line ${number} is not active; accept the invitation first.`,
      details: { line: number, party: actor },
    });
  }
  checks.push(pass('R10', `${delegate.name}'s delegation for line ${number} is active.`));
  if (delegator.eligibility) {
    const { rule, code, message } = delegator.eligibility;
    return refuse({ rule, code, message, details: { line: number, party: delegator.partyId } });
  }
  checks.push(pass('R3', `${delegator.name} has a calling plan and may delegate.`));
  if (delegate.eligibility) {
    const { rule, code, message } = delegate.eligibility;
    return refuse({ rule, code, message, details: { line: number, party: actor } });
  }
  checks.push(
    pass(
      'R4',
      `${delegate.name} has a calling plan, may take part in delegation and meets the Assistant needs.`,
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
): LineCheck => {
  if (acting.role === 'delegator') {
    return pass(rule, `${context.delegator.name} is the delegator and needs no permission on its own line.`);
  }
  const { delegate } = acting;
  if (delegate.permissions.includes(permission)) return pass(rule, `${delegate.name} has ${permission}.`);
  return {
    ok: false,
    rule,
    code: 'PERMISSION_REQUIRED',
    kind: 'unprocessable',
    message:
      `${delegate.name} needs the ${permission} permission on line ${context.line.number}; ` +
      `ask ${context.delegator.name} to grant it.`,
    details: { permission, party: delegate.partyId },
  };
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
): readonly LineCheck[] => {
  const { checks, acting } = explainActor(context, partyId);
  if (!acting) return checks;
  const { permission, rule } = LINE_ACTION_PERMISSIONS[action];
  return [...checks, explainLinePermission(acting, permission, rule, context)];
};

/** The first refusal among checks, if any. */
export const refusalOf = (checks: readonly LineCheck[]): LineRefusal | undefined =>
  checks.find((check): check is LineRefusal => !check.ok);
