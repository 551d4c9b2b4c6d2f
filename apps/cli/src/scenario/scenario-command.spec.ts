import type { Scenario } from './scenario.js';
import { accountSetup, panelUrl, parseScenarioYaml, runAccountIds, runTotals } from './scenario-command.js';

interface StepResult {
  step: string;
  passed: boolean;
  problems: string[];
}
const ok = (step: string): StepResult => ({ step, passed: true, problems: [] });
const failed = (step: string): StepResult => ({
  step,
  passed: false,
  problems: ['expected success, got 409 LINE_BUSY'],
});
const ran = (...steps: StepResult[]) => ({ accountId: 'acme-1', panel: 'http://p/panel', steps });

describe('scenario run totals', () => {
  it('counts scenarios passed and failed, and the steps run', () => {
    // Given two scenarios that passed
    const all = { 'a.yaml': ran(ok('1. place'), ok('2. answer')), 'b.yaml': ran(ok('1. place')) };
    // When totalled, Then the line says all passed
    expect(runTotals(all)).toBe('2 scenarios: 2 passed, 0 failed; 3 steps');
  });

  it('counts a scenario with a failed step, and one that could not run, as failed', () => {
    // Given a scenario with a failed step, one that could not run, and one that passed
    const all = {
      'a.yaml': ran(ok('1. place'), failed('2. answer')),
      'b.yaml': { error: 'not a valid scenario: steps: missing' },
      'c.yaml': ran(ok('1. place')),
    };
    // When totalled, Then both count as failed and the failed step is named in the step count
    expect(runTotals(all)).toBe('3 scenarios: 1 passed, 2 failed; 3 steps, 1 failed');
  });

  it('writes a single scenario and step in the singular', () => {
    // Given one scenario of one step, When totalled, Then neither noun takes an s
    expect(runTotals({ 'a.yaml': ran(ok('1. place')) })).toBe('1 scenario: 1 passed, 0 failed; 1 step');
  });
});

const scenario = (account: string): Scenario => ({
  name: account,
  account,
  parties: [{ id: 'alice', numbers: ['+15550000001'] }],
  steps: [],
});

describe('scenario run identity', () => {
  const files = (...accounts: string[]) =>
    accounts.map((account, i) => ({ file: `${i}.yaml`, scenario: scenario(account) }));

  it("names each run's account after the file's account and the run id, the same on every run", () => {
    // Given two files of different accounts, When run under the run id e2e
    const accounts = runAccountIds(files('r21', 'r12'), { runId: 'e2e' });
    // Then each account is <account>-<run id>
    expect([...accounts.values()]).toEqual(['r21-e2e', 'r12-e2e']);
  });

  it('gives a second file of the same account an account of its own, counted in file order', () => {
    // Given three files, two of the account e2e, When run under one run id
    const accounts = runAccountIds(files('e2e', 'other', 'e2e'), { runId: 'x' });
    // Then the second e2e file runs in e2e-x-2, so its setup does not meet the first one's account
    expect([...accounts.values()]).toEqual(['e2e-x', 'other-x', 'e2e-x-2']);
  });

  it('runs in the account --account names, as given', () => {
    expect([...runAccountIds(files('r21'), { runId: 'e2e', account: 'demo' }).values()]).toEqual(['demo']);
  });

  it("points at the first party's panel in the run's account", () => {
    // Given a run in account r21-e2e, When its panel is named, Then the URL selects account and viewer
    expect(panelUrl('http://127.0.0.1:3001', 'r21-e2e', scenario('r21'))).toBe(
      'http://127.0.0.1:3001/panel?account=r21-e2e&viewer=alice',
    );
  });
});

describe('scenario setup of speed dials and line names (R22, R23)', () => {
  it('R22/R23: sets the account limit, names lines and adds keys, as the admin, after the parties', () => {
    // Given a scenario with a limit, a named line and a key
    const scenario = {
      name: 'dials',
      account: 'd',
      speedDialLimit: 12,
      parties: [
        {
          id: 'alice',
          numbers: ['+15550000001'],
          lineNames: { '+15550000001': 'Sales' },
          speedDials: [{ id: 'bob', label: 'Bob', number: '+15550000002', position: 1 }],
        },
      ],
      steps: [],
    } as unknown as Scenario;
    // When its setup is planned
    const requests = accountSetup(scenario, { accountId: 'd-1', t0: new Date(0) });
    // Then the three come after the account and the party, in this order
    expect(requests.slice(2).map(({ method, path, body }) => ({ method, path, body }))).toEqual([
      { method: 'PUT', path: '/accounts/d-1/speed-dial-limit', body: { actor: 'admin', maxSpeedDials: 12 } },
      {
        method: 'PUT',
        path: '/accounts/d-1/parties/alice/lines/%2B15550000001/name',
        body: { actor: 'admin', name: 'Sales' },
      },
      {
        method: 'POST',
        path: '/accounts/d-1/parties/alice/speed-dials',
        body: { actor: 'admin', entryId: 'bob', label: 'Bob', number: '+15550000002', position: 1 },
      },
    ]);
  });
});

describe('scenario files in YAML', () => {
  it('reads plain YAML as data', () => {
    // Given a scenario's YAML, When read, Then its values are as written
    expect(parseScenarioYaml('name: n\naccount: r12\nrules: [R12]\n')).toEqual({
      name: 'n',
      account: 'r12',
      rules: ['R12'],
    });
  });

  it('refuses an unknown tag in one line naming where, instead of a Node warning and a made-up value', () => {
    // Given a tag the parser does not know on line 2
    const text = 'name: n\naccount: !foo r12\n';
    // When read, Then the file is refused, naming the tag, its line and column
    expect(() => parseScenarioYaml(text)).toThrow(
      new Error('not valid YAML: Unresolved tag: !foo at line 2, column 10'),
    );
  });

  it('refuses broken YAML in one line naming where, not with the source quoted over several', () => {
    // Given a key indented under a value, which YAML reads as a nested mapping it does not allow there
    // When read, Then the message is one line, with the line and column of the problem
    expect(() => parseScenarioYaml('name: n\n  account: r12\n')).toThrow(
      /^not valid YAML: [^\n]+ at line \d+, column \d+$/,
    );
  });
});
