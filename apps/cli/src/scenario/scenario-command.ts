import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { parseDocument } from 'yaml';
import { ApiClient, type CommandResult, HttpClient, readResult } from '#load';
import { EXIT_ERROR, EXIT_FAILED, idOptionProblem, stackUrlOption } from '../options.js';
import {
  alignStart,
  checkExpectation,
  commandForRun,
  commandIdFor,
  contains,
  describeAnswer,
  resolvePlaceholders,
  scenarioProblems,
  scopedId,
  usesVirtualTime,
  type RunContext,
  type Scenario,
  type Step,
  type StepOutcome,
} from './scenario.js';

interface RunOptions {
  api: string;
  projector: string;
  json: boolean;
  runId: string;
  account?: string;
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
  /** The run's id for this request (see `commandIdFor`); a `commandId` in the body takes precedence. */
  readonly commandId: string;
}

const seg = encodeURIComponent;

/**
 * The provisioning a scenario declares, as api requests: the account with its policy, parties, the
 * speed-dial limit, line names and speed dials (R22, R23), then each delegation's invitation and (unless `accept: false`, or the policy activated it) its
 * acceptance. `accepts` is decided per invitation, after its answer is known.
 */
export const accountSetup = (scenario: Scenario, context: RunContext): Omit<Request, 'commandId'>[] => [
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
  ...scenario.parties.map((party): Omit<Request, 'commandId'> => {
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
  ...(scenario.speedDialLimit === undefined
    ? []
    : [
        {
          what: `speed-dial limit ${scenario.speedDialLimit}`,
          method: 'PUT',
          path: `/accounts/${seg(context.accountId)}/speed-dial-limit`,
          body: { actor: ADMIN, maxSpeedDials: scenario.speedDialLimit },
        },
      ]),
  ...scenario.parties.flatMap((party) => [
    ...Object.entries(party.lineNames ?? {}).map(([number, name]) => ({
      what: `name ${party.id}'s line ${number}`,
      method: 'PUT',
      path: `/accounts/${seg(context.accountId)}/parties/${seg(party.id)}/lines/${seg(number)}/name`,
      body: { actor: ADMIN, name },
    })),
    ...(party.speedDials ?? []).map((key) => ({
      what: `speed dial ${key.id} of ${party.id}`,
      method: 'POST',
      path: `/accounts/${seg(context.accountId)}/parties/${seg(party.id)}/speed-dials`,
      body: { actor: ADMIN, entryId: key.id, label: key.label, number: key.number, position: key.position },
    })),
  ]),
];

async function send(api: ApiClient, request: Request): Promise<CommandResult> {
  return readResult(
    await api.http.send(
      request.method,
      request.path,
      request.method === 'GET' ? undefined : request.body,
      undefined,
      // A header, not a body field: every command route reads it, and no body validation refuses it.
      { 'idempotency-key': request.commandId },
    ),
  );
}

async function setUp(api: ApiClient, scenario: Scenario, context: RunContext): Promise<bigint> {
  let position = 0n;
  let sent = 0;
  const must = async (request: Omit<Request, 'commandId'>): Promise<CommandResult> => {
    const result = await send(api, { ...request, commandId: commandIdFor(context, `setup${++sent}`) });
    if (result.code === 'ACCOUNT_ALREADY_EXISTS' || (sent === 1 && isDuplicate(result))) {
      // Its commands would be answered as resends (or refused) instead of decided: nothing to check.
      throw new Error(
        `account ${context.accountId} already exists on this stack: give another --run-id or --account ` +
          '(or none, for a fresh one), or run on a fresh store',
      );
    }
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

const isDuplicate = (result: CommandResult): boolean =>
  (result.body as { duplicate?: unknown } | undefined)?.duplicate === true;

/** Sends a step's command, api call or clock advance; undefined when the step has none. */
async function act(
  api: ApiClient,
  step: Step,
  context: RunContext,
  commandId: string,
): Promise<CommandResult | undefined> {
  if (step.command) {
    const command = commandForRun(step.command, context);
    return api.send(command.commandId === undefined ? { ...command, commandId } : command);
  }
  if (step.api) {
    const { method, path, body } = resolvePlaceholders(step.api, context);
    return send(api, { what: `${method} ${path}`, method, path, body: { ...body }, commandId });
  }
  if (step.advance) {
    const advance = resolvePlaceholders(step.advance, context);
    return send(api, {
      what: 'advance the clock',
      method: 'POST',
      path: '/clock/advance',
      commandId,
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

export interface Loaded {
  readonly file: string;
  readonly scenario: Scenario;
}

/**
 * A YAML scenario's data, refused on any problem the parser finds, its warnings too, in one line naming
 * where: `parse` handed a warning (an unknown tag such as `!foo`, whose value it kept as a plain
 * string) to Node's process warnings, which printed a `(node:…) YAMLWarning` block on stderr while the
 * run went on with a value the author did not write.
 */
export const parseScenarioYaml = (text: string): unknown => {
  const document = parseDocument(text);
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) {
    // The first line of the parser's message says what and where; the rest quotes the source.
    const [what] = problem.message.split('\n');
    throw new Error(`not valid YAML: ${what!.replace(/:$/, '')}`);
  }
  return document.toJS();
};

async function loadScenario(file: string): Promise<Scenario> {
  const text = await readFile(file, 'utf8');
  const scenario = (file.endsWith('.json') ? JSON.parse(text) : parseScenarioYaml(text)) as Scenario;
  const shape = scenarioProblems(scenario);
  if (shape.length > 0) throw new Error(`not a valid scenario: ${shape.join('; ')}`);
  return scenario;
}

/**
 * The account each file runs in: `--account` as given, else the file's account with the run id, and
 * a count after it for a second file of the same account (`e2e-<run id>-2`). Every id a scenario names
 * is scoped to it, so a stack keeps any number of runs, and the same run id on a fresh virtual-clock
 * stack gives the same events.
 */
export const runAccountIds = (
  loaded: readonly Loaded[],
  options: { runId: string; account?: string },
): Map<string, string> => {
  const seen = new Map<string, number>();
  return new Map(
    loaded.map(({ file, scenario }) => {
      if (options.account !== undefined) return [file, options.account];
      const count = (seen.get(scenario.account) ?? 0) + 1;
      seen.set(scenario.account, count);
      const accountId = `${scenario.account}-${options.runId}`;
      return [file, count === 1 ? accountId : `${accountId}-${count}`];
    }),
  );
};

/** Where to watch a run: the Assistant panel of the scenario's first party, in its account. */
export const panelUrl = (projector: string, accountId: string, scenario: Scenario): string => {
  const url = new URL('/panel', projector);
  url.searchParams.set('account', accountId);
  const viewer = scenario.parties[0]?.id;
  if (viewer !== undefined) url.searchParams.set('viewer', viewer);
  return url.toString();
};

async function runScenario(scenario: Scenario, accountId: string, options: RunOptions): Promise<Result[]> {
  const api = new ApiClient(options.api);
  const projector = new HttpClient(options.projector, 2);
  const results: Result[] = [];
  try {
    const context: RunContext = { accountId, t0: await startTime(api, scenario) };
    let lastPosition = await setUp(api, scenario, context);
    for (const [index, step] of scenario.steps.entries()) {
      const label = `${index + 1}. ${step.note ?? step.command?.type ?? (step.api ? `${step.api.method} ${step.api.path}` : step.advance ? 'advance the clock' : 'projector check')}`;
      const problems: string[] = [];
      const result = await act(api, step, context, commandIdFor(context, `step${index + 1}`));
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

/**
 * Said once, before anything runs: on a realtime stack a timeline scenario cannot move the clock, and
 * its events carry wall-clock times, so no two runs are alike. Undefined when there is nothing to say
 * (or the api does not answer: each file then reports that itself).
 */
async function realtimeNote(apiUrl: string, timelines: readonly string[]): Promise<string | undefined> {
  if (timelines.length === 0) return undefined;
  const api = new ApiClient(apiUrl);
  try {
    const clock = await api.http.getJson<{ mode?: string }>('/clock', 5_000);
    if (clock?.mode !== 'realtime') return undefined;
    return (
      `note: the api's clock is realtime; timeline scenarios (${timelines.join(', ')}) need a stack ` +
      'started with CLOCK_MODE=virtual to move simulated time and to give the same events on every run (R21)\n'
    );
  } catch {
    return undefined;
  } finally {
    api.close();
  }
}

/** A file's run: its account and panel, and every step's result; or why it could not run. */
type FileResults =
  | { readonly accountId: string; readonly panel: string; readonly steps: readonly Result[] }
  | { readonly error: string; readonly accountId?: string };

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The last line of a run: `22 scenarios: 21 passed, 1 failed; 263 steps, 2 failed`. A scenario that
 * could not run (invalid file, failed setup) counts as failed; its steps, never run, are not counted.
 */
export const runTotals = (all: Readonly<Record<string, FileResults>>): string => {
  const runs = Object.values(all);
  const failedScenarios = runs.filter((r) => !('steps' in r) || r.steps.some((step) => !step.passed)).length;
  const steps = runs.flatMap((r) => ('steps' in r ? r.steps : []));
  const failedSteps = steps.filter((step) => !step.passed).length;
  return (
    `${plural(runs.length, 'scenario')}: ${runs.length - failedScenarios} passed, ${failedScenarios} failed; ` +
    `${plural(steps.length, 'step')}${failedSteps > 0 ? `, ${failedSteps} failed` : ''}`
  );
};

async function runFiles(files: readonly string[], options: RunOptions): Promise<number> {
  const accountProblem =
    options.account === undefined ? undefined : idOptionProblem('--account', options.account);
  if (accountProblem) {
    process.stderr.write(`switchboard scenario run: ${accountProblem}\n`);
    return EXIT_ERROR;
  }
  // By file name, as the user typed it: a Map, so any name is just a key.
  const all = new Map<string, FileResults>();
  const loaded: Loaded[] = [];
  for (const file of files) {
    try {
      loaded.push({ file, scenario: await loadScenario(file) });
    } catch (error) {
      all.set(file, { error: (error as Error).message });
    }
  }
  if (options.account !== undefined && files.length > 1) {
    process.stderr.write(
      `switchboard scenario run: --account names one account: give one scenario file (${files.length} given), or use --run-id\n`,
    );
    return EXIT_ERROR;
  }
  const accountIds = runAccountIds(loaded, options);
  // --account is checked before the files are read; a run id, in the account it makes of each file's.
  const idProblem = [...accountIds.values()]
    .map((accountId) =>
      options.account === undefined ? idOptionProblem('--run-id', options.runId, accountId) : undefined,
    )
    .find((problem) => problem !== undefined);
  if (idProblem) {
    process.stderr.write(`switchboard scenario run: ${idProblem}\n`);
    return EXIT_ERROR;
  }
  const note = await realtimeNote(
    options.api,
    loaded.filter(({ scenario }) => usesVirtualTime(scenario)).map(({ file }) => file),
  );
  if (note) process.stderr.write(note);
  for (const file of files) {
    const scenario = loaded.find((l) => l.file === file)?.scenario;
    if (scenario) {
      const accountId = accountIds.get(file)!;
      try {
        const steps = await runScenario(scenario, accountId, options);
        all.set(file, { accountId, panel: panelUrl(options.projector, accountId, scenario), steps });
      } catch (error) {
        all.set(file, { error: (error as Error).message, accountId });
      }
    }
    if (options.json) continue;
    const result = all.get(file)!;
    process.stdout.write(`${file}\n`);
    if ('steps' in result) {
      for (const r of result.steps) {
        process.stdout.write(`  ${r.passed ? 'ok  ' : 'FAIL'} ${r.step}\n`);
        for (const p of r.problems) process.stdout.write(`         ${p}\n`);
      }
      process.stdout.write(`  account ${result.accountId}, panel ${result.panel}\n`);
    } else {
      process.stdout.write(`  ERROR ${result.error}\n`);
    }
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(Object.fromEntries(all), null, 2)}\n`);
  } else {
    if (options.account === undefined) {
      process.stdout.write(
        `run id ${options.runId}: --run-id ${options.runId} on a fresh virtual-clock stack writes the same events again\n`,
      );
    }
    process.stdout.write(`${runTotals(Object.fromEntries(all))}\n`);
  }
  const failed = [...all.values()].some((r) => !('steps' in r) || r.steps.some((step) => !step.passed));
  return failed ? EXIT_FAILED : 0;
}

export const scenarioCommand = (): Command => {
  const scenario = new Command('scenario').description(
    'Scenario files: parties, delegations, a timeline and expectations',
  );
  scenario
    .command('run <files...>')
    .description('Run scenario files (YAML or JSON) against a running stack and report every expectation')
    .addOption(stackUrlOption('api', 'api base url'))
    .addOption(stackUrlOption('projector', 'projector base url'))
    .option('--json', 'print the results as JSON', false)
    .option(
      '--run-id <id>',
      "suffix of each scenario's account (<account>-<run id>); the same one on a fresh stack repeats a run exactly",
      randomBytes(3).toString('hex'),
    )
    .option('--account <id>', 'run the one scenario given in this account (instead of <account>-<run id>)')
    .action(async (files: string[], options: RunOptions) => {
      process.exitCode = await runFiles(files, options);
    });
  return scenario;
};
