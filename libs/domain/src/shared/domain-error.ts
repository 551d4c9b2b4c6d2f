import {
  kindOf,
  sentenceOf,
  type ReasonCode,
  type RefusalKind,
  type RuleId,
  type SentenceParams,
} from '../reasons.js';

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

/**
 * The refusal of `code` under `rule`, in the catalogue's sentence for it filled with `params` (checked
 * against the sentence's placeholders when compiled); `details` are the structured fields an answer
 * carries beside the sentence.
 */
export const refusal = <Code extends ReasonCode>(
  code: Code,
  rule: RuleId,
  params: SentenceParams<Code>,
  details?: Readonly<Record<string, unknown>>,
): Refusal => ({ ok: false, code, rule, message: sentenceOf(code, params), ...(details ? { details } : {}) });

/** Rejects the command with `refusal(code, rule, params, details)`. */
export function refuse<Code extends ReasonCode>(
  code: Code,
  rule: RuleId,
  params: SentenceParams<Code>,
  details?: Readonly<Record<string, unknown>>,
): never {
  throw new DomainError(refusal(code, rule, params, details));
}

/** Rejects with exactly the refusal a check gave, so a rejection and a diagnosis never disagree. */
export function rejectWith(refused: Refusal): never {
  throw new DomainError(refused);
}

export const pass = (rule: RuleId, message: string): Pass => ({ ok: true, rule, message });

/**
 * A command the domain refuses. `code` is a stable, machine-readable reason from the catalogue
 * (part of the API contract: clients switch on it); `message` tells a person what to change, in the
 * catalogue's sentence for the code; `rule` names the SPEC rule. The catalogue gives the code its
 * `kind`, which decides the HTTP status. Built from a `refusal`, never from a sentence of its own.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly kind: RefusalKind;
  readonly code: ReasonCode;
  readonly rule: RuleId;
  readonly details: Readonly<Record<string, unknown>>;

  constructor({ code, rule, message, details }: Refusal) {
    super(message);
    this.code = code;
    this.rule = rule;
    this.details = details ?? {};
    this.kind = kindOf(code);
  }
}
