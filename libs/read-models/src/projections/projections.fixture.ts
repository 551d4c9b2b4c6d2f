import { DEFAULT_ACCOUNT_POLICY, lineOwnerDecision } from '#domain';
import { type AccountPolicy, type LinePermissionUsed } from '#events';
import { ReadModels } from '../engine/read-models.js';
import { lineAccess } from '../queries/access.js';
import { lineState } from '../queries/line-views.js';
import type { ProjectedEvent } from './catalogue.js';
import { readModelsOf } from './given-commands.fixture.js';

/**
 * Hand-written events for the read-model specs of this folder, for histories that need exact times and
 * ids. Every event goes through checkedLog, so only what the catalogue allows (and the router emits) can
 * be written here; a new read-side spec is better built from commands (given-commands.fixture.ts).
 */
export const ACCOUNT = 'account-acme';
export const LINE = 'line-acme.1001';
export const T = (second: number): string => new Date(Date.UTC(2026, 0, 5, 9, 0, second)).toISOString();
/** When the diagnoses below are asked: after every event of these specs. */
export const AT = { at: T(120), source: 'the time asked for' };
export const by = { by: 'admin', at: T(0) };
/** The policy of an account created with none given, as the api records it. */
export const policy: AccountPolicy = DEFAULT_ACCOUNT_POLICY;
/** A phone user who can take part in everything: a plan, the Assistant and a current macOS client. */
export const phoneUser = (partyId: string, name: string, directNumbers: string[]): ProjectedEvent => ({
  type: 'PhoneUserProvisioned',
  data: {
    ...by,
    partyId,
    name,
    directNumbers,
    callingPlan: 'pro',
    powerPack: false,
    assistantEnabled: true,
    desktopClient: { platform: 'macos', version: '6.2.0' },
  },
});
export const user = (partyId: string, name: string, directNumbers: string[]): [string, ProjectedEvent] => [
  ACCOUNT,
  phoneUser(partyId, name, directNumbers),
];
export const delegation = { ...by, delegationId: 'd1', delegatorId: 'alice', delegateId: 'bob' };

/** Alice owns 1001 and delegates it to Bob (place, answer, pick up); Carol is in the account, no delegate. */
export const account: [string, ProjectedEvent][] = [
  [
    ACCOUNT,
    { type: 'AccountCreated', data: { ...by, accountId: 'acme', name: 'Acme', admins: ['admin'], policy } },
  ],
  user('alice', 'Alice', ['1001']),
  user('bob', 'Bob', ['2002']),
  user('carol', 'Carol', ['3003']),
  [
    ACCOUNT,
    {
      type: 'DelegateInvited',
      data: {
        ...delegation,
        permissions: ['placeCalls', 'answerCalls', 'pickUpHeldCalls'],
        sharedLines: ['1001'],
      },
    },
  ],
  [ACCOUNT, { type: 'DelegationAccepted', data: delegation }],
];

/** The account, then `events`: checked against the catalogue (see checkedLog). */
export const project = (...events: [string, ProjectedEvent][]): ReadModels =>
  readModelsOf([...account, ...events]);

export const viewAs = (readModels: ReadModels, viewer: string) => {
  const access = lineAccess(readModels, 'acme', '1001', viewer);
  if (!access.allowed) throw new Error(access.reason);
  return lineState(readModels, 'acme', '1001', viewer, access);
};

export const placed: [string, ProjectedEvent] = [
  LINE,
  {
    type: 'CallPlacedOnSharedLine',
    data: {
      callId: 'c1',
      line: '1001',
      to: '+15550100',
      placedBy: 'bob',
      onBehalfOf: 'alice',
      permission: 'placeCalls',
      callerId: { number: '1001', name: 'Alice' },
      at: T(10),
      owner: 'alice',
    },
  },
];
export const incoming = (callId: string, at: number): [string, ProjectedEvent] => [
  LINE,
  {
    type: 'IncomingCallReceived',
    data: { callId, line: '1001', from: '+15550199', vip: false, at: T(at), owner: 'alice' },
  },
];
export const rang = (callId: string, at: number): [string, ProjectedEvent] => [
  LINE,
  {
    type: 'CallRang',
    data: {
      callId,
      stage: 'initial',
      alerted: ['alice', 'bob'],
      decisions: [
        lineOwnerDecision('alice'),
        {
          partyId: 'bob',
          role: 'delegate',
          rings: true,
          afterSeconds: 0,
          rule: 'R13',
          reason: 'ALERTED',
          message: 'Active delegation with answerCalls, opted in and within hours.',
        },
      ],
      ringTimeoutAt: T(at + 30),
      escalationAt: null,
      at: T(at),
    },
  },
];
/** A call from outside arriving on Alice's line at second `at` and ringing Alice and Bob at once. */
export const ringingCall = (callId: string, at: number): [string, ProjectedEvent][] => [
  incoming(callId, at),
  rang(callId, at),
];
export const sentToVoicemail = (callId: string, at: number): [string, ProjectedEvent] => [
  LINE,
  {
    type: 'CallSentToVoicemail',
    data: {
      callId,
      reason: 'ringTimeout',
      missedBy: ['alice', 'bob'],
      ringLegsEnded: ['alice', 'bob'],
      at: T(at),
    },
  },
];
export const ended = (callId: string, at: number): [string, ProjectedEvent] => [
  LINE,
  {
    type: 'CallEnded',
    data: { callId, by: 'alice', reason: 'hungUp', missedBy: [], ringLegsEnded: [], at: T(at) },
  },
];
/** The same event on another stream. */
export const on = (stream: string, [, event]: [string, ProjectedEvent]): [string, ProjectedEvent] => [
  stream,
  event,
];
/**
 * An act on call `callId` of Alice's line at second `at`: by Alice herself, or by a delegate on her
 * behalf with `permission` (R6).
 */
const actOnAlicesCall = (callId: string, who: string, permission: LinePermissionUsed, at: number) => ({
  callId,
  by: who,
  onBehalfOf: who === 'alice' ? null : 'alice',
  permission: who === 'alice' ? null : permission,
  at: T(at),
});
export const answered = (callId: string, who: string, at: number): [string, ProjectedEvent] => [
  LINE,
  {
    type: 'CallAnswered',
    data: {
      ...actOnAlicesCall(callId, who, 'answerCalls', at),
      ringLegsEnded: ['alice', 'bob'].filter((p) => p !== who),
    },
  },
];
export const joined = (callId: string, who: string, at: number): [string, ProjectedEvent] => [
  LINE,
  { type: 'CallJoined', data: actOnAlicesCall(callId, who, 'joinAndMerge', at) },
];
