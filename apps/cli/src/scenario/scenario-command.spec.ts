import { runTotals } from './scenario-command.js';

const ok = (step: string) => ({ step, passed: true, problems: [] });
const failed = (step: string) => ({ step, passed: false, problems: ['expected success, got 409 LINE_BUSY'] });

describe('scenario run totals', () => {
  it('counts scenarios passed and failed, and the steps run', () => {
    // Given two scenarios that passed
    const all = { 'a.yaml': [ok('1. place'), ok('2. answer')], 'b.yaml': [ok('1. place')] };
    // When totalled, Then the line says all passed
    expect(runTotals(all)).toBe('2 scenarios: 2 passed, 0 failed; 3 steps');
  });

  it('counts a scenario with a failed step, and one that could not run, as failed', () => {
    // Given a scenario with a failed step, one that could not run, and one that passed
    const all = {
      'a.yaml': [ok('1. place'), failed('2. answer')],
      'b.yaml': { error: 'not a valid scenario: steps: missing' },
      'c.yaml': [ok('1. place')],
    };
    // When totalled, Then both count as failed and the failed step is named in the step count
    expect(runTotals(all)).toBe('3 scenarios: 1 passed, 2 failed; 3 steps, 1 failed');
  });

  it('writes a single scenario and step in the singular', () => {
    // Given one scenario of one step, When totalled, Then neither noun takes an s
    expect(runTotals({ 'a.yaml': [ok('1. place')] })).toBe('1 scenario: 1 passed, 0 failed; 1 step');
  });
});
