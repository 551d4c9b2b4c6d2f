import { kindOf, type ReasonCode, type RefusalKind, type RuleId } from '../reasons.js';

/**
 * Why a rule says no: the code and rule a command is rejected with, and a sentence telling what to
 * change. Checks that explain themselves (eligibility, a line action's steps, R20's diagnostics)
 * return one; the decider throws it as a `DomainError`, so a diagnosis and a rejection never disagree.
 */
export interface Refusal {
  readonly ok: false;
  readonly code: ReasonCode;
  readonly rule: RuleId;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /**
   * When the refusal rests on another rule's decision (routing's R13/R19/R5 for a party not alerted,
   * its own decline under R14): that rule and reason, which R20 names as the failing rule.
   */
  readonly cause?: { readonly rule: RuleId; readonly code: string };
}

/** A step of the way to a decision that let the party through: the (last) rule it checked, and how. */
export interface Pass {
  readonly ok: true;
  readonly rule: RuleId;
  readonly message: string;
}

/** One step of a decision, explained. */
export type Check = Pass | Refusal;

/** A question with no steps to show (may this party delegate?): yes, or the refusal. */
export type Verdict = { readonly ok: true } | Refusal;

export const ALLOWED: Verdict = { ok: true };

export const refusal = (
  code: ReasonCode,
  rule: RuleId,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): Refusal => ({ ok: false, code, rule, message, ...(details ? { details } : {}) });

export const pass = (rule: RuleId, message: string): Pass => ({ ok: true, rule, message });

/**
 * A command the domain refuses. `code` is a stable, machine-readable reason from the catalogue
 * (part of the API contract: clients switch on it); `message` tells a person what to change; `rule`
 * names the SPEC rule. The catalogue gives the code its `kind`, which decides the HTTP status.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly kind: RefusalKind;

  constructor(
    readonly code: ReasonCode,
    readonly rule: RuleId,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.kind = kindOf(code);
  }

  static of({ code, rule, message, details }: Refusal): DomainError {
    return new DomainError(code, rule, message, details);
  }
}
