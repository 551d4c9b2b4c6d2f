import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ApiClient, readResult, type CommandResult } from '../api-client.js';
import { HttpClient } from '../http.js';
import { DEFAULT_API_URL, DEFAULT_PROJECTOR_URL, EXIT_FAILED } from '../options.js';
import {
  alignStart,
  checkExpectation,
  commandForRun,
  contains,
  describeAnswer,
  resolvePlaceholders,
  scenarioProblems,
  scopedId,
  type RunContext,
  type Scenario,
  type Step,
  type StepOutcome,
} from './scenario.js';

interface RunOptions {
  api: string;
  projector: string;
  json: boolean;
}

interface Result {
  readonly step: string;
  readonly passed: boolean;
  readonly problems: readonly string[];
}

/** Who provisions the account and answers for common-area phones (R7: nobody signs in to one). */
const ADMIN = 'admin';

interface Request {
  readonly what: string;
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
}

const seg = encodeURIComponent;

/**
 * The provisioning a scenario declares, as api requests: the account with its policy, parties,
 * then each delegation's invitation and (unless `accept: false`, or the policy activated it) its
 * acceptance. `accepts` is decided per invitation, after its answer is known.
 */
const accountSetup = (scenario: Scenario, context: RunContext): Request[] => [
  {
    what: 'createAccount',
    method: 'POST',
    path: '/accounts',
    body: {
      actor: ADMIN,
      accountId: context.accountId,
      name: scenario.name.slice(0, 100),
      ...(scenario.policy ? { policy: scenario.policy } : {}),
    },
  },
  ...scenario.parties.map((party): Request => {
    const common = {
      actor: ADMIN,
      partyId: party.id,
      name: party.name ?? party.id,
      directNumbers: party.numbers,
      callingPlan: party.plan ?? 'unlimited',
      ...(party.powerPack === undefined ? {} : { powerPack: party.powerPack }),
    };
    if (party.kind === 'commonAreaPhone') {
      return {
        what: `provision common-area phone ${party.id}`,
        method: 'POST',
        path: `/accounts/${seg(context.accountId)}/common-area-phones`,
        body: common,
      };
    }
    const assistant =
      party.assistant === true ? { platform: 'macos', version: '6.5.0' } : party.assistant || undefined;
    return {
      what: `provision phone user ${party.id}`,
      method: 'POST',
      path: `/accounts/${seg(context.accountId)}/phone-users`,
      body: { ...common, ...(assistant ? { assistantEnabled: true, desktopClient: assistant } : {}) },
    };
  }),
];

async function send(api: ApiClient, request: Request): Promise<CommandResult> {
  return readResult(
    await api.http.send(request.method, request.path, request.method === 'GET' ? undefined : request.body),
  );
}

async function setUp(api: ApiClient, scenario: Scenario, context: RunContext): Promise<bigint> {
  let position = 0n;
  const must = async (request: Request): Promise<CommandResult> => {
    const result = await send(api, request);
    if (!result.ok) {
      throw new Error(`setup: ${request.what} failed: ${result.status} ${result.code} ${result.message}`);
    }
    position = result.position ?? position;
    return result;
  };
  for (const request of accountSetup(scenario, context)) await must(request);
  const kinds = new Map(scenario.parties.map((p) => [p.id, p.kind ?? 'phoneUser']));
  for (const d of scenario.delegations ?? []) {
    const delegationId = scopedId(context, d.id);
    const invited = await must({
      what: `invite ${d.delegate} for ${d.delegator}`,
      method: 'POST',
      path: `/accounts/${seg(context.accountId)}/delegations`,
      body: {
        actor: d.delegator,
        delegationId,
        delegatorId: d.delegator,
        delegateId: d.delegate,
        permissions: d.permissions,
        sharedLines: d.lines,
      },
    });
    const events = ((invited.body ?? {}) as { events?: { type: string }[] }).events ?? [];
    const activated = events.some((e) => e.type === 'DelegationActivatedByPolicy');
    if (d.accept === false || activated) continue;
    await must({
      what: `accept ${d.id}`,
      method: 'POST',
      path: `/accounts/${seg(context.accountId)}/delegations/${seg(delegationId)}/accept`,
      body: { actor: kinds.get(d.delegate) === 'commonAreaPhone' ? ADMIN : d.delegate },
    });
  }
  return position;
}

/** Waits until the projector has applied the log up to `position`, so a read-model check sees the commands. */
async function projectorReached(http: HttpClient, accountId: string, position: bigint): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const res = await http.send('GET', `/accounts/${encodeURIComponent(accountId)}/roster`);
    const at = (res.json as { position?: string } | undefined)?.position;
    if (at !== undefined && BigInt(at) >= position) return;
    await sleep(25);
  }
  throw new Error(`the projector did not reach position ${position} within 5 s`);
}

/** The scenario's t0 on the shared virtual clock (aligned to `clock.start` when given). */
async function startTime(api: ApiClient, scenario: Scenario): Promise<Date> {
  const clock = (await api.http.getJson<{ mode: string; now: string }>('/clock')) ?? { now: '' };
  const now = new Date(clock.now);
  if (scenario.clock?.start === undefined) return now;
  if (clock.mode !== 'virtual') {
    throw new Error('this scenario sets clock.start: run it against a stack started with CLOCK_MODE=virtual');
  }
  const t0 = alignStart(now, scenario.clock.start);
  if (t0.getTime() !== now.getTime()) {
    const res = await api.http.send('POST', '/clock/advance', { actor: ADMIN, to: t0.toISOString() });
    if (res.status !== 200) throw new Error(`could not move the clock to ${t0.toISOString()}: ${res.text}`);
  }
  return t0;
}

/** Sends a step's command, api call or clock advance; undefined when the step has none. */
async function act(api: ApiClient, step: Step, context: RunContext): Promise<CommandResult | undefined> {
  if (step.command) return api.send(commandForRun(step.command, context));
  if (step.api) {
    const { method, path, body } = resolvePlaceholders(step.api, context);
    return send(api, { what: `${method} ${path}`, method, path, body: { ...body } });
  }
  if (step.advance) {
    const advance = resolvePlaceholders(step.advance, context);
    return send(api, {
      what: 'advance the clock',
      method: 'POST',
      path: '/clock/advance',
      body: {
        actor: ADMIN,
        ...(advance.seconds === undefined ? {} : { bySeconds: advance.seconds }),
        ...(advance.to === undefined ? {} : { to: advance.to }),
      },
    });
  }
  return undefined;
}

const PROJECTOR_PATIENCE_MS = 5_000;

/** The projector answer a step expects, read again while it differs (timer events have no known position). */
async function checkProjector(
  projector: HttpClient,
  check: NonNullable<Step['projector']>,
  context: RunContext,
): Promise<string[]> {
  const path = resolvePlaceholders(check.get, context);
  const expected = check.contains === undefined ? undefined : resolvePlaceholders(check.contains, context);
  const deadline = Date.now() + PROJECTOR_PATIENCE_MS;
  for (;;) {
    const res = await projector.send('GET', path);
    const problems: string[] = [];
    if (check.status !== undefined && res.status !== check.status) {
      problems.push(
        `GET ${path}: expected status ${check.status}, got ${res.status}: ${res.text.slice(0, 300)}`,
      );
    }
    if (expected !== undefined && !contains(res.json, expected)) {
      problems.push(
        `GET ${path} (${res.status}) does not contain ${JSON.stringify(expected)}: ${res.text.slice(0, 600)}`,
      );
    }
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await sleep(50);
  }
}

async function runScenario(file: string, options: RunOptions): Promise<Result[]> {
  const text = await readFile(file, 'utf8');
  const scenario = (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Scenario;
  const shape = scenarioProblems(scenario);
  if (shape.length > 0) throw new Error(`not a valid scenario: ${shape.join('; ')}`);
  const api = new ApiClient(options.api);
  const projector = new HttpClient(options.projector, 2);
  const results: Result[] = [];
  try {
    // Every id the scenario names is scoped to this run's account: a stack keeps any number of runs.
    const accountId = `${scenario.account}-${randomBytes(3).toString('hex')}`;
    const context: RunContext = { accountId, t0: await startTime(api, scenario) };
    let lastPosition = await setUp(api, scenario, context);
    for (const [index, step] of scenario.steps.entries()) {
      const label = `${index + 1}. ${step.note ?? step.command?.type ?? (step.api ? `${step.api.method} ${step.api.path}` : step.advance ? 'advance the clock' : 'projector check')}`;
      const problems: string[] = [];
      const result = await act(api, step, context);
      if (result) {
        lastPosition = result.position ?? lastPosition;
        const body = (result.body ?? {}) as { events?: StepOutcome['events'] };
        if (step.expect) {
          problems.push(
            ...checkExpectation(resolvePlaceholders(step.expect, context), {
              status: result.status,
              code: result.code,
              message: result.message,
              events: body.events ?? [],
              body: result.body,
            }),
          );
        } else if (!result.ok) {
          problems.push(`rejected unexpectedly: ${describeAnswer(result)}`);
        }
      }
      if (step.projector) {
        await projectorReached(projector, accountId, lastPosition);
        problems.push(...(await checkProjector(projector, step.projector, context)));
      }
      results.push({ step: label, passed: problems.length === 0, problems });
    }
  } finally {
    api.close();
    projector.close();
  }
  return results;
}

type FileResults = Result[] | { readonly error: string };

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The last line of a run: `22 scenarios: 21 passed, 1 failed; 263 steps, 2 failed`. A scenario that
 * could not run (invalid file, failed setup) counts as failed; its steps, never run, are not counted.
 */
export const runTotals = (all: Readonly<Record<string, FileResults>>): string => {
  const runs = Object.values(all);
  const failedScenarios = runs.filter((r) => !Array.isArray(r) || r.some((step) => !step.passed)).length;
  const steps = runs.flatMap((r) => (Array.isArray(r) ? r : []));
  const failedSteps = steps.filter((step) => !step.passed).length;
  return (
    `${plural(runs.length, 'scenario')}: ${runs.length - failedScenarios} passed, ${failedScenarios} failed; ` +
    `${plural(steps.length, 'step')}${failedSteps > 0 ? `, ${failedSteps} failed` : ''}`
  );
};

export const scenarioCommand = (): Command => {
  const scenario = new Command('scenario').description(
    'Scenario files: parties, delegations, a timeline and expectations',
  );
  scenario
    .command('run <files...>')
    .description('Run scenario files (YAML or JSON) against a running stack and report every expectation')
    .option('--api <url>', 'api base url', DEFAULT_API_URL)
    .option('--projector <url>', 'projector base url', DEFAULT_PROJECTOR_URL)
    .option('--json', 'print the results as JSON', false)
    .action(async (files: string[], options: RunOptions) => {
      let failed = false;
      // By file name, as the user typed it: a Map, so any name is just a key.
      const all = new Map<string, FileResults>();
      for (const file of files) {
        try {
          const results = await runScenario(file, options);
          all.set(file, results);
          if (results.some((r) => !r.passed)) failed = true;
          if (!options.json) {
            process.stdout.write(`${file}\n`);
            for (const r of results) {
              process.stdout.write(`  ${r.passed ? 'ok  ' : 'FAIL'} ${r.step}\n`);
              for (const p of r.problems) process.stdout.write(`         ${p}\n`);
            }
          }
        } catch (error) {
          failed = true;
          all.set(file, { error: (error as Error).message });
          if (!options.json) process.stdout.write(`${file}\n  ERROR ${(error as Error).message}\n`);
        }
      }
      if (options.json) process.stdout.write(`${JSON.stringify(Object.fromEntries(all), null, 2)}\n`);
      else process.stdout.write(`${runTotals(Object.fromEntries(all))}\n`);
      process.exitCode = failed ? EXIT_FAILED : 0;
    });
  return scenario;
};
