import {
  CommandHistory,
  delegationReadyUser,
  type AccountCommand,
  type LineCommand,
  type Timed,
} from '#domain';
import { eventSchemas, type AccountEvent, type AccountPolicy, type LineEvent } from '#events';

/**
 * Realistic event streams for replay benchmarks and convergence tests, decided by the real deciders
 * from commands (CommandHistory): an account with delegators and delegates, then, per shared line,
 * calls answered by the delegator or a delegate, held and picked up, transferred, recorded, or sent
 * to voicemail and read. Only events the domain emits, checked against the catalogue's schemas once
 * more. Everything derives from a seed, so the same seed writes the same log.
 */
export interface WorkloadOptions {
  readonly seed: number;
  readonly accountId: string;
  /** Delegators, each with one shared line and one delegate. */
  readonly lines: number;
  readonly callsPerLine: number;
}

export interface StreamBatch<E> {
  readonly stream: string;
  readonly events: E[];
}

/** Mulberry32: tiny, fast, good enough to shuffle a workload reproducibly. */
export const rng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const policy: Partial<AccountPolicy> = { maxDelegatesPerDelegator: 15, maxDelegatorsPerDelegate: 15 };

const START = Date.UTC(2026, 0, 5, 9, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

export const delegatorOf = (line: number): string => `boss${line}`;
export const delegateOf = (line: number): string => `assistant${line}`;
/** A line's number as paths and stream names write it: the digits of its E.164 number (up to 10,000 lines). */
export const numberOf = (line: number): string => `1555200${String(line).padStart(4, '0')}`;
/** As the account side provisions it (R1): E.164. */
const provisioned = (number: string): string => `+${number}`;
const directNumberOf = (line: number): string => `1555300${String(line).padStart(4, '0')}`;

const ADMIN = 'admin';

/** The account's commands: the delegators and delegates provisioned, each line shared and accepted. */
/** Decided at START, the history's time for commands without `at`. */
const accountCommands = (options: WorkloadOptions): AccountCommand[] => {
  const commands: AccountCommand[] = [
    { type: 'CreateAccount', actor: ADMIN, accountId: options.accountId, name: 'Bench Co', policy },
  ];
  for (let line = 0; line < options.lines; line++) {
    for (const [partyId, name, number] of [
      [delegatorOf(line), `Boss ${line}`, provisioned(numberOf(line))],
      [delegateOf(line), `Assistant ${line}`, provisioned(directNumberOf(line))],
    ] as const) {
      commands.push(delegationReadyUser(ADMIN, partyId, name, number, 'windows'));
    }
    const delegationId = `d${line}`;
    commands.push(
      {
        type: 'InviteDelegate',
        actor: delegatorOf(line),
        delegationId,
        delegatorId: delegatorOf(line),
        delegateId: delegateOf(line),
        permissions: ['placeCalls', 'answerCalls', 'pickUpHeldCalls'],
        sharedLines: [provisioned(numberOf(line))],
      },
      { type: 'AcceptInvitation', actor: delegateOf(line), delegationId },
    );
  }
  return commands;
};

/** Refuses an event the catalogue does not allow: a workload feeds the read side what the domain emits only. */
const checked = <E extends AccountEvent | LineEvent>(events: E[]): E[] => {
  for (const { type, data } of events) {
    const problem = eventSchemas.knows(type)
      ? eventSchemas.dataProblem(type, data as unknown as Record<string, unknown>)
      : 'not an event of the catalogue';
    if (problem !== undefined) throw new Error(`workload event ${type}: ${problem}`);
  }
  return events;
};

/** The account decided once per workload (a bench has thousands of lines on one account). */
let cachedAccount: { key: string; history: CommandHistory } | undefined;
const accountHistory = (options: WorkloadOptions): CommandHistory => {
  const key = `${options.accountId}/${options.lines}`;
  if (cachedAccount?.key !== key) {
    const history = new CommandHistory(iso(START)).account(options.accountId, ...accountCommands(options));
    cachedAccount = { key, history };
  }
  return cachedAccount.history;
};

export function accountEvents(options: WorkloadOptions): StreamBatch<AccountEvent> {
  const stream = `account-${options.accountId}`;
  return { stream, events: checked(accountHistory(options).eventsOf(stream) as AccountEvent[]) };
}

/** The commands of one shared line's calls, one after another (a line carries one call at a time, R12). */
const lineCommands = (options: WorkloadOptions, line: number): Timed<LineCommand>[] => {
  const random = rng(options.seed * 7919 + line);
  const boss = delegatorOf(line);
  const assistant = delegateOf(line);
  const commands: Timed<LineCommand>[] = [];
  let now = START + line * 1000;
  const at = (seconds: number): string => iso((now += seconds * 1000));
  for (let n = 0; n < options.callsPerLine; n++) {
    const callId = `${options.accountId}-${line}-${n}`;
    const caller = `+1555${String(Math.floor(random() * 1e7)).padStart(7, '0')}`;
    const kind = random();
    if (kind < 0.3) {
      const placedBy = random() < 0.5 ? boss : assistant;
      commands.push(
        { type: 'PlaceCallOnSharedLine', callId, actor: placedBy, to: caller, at: at(5) },
        { type: 'AnswerAsExternalParty', callId, actor: 'external', at: at(4) },
        { type: 'HangUp', callId, actor: placedBy, at: at(60) },
      );
      continue;
    }
    commands.push({ type: 'ReceiveIncomingCall', callId, actor: 'external', from: caller, at: at(30) });
    if (kind < 0.5) {
      // The ring times out after the line's 30 s: the caller leaves a message, which is read.
      commands.push(
        { type: 'ExpireRing', callId, actor: 'system:timers', at: at(30) },
        { type: 'ReadVoicemail', messageId: callId, actor: assistant, at: at(300) },
      );
      if (random() < 0.3) {
        commands.push({ type: 'DeleteVoicemail', messageId: callId, actor: boss, at: at(60) });
      }
      continue;
    }
    const answerer = random() < 0.5 ? boss : assistant;
    const other = answerer === boss ? assistant : boss;
    commands.push({ type: 'AnswerCall', callId, actor: answerer, at: at(4) });
    let holder = answerer;
    if (kind < 0.75) {
      commands.push(
        { type: 'StartRecording', callId, recordingId: `rec-${callId}`, actor: answerer, at: at(10) },
        { type: 'HoldCall', callId, actor: answerer, at: at(30) },
        { type: 'PickUpHeldCall', callId, actor: other, at: at(15) },
      );
      holder = other;
    } else if (kind < 0.9) {
      commands.push(
        { type: 'TransferCall', callId, actor: answerer, to: other, at: at(20) },
        { type: 'AnswerCall', callId, actor: other, at: at(6) },
      );
      holder = other;
    }
    commands.push({ type: 'HangUp', callId, actor: holder, at: at(90) });
  }
  return commands;
};

export function lineEvents(options: WorkloadOptions, line: number): StreamBatch<LineEvent> {
  const stream = `line-${options.accountId}.${numberOf(line)}`;
  const history = accountHistory(options)
    .fork()
    .line(options.accountId, provisioned(numberOf(line)), ...lineCommands(options, line));
  return { stream, events: checked(history.log.map(([, event]) => event as LineEvent)) };
}
