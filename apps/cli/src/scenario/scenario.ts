import { createHash } from 'node:crypto';
import { ID_PATTERN, ID_RULE } from '#events';
import { type ApiCommand, CALL_COMMAND_TYPES, type CallingPlan, COMMAND_TYPES, type Permission } from '#load';

/**
 * A scenario file (YAML or JSON): parties, delegations and a timeline of commands, each with what
 * must come of it. It is run against a live stack in an account of its own (the file's account id
 * plus a run id), so a scenario can run any number of times against one stack; with the same run id
 * on a fresh virtual-clock stack it writes the same events (R21).
 *
 * Strings anywhere in a step may use placeholders (see `resolvePlaceholders`): `{accountId}` for the
 * run's account, `{id:x}` (alias `{call:x}`, `{delegation:x}`) for an id scoped to the run, and
 * `{t0}` / `{t0+90s}` for simulated times relative to the scenario's start on the virtual clock.
 */
export interface Scenario {
  readonly name: string;
  /** What the scenario shows, in a sentence or two (scenarios double as documentation). */
  readonly description?: string;
  /** Which SPEC rules the scenario documents, e.g. [R12]. */
  readonly rules?: readonly string[];
  readonly account: string;
  /** Account policy fields set at creation (R3, R4, R5, R7 auto-activation, R8 limits). */
  readonly policy?: Readonly<Record<string, unknown>>;
  /** R22: the account setting `maxSpeedDials` (keys per party), set by the admin after creation. */
  readonly speedDialLimit?: number;
  /**
   * Where the scenario's time starts on the shared virtual clock: `start: "mon 09:00"` moves the clock
   * forward to the next Monday 09:00 UTC (or keeps it if it is there), so business hours (R13) and
   * relative times (`at: +30s`) mean the same on every run. Without it, t0 is the clock's time.
   */
  readonly clock?: { readonly start?: string };
  readonly parties: readonly PartySpec[];
  readonly delegations?: readonly {
    readonly id: string;
    readonly delegator: string;
    readonly delegate: string;
    readonly permissions: readonly Permission[];
    readonly lines: readonly string[];
    /** Accept the invitation (default true; false leaves it pending, or active under auto-activation). */
    readonly accept?: boolean;
  }[];
  readonly steps: readonly Step[];
}

export interface PartySpec {
  readonly id: string;
  readonly name?: string;
  /** R1: a phone user (default) or a common-area phone. */
  readonly kind?: 'phoneUser' | 'commonAreaPhone';
  readonly numbers: readonly string[];
  readonly plan?: CallingPlan;
  /** R5: the Power Pack add-on. */
  readonly powerPack?: boolean;
  /**
   * R4: Assistant enabled on a supported desktop client (needed to accept an invitation): `true` for
   * macOS 6.5.0, or the client to report.
   */
  readonly assistant?: boolean | { readonly platform: string; readonly version: string };
  /** R23: names of the party's direct numbers, by number (`'+15550000001': Sales`). */
  readonly lineNames?: Readonly<Record<string, string>>;
  /** R22: the party's speed-dial keys, added by the admin at setup. */
  readonly speedDials?: readonly SpeedDialSpec[];
}

/** R22: one speed-dial key; `id` is its entry id in the party's list. */
export interface SpeedDialSpec {
  readonly id: string;
  readonly label: string;
  readonly number: string;
  readonly position: number;
}

/** A command in the CLI's vocabulary, without the account (the run's account is filled in). */
export type StepCommand = Readonly<Record<string, unknown>> & { readonly type: ApiCommand['type'] };

/** Any api route, for commands the CLI vocabulary has no name for (policy, opt-out, VIP, voicemail…). */
export interface ApiRequestStep {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: Readonly<Record<string, unknown>>;
}

/** Move the shared virtual clock (R21): by seconds, or to a time relative to t0 (`+90s`). */
export interface AdvanceStep {
  readonly seconds?: number;
  readonly to?: string;
}

export interface Step {
  readonly note?: string;
  readonly command?: StepCommand;
  readonly api?: ApiRequestStep;
  readonly advance?: AdvanceStep;
  readonly expect?: Expectation;
  /**
   * A projector query (path with placeholders) and what its answer must be: a JSON subset it must
   * contain and/or its HTTP status. Timer-fired events (ring timeout, recall) carry no position the
   * runner knows, so a mismatch is read again until the projector shows it or 5 s pass.
   */
  readonly projector?: {
    readonly get: string;
    readonly contains?: unknown;
    readonly status?: number;
  };
}

export const STEP_KEYS: readonly string[] = ['note', 'command', 'api', 'advance', 'expect', 'projector'];

/** The members a scenario, a party, a delegation and an expectation may have: a typo is no silent no-op. */
export const SCENARIO_KEYS: readonly string[] = [
  'name',
  'description',
  'rules',
  'account',
  'policy',
  'speedDialLimit',
  'clock',
  'parties',
  'delegations',
  'steps',
];
const PARTY_KEYS: readonly string[] = [
  'id',
  'name',
  'kind',
  'numbers',
  'plan',
  'powerPack',
  'assistant',
  'lineNames',
  'speedDials',
];
const DELEGATION_KEYS: readonly string[] = ['id', 'delegator', 'delegate', 'permissions', 'lines', 'accept'];
const EXPECT_KEYS: readonly string[] = ['ok', 'rejected', 'status', 'events', 'answeredBy', 'contains'];

export interface Expectation {
  /** The command is accepted (2xx). */
  readonly ok?: boolean;
  /** The command is rejected with this reason code (`LINE_BUSY`). */
  readonly rejected?: string;
  /** The HTTP status of the answer. */
  readonly status?: number;
  /** The command's events, by type, in order. */
  readonly events?: readonly string[];
  /** The call is answered by this party (a `CallAnswered` or `CallTransferred` event names it). */
  readonly answeredBy?: string;
  /** A JSON subset the answer body must contain (e.g. a rejection's `rule` and `details`). */
  readonly contains?: unknown;
}

/** Does `actual` contain `expected` (objects: every expected key, recursively; arrays: element-wise prefix)? */
export const contains = (actual: unknown, expected: unknown): boolean => {
  if (expected === null || typeof expected !== 'object') return actual === expected;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.every((item, i) => contains(actual[i], item));
  }
  if (actual === null || typeof actual !== 'object') return false;
  // An expected key is one the answer has: `constructor` must not match Object.prototype's.
  const record = actual as Record<string, unknown>;
  return Object.entries(expected).every(([key, value]) =>
    contains(Object.hasOwn(record, key) ? record[key] : undefined, value),
  );
};

export interface StepOutcome {
  readonly status: number;
  readonly code: string | undefined;
  /** The api's sentence for a rejection: the code alone does not say which party, line or call. */
  readonly message?: string;
  readonly events: readonly { readonly type: string; readonly data: Record<string, unknown> }[];
  readonly body?: unknown;
}

/** An answer as a problem names it: `409 LINE_BUSY: line +15550000001 is busy`, or `200`. */
export const describeAnswer = ({ status, code, message }: Omit<StepOutcome, 'events'>): string => {
  const answer = code ? `${status} ${code}` : `${status}`;
  return message ? `${answer}: ${message}` : answer;
};

/** What is wrong with an outcome, against an expectation; empty when it holds. */
export const checkExpectation = (expectation: Expectation, outcome: StepOutcome): string[] => {
  const problems: string[] = [];
  const ok = outcome.status >= 200 && outcome.status < 300;
  if (expectation.ok !== undefined && expectation.ok !== ok) {
    problems.push(`expected ${expectation.ok ? 'success' : 'a rejection'}, got ${describeAnswer(outcome)}`);
  }
  if (expectation.rejected !== undefined && (ok || outcome.code !== expectation.rejected)) {
    problems.push(`expected rejection ${expectation.rejected}, got ${describeAnswer(outcome)}`);
  }
  if (expectation.status !== undefined && expectation.status !== outcome.status) {
    problems.push(`expected status ${expectation.status}, got ${describeAnswer(outcome)}`);
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
  if (expectation.contains !== undefined && !contains(outcome.body, expectation.contains)) {
    problems.push(
      `expected the answer to contain ${JSON.stringify(expectation.contains)}: ${JSON.stringify(outcome.body ?? null).slice(0, 400)}`,
    );
  }
  return problems;
};

// ── Time and placeholders ────────────────────────────────────────────────────────────────────────

const UNIT_SECONDS: ReadonlyMap<string, number> = new Map([
  ['s', 1],
  ['m', 60],
  ['h', 3600],
  ['d', 86_400],
]);

/**
 * `+90s`, `+2m`, `+1h`, `+1d` → seconds; undefined when `text` is not an offset. The unit is
 * required: `to: +15550100` on a call is a phone number, not an offset.
 */
export const parseOffset = (text: string): number | undefined => {
  const match = /^\+(\d+)([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS.get(match[2]!)!;
};

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/**
 * The first instant at or after `now` matching `start` (`"mon 09:00"` or `"09:00"`, UTC). The
 * virtual clock is shared by every run against a stack and never goes back, so a scenario that
 * depends on the weekday or time of day aligns to the next such moment instead of a fixed date.
 */
export const alignStart = (now: Date, start: string): Date => {
  const match = /^(?:(sun|mon|tue|wed|thu|fri|sat)\s+)?([01]\d|2[0-3]):([0-5]\d)$/i.exec(start.trim());
  if (!match) {
    throw new Error(`clock.start must look like "mon 09:00" or "09:00" (UTC), not "${start}"`);
  }
  const day = match[1] === undefined ? undefined : WEEKDAYS.indexOf(match[1].toLowerCase() as never);
  const candidate = new Date(now);
  candidate.setUTCHours(Number(match[2]), Number(match[3]), 0, 0);
  for (let i = 0; i < 8; i++) {
    if (candidate.getTime() >= now.getTime() && (day === undefined || candidate.getUTCDay() === day)) {
      return candidate;
    }
    candidate.setUTCDate(candidate.getUTCDate() + 1);
  }
  throw new Error('unreachable: some day of the next eight matches');
};

/** What placeholders resolve against: the run's account and the scenario's start time. */
export interface RunContext {
  readonly accountId: string;
  readonly t0: Date;
}

/** The run-scoped form of an id the scenario names (`c1` → `<accountId>-c1`). */
export const scopedId = (context: RunContext, id: string): string => `${context.accountId}-${id}`;

/**
 * The command id of the run's request `label` (`setup3`, `step7`). The api derives event ids, the
 * command id and correlation metadata from it, so a run with the same account writes the same events
 * (R21); without it every request got a random one. Too long for an id (64 characters), it is hashed.
 */
export const commandIdFor = (context: RunContext, label: string): string => {
  const readable = `${context.accountId}-${label}`;
  return readable.length <= 64 ? readable : createHash('sha256').update(readable).digest('hex').slice(0, 40);
};

/** What makes a scenario a timeline: it only means something on a virtual clock (R21). */
export const usesVirtualTime = (scenario: Scenario): boolean =>
  scenario.clock?.start !== undefined ||
  scenario.steps.some((step) => step.advance !== undefined || /"at":|\{t0/.test(JSON.stringify(step)));

const timeAt = (context: RunContext, offset: string | undefined): string => {
  const seconds = offset === undefined ? 0 : parseOffset(offset);
  if (seconds === undefined) throw new Error(`"{t0${offset}}": the offset must look like +90s, +2m, +1h`);
  return new Date(context.t0.getTime() + seconds * 1000).toISOString();
};

const PLACEHOLDER = /\{(accountId|(?:id|call|delegation):([A-Za-z0-9_-]+)|t0(\+[0-9]+[smhd])?)\}/g;

/** A string with every placeholder replaced (`{accountId}`, `{id:x}`, `{call:x}`, `{t0+30s}`). */
export const resolveString = (text: string, context: RunContext): string =>
  text.replace(PLACEHOLDER, (_match, whole: string, id: string | undefined, offset: string | undefined) => {
    if (whole === 'accountId') return context.accountId;
    if (id !== undefined) return scopedId(context, id);
    return timeAt(context, offset);
  });

/**
 * A value with placeholders resolved in every string, and relative times in `at` / `to` fields
 * (`at: +30s`) turned into ISO times: commands are written once and mean the same on every run.
 */
export const resolvePlaceholders = <T>(value: T, context: RunContext, key?: string): T => {
  if (typeof value === 'string') {
    if ((key === 'at' || key === 'to') && parseOffset(value) !== undefined) {
      return timeAt(context, value) as T;
    }
    return resolveString(value, context) as T;
  }
  if (Array.isArray(value)) return value.map((item) => resolvePlaceholders(item, context)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolvePlaceholders(v, context, k)]),
    ) as T;
  }
  return value;
};

/** The ids a command names that are scoped to the run (so repeated runs never collide). */
const SCOPED_COMMAND_FIELDS = ['callId', 'delegationId', 'recordingId', 'messageId'] as const;

/** A step's command for this run: placeholders resolved, run-scoped ids, the run's account. */
export const commandForRun = (command: StepCommand, context: RunContext): ApiCommand => {
  const resolved: Record<string, unknown> = { ...resolvePlaceholders(command, context) };
  for (const field of SCOPED_COMMAND_FIELDS) {
    const id = resolved[field];
    if (typeof id === 'string' && !id.startsWith(`${context.accountId}-`)) {
      resolved[field] = scopedId(context, id);
    }
  }
  return { ...resolved, accountId: context.accountId } as unknown as ApiCommand;
};

/**
 * A step's command must be one the CLI can route: an unknown type, or a call command without its
 * line or call id, has no request to send (the runner used to stop on a TypeError from inside the
 * route builder, or address a call named "undefined").
 */
const commandProblems = (command: StepCommand, index: number): string[] => {
  const type: unknown = command.type;
  if (typeof type !== 'string' || !(COMMAND_TYPES as readonly string[]).includes(type)) {
    return [
      `step ${index + 1}: unknown command type ${JSON.stringify(type ?? null)} (use ${COMMAND_TYPES.join(', ')}, or an api step)`,
    ];
  }
  if (!(CALL_COMMAND_TYPES as readonly string[]).includes(type)) return [];
  return (['line', 'callId'] as const)
    .filter((field) => typeof command[field] !== 'string')
    .map((field) => `step ${index + 1}: ${type} needs ${field}`);
};

/** R22/R23 setup of a party: a map of line names and a list of keys, each key with its four fields. */
const partyProblems = (party: PartySpec): string[] => {
  const problems: string[] = [];
  const names = party.lineNames;
  if (names !== undefined && (names === null || typeof names !== 'object' || Array.isArray(names))) {
    problems.push(`party ${party.id}: lineNames must map numbers to names`);
  }
  if (party.speedDials !== undefined && !Array.isArray(party.speedDials)) {
    problems.push(`party ${party.id}: speedDials must be a list`);
  }
  for (const [index, key] of (Array.isArray(party.speedDials) ? party.speedDials : []).entries()) {
    const fields = ['id', 'label', 'number'].filter(
      (field) => typeof key?.[field as keyof SpeedDialSpec] !== 'string',
    );
    if (typeof key?.position !== 'number') fields.push('position');
    if (fields.length > 0) {
      problems.push(`party ${party.id}: speedDials[${index}] needs ${fields.join(', ')}`);
    }
  }
  return problems;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `where: unknown field(s) a, b (use …)`, or nothing. */
const unknownKeys = (where: string, value: unknown, allowed: readonly string[]): string[] => {
  if (!isRecord(value)) return [];
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  return unknown.length > 0
    ? [`${where}: unknown field(s) ${unknown.join(', ')} (use ${allowed.join(', ')})`]
    : [];
};

/** An id the api will take (the run's scoping only adds a prefix): said before anything is sent. */
const idProblem = (where: string, id: unknown): string[] =>
  typeof id === 'string' && ID_PATTERN.test(id)
    ? []
    : [`${where} ${JSON.stringify(id ?? null)}: an id ${ID_RULE}`];

/** The last instant a Date holds: 8.64e15 ms after 1970, in seconds. */
const MAX_OFFSET_SECONDS = 8.64e12;

/** Relative times (`at: +30s`, `advance.to`) a clock can reach; one past it stopped the run with "Invalid time value". */
const offsetProblems = (where: string, value: unknown, key?: string): string[] => {
  if (typeof value === 'string') {
    const seconds = (key === 'at' || key === 'to') && value.startsWith('+') ? parseOffset(value) : undefined;
    return seconds !== undefined && seconds > MAX_OFFSET_SECONDS
      ? [`${where}: ${key} ${value} is further than a clock can go`]
      : [];
  }
  if (Array.isArray(value)) return value.flatMap((item) => offsetProblems(where, item));
  if (isRecord(value)) return Object.entries(value).flatMap(([k, v]) => offsetProblems(where, v, k));
  return [];
};

/** What is wrong with a scenario's shape; empty when it can run. */
export const scenarioProblems = (scenario: Scenario): string[] => {
  const problems: string[] = [];
  if (!isRecord(scenario)) return ['the file is not a scenario object'];
  problems.push(...unknownKeys('the scenario', scenario, SCENARIO_KEYS));
  if (typeof scenario.name !== 'string') problems.push('name is missing');
  if (typeof scenario.account !== 'string') problems.push('account is missing');
  else problems.push(...idProblem('account', scenario.account));
  if (!Array.isArray(scenario.parties)) problems.push('parties must be a list');
  else {
    for (const party of scenario.parties as readonly unknown[]) {
      if (!isRecord(party)) {
        problems.push(`party ${JSON.stringify(party)}: not a party`);
        continue;
      }
      problems.push(...idProblem('party', party.id));
      problems.push(...unknownKeys(`party ${String(party.id)}`, party, PARTY_KEYS));
      problems.push(...partyProblems(party as unknown as PartySpec));
    }
  }
  const parties = new Set(Array.isArray(scenario.parties) ? scenario.parties.map((p) => p?.id) : []);
  if (scenario.delegations !== undefined && !Array.isArray(scenario.delegations)) {
    problems.push('delegations must be a list');
  }
  for (const delegation of Array.isArray(scenario.delegations)
    ? (scenario.delegations as readonly unknown[])
    : []) {
    if (!isRecord(delegation)) {
      problems.push(`delegation ${JSON.stringify(delegation)}: not a delegation`);
      continue;
    }
    const where = `delegation ${String(delegation.id)}`;
    problems.push(...idProblem('delegation', delegation.id));
    problems.push(...unknownKeys(where, delegation, DELEGATION_KEYS));
    for (const role of ['delegator', 'delegate'] as const) {
      if (!parties.has(delegation[role] as string)) {
        problems.push(`${where}: ${role} ${JSON.stringify(delegation[role] ?? null)} is none of the parties`);
      }
    }
  }
  if (!Array.isArray(scenario.steps)) return [...problems, 'steps must be a list'];
  scenario.steps.forEach((step, index) => {
    if (!isRecord(step as unknown)) {
      problems.push(`step ${index + 1}: ${JSON.stringify(step ?? null)} is not a step`);
      return;
    }
    const unknown = Object.keys(step).filter((key) => !STEP_KEYS.includes(key));
    if (unknown.length > 0) {
      problems.push(
        `step ${index + 1}: unknown field(s) ${unknown.join(', ')} (use ${STEP_KEYS.join(', ')})`,
      );
    }
    const actions = [step.command, step.api, step.advance].filter((a) => a !== undefined).length;
    if (actions > 1) problems.push(`step ${index + 1}: give one of command, api, advance`);
    if (actions === 0 && step.projector === undefined) {
      problems.push(`step ${index + 1}: nothing to do (give command, api, advance or projector)`);
    }
    if (step.expect && actions === 0) problems.push(`step ${index + 1}: expect needs a command or api call`);
    problems.push(...unknownKeys(`step ${index + 1}: expect`, step.expect, EXPECT_KEYS));
    const seconds = step.advance?.seconds;
    if (
      seconds !== undefined &&
      !(typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 0)
    ) {
      problems.push(
        `step ${index + 1}: advance.seconds ${JSON.stringify(seconds)} is not a whole number of seconds >= 0`,
      );
    }
    const status = step.expect?.status;
    if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) {
      problems.push(`step ${index + 1}: expect.status ${JSON.stringify(status)} is not an HTTP status`);
    }
    if (step.expect?.ok === true && step.expect.rejected !== undefined) {
      problems.push(`step ${index + 1}: expect ok and rejected ${step.expect.rejected} cannot both hold`);
    }
    problems.push(...offsetProblems(`step ${index + 1}`, { command: step.command, advance: step.advance }));
    if (step.advance && step.advance.seconds === undefined && step.advance.to === undefined) {
      problems.push(`step ${index + 1}: advance needs seconds or to`);
    }
    if (step.command) problems.push(...commandProblems(step.command, index));
  });
  return problems;
};
