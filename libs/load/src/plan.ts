import type { ApiCommand, Permission } from './api-client.js';
import { pickFlow, type FlowName, type Mix } from './mix.js';
import { pickIndex, randomFor } from './prng.js';
import { drawThinkTime, type ThinkTime } from './think-time.js';

/** The parties a run provisions for itself: delegators with lines, each with active delegates. */
export interface Topology {
  readonly accountId: string;
  readonly delegators: readonly {
    readonly partyId: string;
    readonly name: string;
    readonly numbers: readonly string[];
    readonly delegates: readonly string[];
  }[];
  /** Every line, in order; call n runs on line n mod lines.length. */
  readonly lines: readonly { readonly number: string; readonly delegator: number }[];
}

export interface TopologyOptions {
  readonly accountId: string;
  readonly delegators: number;
  readonly delegatesPerDelegator: number;
  readonly lines: number;
}

const FULL_PERMISSIONS: readonly Permission[] = ['placeCalls', 'answerCalls', 'pickUpHeldCalls'];

/** The api accepts at most this many direct numbers per party. */
const MAX_NUMBERS_PER_PARTY = 20;

/** R8's default: the active delegates a delegator may have (the run's account keeps the default policy). */
const MAX_DELEGATES_PER_DELEGATOR = 15;

/**
 * What makes a topology impossible, in the words of `load run`'s options: each delegator owns at
 * least one line, at most the direct numbers the api allows a party, and at most R8's delegates.
 */
export const topologyProblems = (options: Omit<TopologyOptions, 'accountId'>): string[] => {
  const { delegators, lines, delegatesPerDelegator } = options;
  const problems: string[] = [];
  if (delegators < 1) problems.push(`--delegators must be at least 1, not ${delegators}`);
  else if (lines < delegators) {
    problems.push(
      `--lines ${lines} is fewer than --delegators ${delegators}, and every delegator owns at least one line: ` +
        `give --lines ${delegators} or more, or --delegators ${Math.max(1, lines)}`,
    );
  } else if (Math.ceil(lines / delegators) > MAX_NUMBERS_PER_PARTY) {
    problems.push(
      `--lines ${lines} over --delegators ${delegators} gives a delegator ${Math.ceil(lines / delegators)} lines, ` +
        `more than the ${MAX_NUMBERS_PER_PARTY} direct numbers the api allows a party: ` +
        `give --delegators ${Math.ceil(lines / MAX_NUMBERS_PER_PARTY)} or more`,
    );
  }
  if (delegatesPerDelegator > MAX_DELEGATES_PER_DELEGATOR) {
    problems.push(
      `--delegates ${delegatesPerDelegator} is more than the ${MAX_DELEGATES_PER_DELEGATOR} active delegates ` +
        'a delegator may have (R8)',
    );
  }
  return problems;
};

export const buildTopology = (options: TopologyOptions): Topology => {
  const problems = topologyProblems(options);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const lines = Array.from({ length: options.lines }, (_, i) => ({
    number: `+1555700${String(i + 1).padStart(4, '0')}`,
    delegator: i % options.delegators,
  }));
  const delegators = Array.from({ length: options.delegators }, (_, d) => ({
    partyId: `boss-${d + 1}`,
    name: `Delegator ${d + 1}`,
    numbers: lines.filter((line) => line.delegator === d).map((line) => line.number),
    delegates: Array.from({ length: options.delegatesPerDelegator }, (_, k) => `asst-${d + 1}-${k + 1}`),
  }));
  return { accountId: options.accountId, delegators, lines };
};

/**
 * The provisioning commands of a topology, in the order they must succeed: with `ownsDelegator`,
 * only the account and the delegators it owns (by index), each with its delegates and delegations:
 * a shard's part (see shard.ts). Delegates' own numbers stay those of the whole topology.
 */
export const setupCommands = (
  topology: Topology,
  ownsDelegator: (delegator: number) => boolean = () => true,
): ApiCommand[] => {
  const accountId = topology.accountId;
  const admin = 'admin';
  const commands: ApiCommand[] = [
    { type: 'createAccount', actor: admin, commandId: 'setup-account', accountId, name: `Load ${accountId}` },
  ];
  let ownNumber = 0;
  for (const [d, delegator] of topology.delegators.entries()) {
    if (!ownsDelegator(d)) {
      ownNumber += delegator.delegates.length;
      continue;
    }
    commands.push({
      type: 'registerPhoneUser',
      actor: admin,
      commandId: `setup-user-${delegator.partyId}`,
      accountId,
      partyId: delegator.partyId,
      name: delegator.name,
      numbers: delegator.numbers,
      callingPlan: 'pro',
    });
    for (const delegate of delegator.delegates) {
      commands.push({
        type: 'registerPhoneUser',
        actor: admin,
        commandId: `setup-user-${delegate}`,
        accountId,
        partyId: delegate,
        name: `Assistant ${delegate}`,
        // R1: every party holds a direct number of its own; delegates' numbers are not load lines.
        numbers: [`+1555800${String(++ownNumber).padStart(4, '0')}`],
        callingPlan: 'unlimited',
        // R4: a delegate accepts in the Assistant panel of a supported desktop client.
        assistant: { platform: 'macos', version: '6.5.0' },
      });
    }
  }
  for (const [d, delegator] of topology.delegators.entries()) {
    if (!ownsDelegator(d)) continue;
    for (const delegate of delegator.delegates) {
      // Globally unique, like the call ids: read models may key delegations by id alone.
      const delegationId = `${accountId}-${delegate}`;
      commands.push(
        {
          type: 'inviteDelegate',
          actor: delegator.partyId,
          commandId: `setup-invite-${delegationId}`,
          accountId,
          delegationId,
          delegatorId: delegator.partyId,
          delegateId: delegate,
          permissions: FULL_PERMISSIONS,
          sharedLines: delegator.numbers,
        },
        {
          type: 'acceptDelegation',
          actor: delegate,
          commandId: `setup-accept-${delegationId}`,
          accountId,
          delegationId,
        },
      );
    }
  }
  return commands;
};

/**
 * One command of a call, sent `thinkMs` after the previous one of the same call completed. The first
 * step's think time is the pause before the call in the closed model; in the open model the arrival
 * schedule decides when a call starts.
 */
export interface PlannedStep {
  readonly thinkMs: number;
  readonly command: ApiCommand;
}

export interface CallPlan {
  readonly index: number;
  readonly flow: FlowName;
  readonly line: string;
  readonly steps: readonly PlannedStep[];
}

export interface PlanOptions {
  readonly seed: string;
  readonly mix: Mix;
  readonly think: ThinkTime;
}

/**
 * The commands of call `index`, a pure function of the seed and the index. Each call draws from its
 * own sub-stream of the seed, so the plan of call 17 does not depend on how many calls ran before
 * it, on timing, or on concurrency: the same seed gives the same command stream in every run.
 */
export const planCall = (topology: Topology, options: PlanOptions, index: number): CallPlan => {
  const random = randomFor(options.seed, `call-${index}`);
  const flow = pickFlow(options.mix, random);
  const lineInfo = topology.lines[index % topology.lines.length]!;
  const delegator = topology.delegators[lineInfo.delegator]!;
  const parties = [delegator.partyId, ...delegator.delegates];
  const think = (): number => Math.round(drawThinkTime(options.think, random) * 1000) / 1000;
  // Unique across runs (the account id holds the run id): audit trails are looked up by call id alone.
  const callId = `${topology.accountId}-c${index}`;
  const on = { accountId: topology.accountId, line: lineInfo.number, callId };
  let stepNo = 0;
  const step = (command: ApiCommand): PlannedStep => ({
    thinkMs: think(),
    command: { ...command, commandId: `c${index}-${stepNo++}` } as ApiCommand,
  });
  const external = `+1555900${String(pickIndex(random, 10_000)).padStart(4, '0')}`;
  const someone = (): string => parties[pickIndex(random, parties.length)]!;
  const otherThan = (party: string, from: readonly string[] = parties): string => {
    const others = from.filter((p) => p !== party);
    return others.length === 0 ? party : others[pickIndex(random, others.length)]!;
  };
  const incoming = () =>
    step({ type: 'receiveIncomingCall', actor: `external:${external}`, from: external, ...on });

  const steps: PlannedStep[] = [];
  switch (flow) {
    case 'place': {
      const caller = someone();
      steps.push(
        step({ type: 'placeCall', actor: caller, to: external, ...on }),
        step({ type: 'hangUp', actor: caller, ...on }),
      );
      break;
    }
    case 'ring-answer': {
      const answerer = someone();
      steps.push(
        incoming(),
        step({ type: 'answerCall', actor: answerer, ...on }),
        step({ type: 'hangUp', actor: answerer, ...on }),
      );
      break;
    }
    case 'hold-pickup': {
      const answerer = someone();
      const picker = otherThan(answerer);
      steps.push(
        incoming(),
        step({ type: 'answerCall', actor: answerer, ...on }),
        step({ type: 'holdCall', actor: answerer, ...on }),
        step({ type: 'pickUpHeldCall', actor: picker, ...on }),
        step({ type: 'hangUp', actor: picker, ...on }),
      );
      break;
    }
    case 'transfer': {
      // R16: delegator and delegate transfer to each other; the delegator answers and hands over.
      const target = otherThan(delegator.partyId);
      steps.push(
        incoming(),
        step({ type: 'answerCall', actor: delegator.partyId, ...on }),
        step({ type: 'transferCall', actor: delegator.partyId, to: target, ...on }),
        step({ type: 'answerCall', actor: target, ...on }),
        step({ type: 'hangUp', actor: target, ...on }),
      );
      break;
    }
    case 'voicemail': {
      // R14: the call reaches voicemail once every alerted party declined (no waiting for the timeout).
      steps.push(incoming(), ...parties.map((party) => step({ type: 'declineCall', actor: party, ...on })));
      break;
    }
  }
  return { index, flow, line: lineInfo.number, steps };
};

/** The plan as a flat list, for recording and determinism checks. */
export const planCalls = (topology: Topology, options: PlanOptions, count: number): CallPlan[] =>
  Array.from({ length: count }, (_, index) => planCall(topology, options, index));
