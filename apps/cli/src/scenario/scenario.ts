import type { ApiCommand, CallingPlan, Permission } from '../api-client.js';

/**
 * A scenario file (YAML or JSON): parties, delegations and a timeline of commands, each with what
 * must come of it. It is run against a live stack in an account of its own (the file's account id
 * plus a run suffix), so a scenario can run any number of times.
 */
export interface Scenario {
  readonly name: string;
  /** Which SPEC rules the scenario documents, e.g. [R12]. */
  readonly rules?: readonly string[];
  readonly account: string;
  readonly parties: readonly {
    readonly id: string;
    readonly name?: string;
    readonly numbers: readonly string[];
    readonly plan?: CallingPlan;
    /** R4: Assistant enabled on a supported desktop client (needed to accept an invitation). */
    readonly assistant?: boolean;
  }[];
  readonly delegations?: readonly {
    readonly id: string;
    readonly delegator: string;
    readonly delegate: string;
    readonly permissions: readonly Permission[];
    readonly lines: readonly string[];
    /** Accept the invitation (default true). */
    readonly accept?: boolean;
  }[];
  readonly steps: readonly Step[];
}

/** A command in the CLI's vocabulary, without the account (the run's account is filled in). */
export type StepCommand = Readonly<Record<string, unknown>> & { readonly type: ApiCommand['type'] };

export interface Step {
  readonly note?: string;
  readonly command?: StepCommand;
  readonly expect?: Expectation;
  /** A projector query (path with {accountId}) and a subset its JSON answer must contain. */
  readonly projector?: { readonly get: string; readonly contains: unknown };
}

export interface Expectation {
  /** The command is accepted (2xx). */
  readonly ok?: boolean;
  /** The command is rejected with this reason code (`LINE_BUSY`). */
  readonly rejected?: string;
  /** The command's events, by type, in order. */
  readonly events?: readonly string[];
  /** The call is answered by this party (a `CallAnswered` or `CallTransferred` event names it). */
  readonly answeredBy?: string;
}

/** Does `actual` contain `expected` (objects: every expected key, recursively; arrays: element-wise prefix)? */
export const contains = (actual: unknown, expected: unknown): boolean => {
  if (expected === null || typeof expected !== 'object') return actual === expected;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.every((item, i) => contains(actual[i], item));
  }
  if (actual === null || typeof actual !== 'object') return false;
  return Object.entries(expected).every(([key, value]) =>
    contains((actual as Record<string, unknown>)[key], value),
  );
};

export interface StepOutcome {
  readonly status: number;
  readonly code: string | undefined;
  readonly events: readonly { readonly type: string; readonly data: Record<string, unknown> }[];
}

/** What is wrong with an outcome, against an expectation; empty when it holds. */
export const checkExpectation = (expectation: Expectation, outcome: StepOutcome): string[] => {
  const problems: string[] = [];
  const ok = outcome.status >= 200 && outcome.status < 300;
  if (expectation.ok !== undefined && expectation.ok !== ok) {
    problems.push(
      `expected ${expectation.ok ? 'success' : 'a rejection'}, got ${outcome.status} ${outcome.code ?? ''}`.trim(),
    );
  }
  if (expectation.rejected !== undefined && (ok || outcome.code !== expectation.rejected)) {
    problems.push(
      `expected rejection ${expectation.rejected}, got ${outcome.status} ${outcome.code ?? ''}`.trim(),
    );
  }
  if (expectation.events !== undefined) {
    const types = outcome.events.map((e) => e.type);
    if (JSON.stringify(types) !== JSON.stringify(expectation.events)) {
      problems.push(`expected events [${expectation.events.join(', ')}], got [${types.join(', ')}]`);
    }
  }
  if (expectation.answeredBy !== undefined) {
    const answer = outcome.events.find((e) => e.type === 'CallAnswered' || e.type === 'CallTransferred');
    if (answer?.data.by !== expectation.answeredBy) {
      problems.push(
        `expected the call answered by ${expectation.answeredBy}, got ${String(answer?.data.by ?? 'no answer')}`,
      );
    }
  }
  return problems;
};
