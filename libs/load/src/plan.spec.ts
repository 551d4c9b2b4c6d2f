import { parseMix, pickFlow } from './mix.js';
import { buildTopology, planCall, planCalls, setupCommands, topologyProblems } from './plan.js';
import { randomFor } from './prng.js';
import { drawThinkTime, parseThinkTime } from './think-time.js';

const topology = buildTopology({ accountId: 'acc-1', delegators: 2, delegatesPerDelegator: 2, lines: 4 });
const options = (seed: string) => ({
  seed,
  mix: parseMix('place=3,ring-answer=4,hold-pickup=1,transfer=1,voicemail=1'),
  think: parseThinkTime('exponential:200ms'),
});

describe('seeded command stream', () => {
  it('is the same stream for the same seed, call by call', () => {
    expect(planCalls(topology, options('s1'), 200)).toEqual(planCalls(topology, options('s1'), 200));
  });

  it('differs for another seed', () => {
    expect(planCalls(topology, options('s2'), 50)).not.toEqual(planCalls(topology, options('s1'), 50));
  });

  it('plans call n independently of the calls before it (timing and concurrency cannot change it)', () => {
    expect(planCall(topology, options('s1'), 29)).toEqual(planCalls(topology, options('s1'), 30)[29]);
  });

  it('follows the mix weights', () => {
    const counts = new Map<string, number>();
    for (const call of planCalls(topology, options('mix'), 10_000))
      counts.set(call.flow, (counts.get(call.flow) ?? 0) + 1);
    // Expected 3000/4000/1000/1000/1000; ±10% is many standard deviations wide.
    expect(counts.get('place')).toBeGreaterThan(2700);
    expect(counts.get('place')).toBeLessThan(3300);
    expect(counts.get('ring-answer')).toBeGreaterThan(3600);
    expect(counts.get('voicemail')).toBeGreaterThan(900);
  });

  it('never picks a flow of weight 0', () => {
    const mix = parseMix('place=0,voicemail=1');
    const random = randomFor('x', 'y');
    for (let i = 0; i < 1000; i++) expect(pickFlow(mix, random)).toBe('voicemail');
  });

  it('runs call n on line n mod lines, with parties that share that line', () => {
    const calls = planCalls(topology, options('s1'), 8);
    expect(calls.map((c) => c.line)).toEqual([
      '+15557000001',
      '+15557000002',
      '+15557000003',
      '+15557000004',
      '+15557000001',
      '+15557000002',
      '+15557000003',
      '+15557000004',
    ]);
    const line1Parties = ['boss-1', 'asst-1-1', 'asst-1-2'];
    for (const call of calls.filter((c) => c.line === '+15557000001')) {
      for (const { command } of call.steps) {
        if (command.type !== 'receiveIncomingCall') expect(line1Parties).toContain(command.actor);
      }
    }
  });

  it('gives every command a command id unique within the run', () => {
    const ids = planCalls(topology, options('s1'), 100).flatMap((c) =>
      c.steps.map((s) => s.command.commandId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('builds each flow from the commands it names', () => {
    const flows = new Map(
      planCalls(topology, options('s1'), 200).map((c) => [c.flow, c.steps.map((s) => s.command.type)]),
    );
    expect(flows.get('place')).toEqual(['placeCall', 'hangUp']);
    expect(flows.get('ring-answer')).toEqual(['receiveIncomingCall', 'answerCall', 'hangUp']);
    expect(flows.get('hold-pickup')).toEqual([
      'receiveIncomingCall',
      'answerCall',
      'holdCall',
      'pickUpHeldCall',
      'hangUp',
    ]);
    expect(flows.get('transfer')).toEqual([
      'receiveIncomingCall',
      'answerCall',
      'transferCall',
      'answerCall',
      'hangUp',
    ]);
    expect(flows.get('voicemail')).toEqual([
      'receiveIncomingCall',
      'declineCall',
      'declineCall',
      'declineCall',
    ]);
  });

  it('provisions every party and an accepted delegation per delegate', () => {
    const types = setupCommands(topology).map((c) => c.type);
    expect(types.filter((t) => t === 'registerPhoneUser')).toHaveLength(6);
    expect(types.filter((t) => t === 'inviteDelegate')).toHaveLength(4);
    expect(types.filter((t) => t === 'acceptDelegation')).toHaveLength(4);
    expect(types[0]).toBe('createAccount');
  });
});

describe('think times', () => {
  it('parses the three distributions', () => {
    expect(parseThinkTime('250ms')).toEqual({ kind: 'constant', ms: 250 });
    expect(parseThinkTime('uniform:50ms-2s')).toEqual({ kind: 'uniform', minMs: 50, maxMs: 2000 });
    expect(parseThinkTime('exponential:1s')).toEqual({ kind: 'exponential', meanMs: 1000 });
    expect(() => parseThinkTime('gamma:1s')).toThrow(/unknown think-time distribution/);
  });

  it('refuses what follows a second colon instead of dropping it', () => {
    // Given think times with a trailing part, When parsed, Then they are refused, not read as their head
    expect(() => parseThinkTime('constant:1s:junk')).toThrow('"1s:junk" is not a duration');
    expect(() => parseThinkTime('exponential:100ms:5s')).toThrow('"100ms:5s" is not a duration');
  });

  it('draws within bounds, with the mean of an exponential close to its parameter', () => {
    const random = randomFor('think', 'test');
    const uniform = parseThinkTime('uniform:10ms-20ms');
    for (let i = 0; i < 1000; i++) {
      const value = drawThinkTime(uniform, random);
      expect(value).toBeGreaterThanOrEqual(10);
      expect(value).toBeLessThanOrEqual(20);
    }
    const exponential = parseThinkTime('exponential:100ms');
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += drawThinkTime(exponential, random);
    expect(sum / 20_000).toBeGreaterThan(95);
    expect(sum / 20_000).toBeLessThan(105);
  });
});

describe('load run topology sizes', () => {
  it('says which options make a topology impossible, and what to give instead', () => {
    // Given one line for four delegators, When checked, Then the message names both options and a way out
    expect(topologyProblems({ delegators: 4, delegatesPerDelegator: 2, lines: 1 })).toEqual([
      '--lines 1 is fewer than --delegators 4, and every delegator owns at least one line: ' +
        'give --lines 4 or more, or --delegators 1',
    ]);
    // Given more lines than a party may own, Then the delegators needed are named
    expect(topologyProblems({ delegators: 2, delegatesPerDelegator: 2, lines: 64 })).toEqual([
      '--lines 64 over --delegators 2 gives a delegator 32 lines, more than the 20 direct numbers ' +
        'the api allows a party: give --delegators 4 or more',
    ]);
    // Given more delegates than R8 allows, Then that is refused before provisioning, not during it
    expect(topologyProblems({ delegators: 1, delegatesPerDelegator: 16, lines: 1 })).toEqual([
      '--delegates 16 is more than the 15 active delegates a delegator may have (R8)',
    ]);
    expect(topologyProblems({ delegators: 4, delegatesPerDelegator: 15, lines: 80 })).toEqual([]);
    expect(() =>
      buildTopology({ accountId: 'a', delegators: 4, delegatesPerDelegator: 2, lines: 1 }),
    ).toThrow('--lines 1 is fewer than --delegators 4');
  });
});
