import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ApiClient, type ApiCommand } from '../api-client.js';
import { HttpClient } from '../http.js';
import { DEFAULT_API_URL, DEFAULT_PROJECTOR_URL, EXIT_FAILED } from '../options.js';
import { checkExpectation, contains, type Scenario, type StepOutcome } from './scenario.js';

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

/** The provisioning a scenario declares, as commands (parties first, then delegations). */
const setupOf = (scenario: Scenario, accountId: string): ApiCommand[] => [
  { type: 'createAccount', actor: 'admin', accountId, name: scenario.name },
  ...scenario.parties.map((party): ApiCommand => ({
    type: 'registerPhoneUser',
    actor: 'admin',
    accountId,
    partyId: party.id,
    name: party.name ?? party.id,
    numbers: party.numbers,
    callingPlan: party.plan ?? 'unlimited',
    ...(party.assistant ? { assistant: { platform: 'macos', version: '6.5.0' } } : {}),
  })),
  ...(scenario.delegations ?? []).flatMap((d): ApiCommand[] => [
    {
      type: 'inviteDelegate',
      actor: d.delegator,
      accountId,
      delegationId: `${accountId}-${d.id}`,
      delegatorId: d.delegator,
      delegateId: d.delegate,
      permissions: d.permissions,
      sharedLines: d.lines,
    },
    ...(d.accept === false
      ? []
      : [
          {
            type: 'acceptDelegation',
            actor: d.delegate,
            accountId,
            delegationId: `${accountId}-${d.id}`,
          } as ApiCommand,
        ]),
  ]),
];

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

async function runScenario(file: string, options: RunOptions): Promise<Result[]> {
  const text = await readFile(file, 'utf8');
  const scenario = (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Scenario;
  const accountId = `${scenario.account}-${randomBytes(3).toString('hex')}`;
  const api = new ApiClient(options.api);
  const projector = new HttpClient(options.projector, 2);
  const results: Result[] = [];
  let lastPosition = 0n;
  try {
    for (const command of setupOf(scenario, accountId)) {
      const result = await api.send(command);
      if (!result.ok)
        throw new Error(`setup ${command.type} failed: ${result.status} ${result.code} ${result.message}`);
      lastPosition = result.position ?? lastPosition;
    }
    for (const [index, step] of scenario.steps.entries()) {
      const label = `${index + 1}. ${step.note ?? step.command?.type ?? 'projector check'}`;
      const problems: string[] = [];
      if (step.command) {
        // Call ids are scoped to the run like the account: read models key calls by call id alone.
        const callId =
          typeof step.command.callId === 'string' ? { callId: `${accountId}-${step.command.callId}` } : {};
        const command = { ...step.command, ...callId, accountId } as unknown as ApiCommand;
        const result = await api.send(command);
        lastPosition = result.position ?? lastPosition;
        const body = (result.body ?? {}) as { events?: StepOutcome['events'] };
        if (step.expect) {
          problems.push(
            ...checkExpectation(step.expect, {
              status: result.status,
              code: result.code,
              events: body.events ?? [],
            }),
          );
        } else if (!result.ok) {
          problems.push(`rejected unexpectedly: ${result.status} ${result.code} ${result.message}`);
        }
      }
      if (step.projector) {
        await projectorReached(projector, accountId, lastPosition);
        const path = step.projector.get.replaceAll('{accountId}', encodeURIComponent(accountId));
        const res = await projector.send('GET', path);
        if (!contains(res.json, step.projector.contains)) {
          problems.push(
            `GET ${path} (${res.status}) does not contain ${JSON.stringify(step.projector.contains)}: ${res.text.slice(0, 400)}`,
          );
        }
      }
      results.push({ step: label, passed: problems.length === 0, problems });
    }
  } finally {
    api.close();
    projector.close();
  }
  return results;
}

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
      const all: Record<string, Result[] | { error: string }> = {};
      for (const file of files) {
        try {
          const results = await runScenario(file, options);
          all[file] = results;
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
          all[file] = { error: (error as Error).message };
          if (!options.json) process.stdout.write(`${file}\n  ERROR ${(error as Error).message}\n`);
        }
      }
      if (options.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      process.exitCode = failed ? EXIT_FAILED : 0;
    });
  return scenario;
};
