import type { AccountEvent, AccountPolicy, LineEvent } from '#events';

/**
 * Realistic event streams for replay benchmarks and convergence tests, written with the real event
 * types: an account with delegators and delegates, then, per shared line, calls answered by the
 * delegator or a delegate, held and picked up, transferred, recorded, or sent to voicemail and read.
 * Everything derives from a seed, so the same seed writes the same log.
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

const policy: AccountPolicy = {
  delegationEnabled: true,
  autoActivateInvitations: false,
  maxDelegatesPerDelegator: 15,
  maxDelegatorsPerDelegate: 15,
  assistantMinimumVersion: '6.0.0',
  commonAreaDelegationNeedsPowerPack: false,
};

const START = Date.UTC(2026, 0, 5, 9, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

export const delegatorOf = (line: number): string => `boss${line}`;
export const delegateOf = (line: number): string => `assistant${line}`;
export const numberOf = (line: number): string => String(1000 + line);

export function accountEvents(options: WorkloadOptions): StreamBatch<AccountEvent> {
  const by = { by: 'admin', at: iso(START) };
  const events: AccountEvent[] = [
    {
      type: 'AccountCreated',
      data: { ...by, accountId: options.accountId, name: 'Bench Co', admins: ['admin'], policy },
    },
  ];
  for (let line = 0; line < options.lines; line++) {
    for (const [partyId, name, numbers] of [
      [delegatorOf(line), `Boss ${line}`, [numberOf(line)]],
      [delegateOf(line), `Assistant ${line}`, [String(5000 + line)]],
    ] as const) {
      events.push({
        type: 'PhoneUserProvisioned',
        data: {
          ...by,
          partyId,
          name,
          directNumbers: [...numbers],
          callingPlan: 'pro',
          powerPack: false,
          assistantEnabled: true,
          desktopClient: { platform: 'windows', version: '6.2.0' },
        },
      });
    }
    const delegation = {
      ...by,
      delegationId: `d${line}`,
      delegatorId: delegatorOf(line),
      delegateId: delegateOf(line),
    };
    events.push(
      {
        type: 'DelegateInvited',
        data: {
          ...delegation,
          permissions: ['placeCalls', 'answerCalls', 'pickUpHeldCalls'],
          sharedLines: [numberOf(line)],
        },
      },
      { type: 'DelegationAccepted', data: delegation },
    );
  }
  return { stream: `account-${options.accountId}`, events };
}

/** The calls of one shared line, one after another (a line carries one call at a time, R12). */
export function lineEvents(options: WorkloadOptions, line: number): StreamBatch<LineEvent> {
  const random = rng(options.seed * 7919 + line);
  const boss = delegatorOf(line);
  const assistant = delegateOf(line);
  const events: LineEvent[] = [];
  let now = START + line * 1000;
  const at = (seconds: number): string => iso((now += seconds * 1000));
  for (let n = 0; n < options.callsPerLine; n++) {
    const callId = `${options.accountId}-${line}-${n}`;
    const caller = `+1555${String(Math.floor(random() * 1e7)).padStart(7, '0')}`;
    const kind = random();
    if (kind < 0.3) {
      const placedBy = random() < 0.5 ? boss : assistant;
      const onBehalfOf = placedBy === boss ? null : boss;
      events.push(
        {
          type: 'CallPlacedOnSharedLine',
          data: {
            callId,
            line: numberOf(line),
            to: caller,
            placedBy,
            onBehalfOf,
            permission: onBehalfOf ? 'placeCalls' : null,
            callerId: { number: numberOf(line), name: `Boss ${line}` },
            at: at(5),
          },
        },
        { type: 'CallAnsweredByExternalParty', data: { callId, at: at(4) } },
        {
          type: 'CallEnded',
          data: { callId, by: placedBy, reason: 'hungUp', missedBy: [], ringLegsEnded: [], at: at(60) },
        },
      );
      continue;
    }
    const ringAt = at(30);
    events.push(
      {
        type: 'IncomingCallReceived',
        data: { callId, line: numberOf(line), from: caller, vip: false, at: ringAt },
      },
      {
        type: 'CallRang',
        data: {
          callId,
          stage: 'initial',
          alerted: [boss, assistant],
          decisions: [
            {
              partyId: boss,
              role: 'delegator',
              rings: true,
              afterSeconds: 0,
              rule: 'R13',
              reason: 'DELEGATOR',
              message: 'the delegator rings',
            },
            {
              partyId: assistant,
              role: 'delegate',
              rings: true,
              afterSeconds: 0,
              rule: 'R13',
              reason: 'ACTIVE_WITH_ANSWER_CALLS',
              message: 'active delegation with answerCalls, opted in, within business hours',
            },
          ],
          ringTimeoutAt: iso(Date.parse(ringAt) + 30_000),
          escalationAt: null,
          at: ringAt,
        },
      },
    );
    if (kind < 0.5) {
      const messageId = `vm-${callId}`;
      events.push(
        {
          type: 'CallSentToVoicemail',
          data: {
            callId,
            reason: 'ringTimeout',
            missedBy: [boss, assistant],
            ringLegsEnded: [boss, assistant],
            at: at(30),
          },
        },
        { type: 'VoicemailLeft', data: { messageId, callId, from: caller, at: at(20) } },
        { type: 'VoicemailRead', data: { messageId, by: assistant, onBehalfOf: boss, at: at(300) } },
      );
      if (random() < 0.3) {
        events.push({
          type: 'VoicemailDeleted',
          data: { messageId, by: boss, onBehalfOf: null, at: at(60) },
        });
      }
      continue;
    }
    const answerer = random() < 0.5 ? boss : assistant;
    const other = answerer === boss ? assistant : boss;
    const behalf = answerer === boss ? null : boss;
    events.push({
      type: 'CallAnswered',
      data: {
        callId,
        by: answerer,
        onBehalfOf: behalf,
        permission: behalf ? 'answerCalls' : null,
        ringLegsEnded: [other],
        at: at(4),
      },
    });
    let holder = answerer;
    if (kind < 0.75) {
      const recordingId = `rec-${callId}`;
      events.push(
        { type: 'RecordingStarted', data: { callId, recordingId, by: answerer, at: at(10) } },
        {
          type: 'CallHeld',
          data: { callId, by: answerer, onBehalfOf: behalf, privacyLocked: false, at: at(30) },
        },
        {
          type: 'HeldCallPickedUp',
          data: {
            callId,
            by: other,
            onBehalfOf: other === boss ? null : boss,
            permission: other === boss ? null : 'pickUpHeldCalls',
            heldBy: answerer,
            at: at(15),
          },
        },
        {
          type: 'RecordingStopped',
          data: { callId, recordingId, owner: answerer, reason: 'ownerLeftCall', at: at(0) },
        },
      );
      holder = other;
    } else if (kind < 0.9) {
      events.push(
        {
          type: 'CallTransferRequested',
          data: {
            callId,
            attempt: 1,
            by: answerer,
            onBehalfOf: behalf,
            to: other,
            recallAt: iso(now + 30_000),
            at: at(20),
          },
        },
        {
          type: 'CallTransferred',
          data: {
            callId,
            attempt: 1,
            by: other,
            onBehalfOf: other === boss ? null : boss,
            permission: other === boss ? null : 'answerCalls',
            transferredBy: answerer,
            at: at(6),
          },
        },
      );
      holder = other;
    }
    events.push({
      type: 'CallEnded',
      data: { callId, by: holder, reason: 'hungUp', missedBy: [], ringLegsEnded: [], at: at(90) },
    });
  }
  return { stream: `line-${options.accountId}.${numberOf(line)}`, events };
}
