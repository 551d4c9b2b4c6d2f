import { isDeepStrictEqual } from 'node:util';
import {
  evolveAccount,
  initialAccountState,
  type AccountState,
  type CallOnLine,
  type Delegation,
} from '#domain';
import { accountStream, PERMISSIONS, type AccountEvent, type Permission } from '#events';
import { rng } from '../../bench/replay/workload.js';
import { EventStore, type StoredEvent } from '#eventstore';
import {
  callsProjection,
  lineInbox,
  PROJECTIONS,
  Projector,
  otherEndOf,
  replay,
  whyCannot,
  type Action as DiagnosedAction,
  type Diagnosis,
} from '#read-models';
import {
  accountCommands,
  ALICE,
  LINE,
  LINE_PATH_NUMBER,
  lineStreamOf,
  seedAccount,
  uniqueAccountId,
  type AccountSpec,
  type Api,
} from '../integration/api/lines.support.js';
import { collect } from './collect.js';
import { lastPositionOfAccount } from './shared-store.js';

/**
 * A seeded, model-based fuzz campaign against state poisoning: random command sequences over the
 * api's real HTTP surface (accounts, delegations, the shared line's calls, the virtual clock), fired
 * by racing clients at two api instances, with the rules' invariants checked after every step
 * against the store, the command side's own view of the line and the projector's read models.
 * A model of the call in progress, kept from the api's answers, steers the draws; the steps a run
 * sent are recorded, so a failing sequence replays as it was (and shrinks) on a fresh account.
 */

/** The account of the run, written into paths when the step is sent (a shrunk replay uses another). */
const ACCOUNT = '{account}';
const LINE_BASE = `/accounts/${ACCOUNT}/lines/${LINE_PATH_NUMBER}`;

/** Delegates of the seeded account; d3's invitation is left pending. */
const DELEGATES = ['d1', 'd2', 'd3'] as const;
const PARTIES = [ALICE, ...DELEGATES] as const;
const ADMIN = 'root';
const EXTERNALS = ['+15550100', '+15557770001'] as const;
const VIP = EXTERNALS[1];
/** Few delegation ids, so invitations reuse them. */
const DELEGATION_IDS = ['del-d1', 'del-d2', 'del-d3', 'del-x'] as const;
const OTHER_NUMBER = '+15550000002';

const FUZZ_ACCOUNT: AccountSpec = {
  powerPack: true,
  delegates: [
    { id: 'd1', permissions: ['placeCalls', 'answerCalls', 'pickUpHeldCalls', 'joinAndMerge', 'optInOut'] },
    { id: 'd2', permissions: ['answerCalls', 'pickUpHeldCalls'] },
    { id: 'd3', pending: true },
  ],
};

export interface FuzzRequest {
  /** Which of the two api instances receives it. */
  readonly via: 0 | 1;
  readonly method: 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** Requests fired at once: one, or several racing clients. */
export type FuzzStep = readonly FuzzRequest[];

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const someOf = <T>(random: Random, items: readonly T[]): T[] => items.filter(() => random() < 0.5);

const post = (path: string, body: Record<string, unknown>) => ({ method: 'POST' as const, path, body });
const put = (path: string, body: Record<string, unknown>) => ({ method: 'PUT' as const, path, body });
const del = (path: string, body: Record<string, unknown>) => ({ method: 'DELETE' as const, path, body });

const hours = (random: Random) =>
  random() < 0.5
    ? null
    : {
        utcOffsetMinutes: 0,
        windows: [{ day: pick(random, ['mon', 'tue', 'sat']), from: '09:00', to: '17:00' }],
      };

type CallKind =
  'place' | 'incoming' | 'simple' | 'hold' | 'lock' | 'transfer' | 'outside' | 'record' | 'voicemail';

/**
 * The model's idea of the latest call's phase, from the events the api answered, and the commands
 * that take a call in that phase further (a campaign of blind commands mostly meets refusals and
 * never reaches a held or transferring call).
 */
type ModelPhase = 'dialing' | 'ringing' | 'connected' | 'held' | 'transferring' | 'over';
const PHASE_AFTER: Readonly<Record<string, ModelPhase>> = {
  CallPlacedOnSharedLine: 'dialing',
  IncomingCallReceived: 'ringing',
  CallAnswered: 'connected',
  CallAnsweredByExternalParty: 'connected',
  CallResumed: 'connected',
  HeldCallPickedUp: 'connected',
  CallTransferred: 'connected',
  CallTransferRecalled: 'connected',
  CallJoined: 'connected',
  CallHeld: 'held',
  CallTransferRequested: 'transferring',
  CallEnded: 'over',
  CallSentToVoicemail: 'over',
};
const FURTHER: Readonly<Record<ModelPhase, readonly (CallKind | `simple:${string}`)[]>> = {
  dialing: ['outside', 'outside', 'simple:hang-up', 'lock'],
  ringing: ['simple:answer', 'simple:answer', 'simple:decline', 'outside'],
  // Deep states (a pick-up, a transfer answered or recalled, a join) are few steps from here.
  connected: [
    'hold',
    'hold',
    'transfer',
    'transfer',
    'simple:join',
    'simple:join',
    'simple:hang-up',
    'record',
    'lock',
  ],
  held: ['simple:pick-up', 'simple:pick-up', 'simple:merge', 'simple:resume', 'simple:hang-up', 'lock'],
  transferring: ['simple:answer', 'simple:answer', 'simple:decline', 'simple:hang-up', 'outside'],
  over: ['place', 'incoming', 'voicemail'],
};

/** One command of the line's calls, by a random party (or the outside world). */
const callRequest = (random: Random, callIds: CallIds): Omit<FuzzRequest, 'via'> => {
  const model = callIds.model();
  const [kind, action] = (
    random() < 0.7
      ? pick(random, FURTHER[model.phase])
      : pick(random, [
          'place',
          'incoming',
          'simple',
          'hold',
          'lock',
          'transfer',
          'outside',
          'record',
          'voicemail',
        ])
  ).split(':') as [CallKind, string | undefined];
  const callId =
    (kind === 'place' || kind === 'incoming') && random() < 0.8
      ? callIds.fresh()
      : kind === 'voicemail'
        ? callIds.message()
        : callIds.recent();
  const verb = action ?? pick(random, ['answer', 'decline', 'resume', 'pick-up', 'join', 'merge', 'hang-up']);
  // Mostly the party the model says may take the call further (an alerted party answers, the
  // transfer's target answers it, someone other than the holder picks up); sometimes anybody, so
  // refusals stay covered. Alice and d1 may do most; d2 and d3 are refused more often.
  const steered = random() < 0.75 ? actorsFor(model, kind === 'simple' ? verb : kind) : [];
  const actor = pick(random, steered.length > 0 ? steered : [ALICE, ALICE, 'd1', 'd1', 'd2', 'd3']);
  const call = `${LINE_BASE}/calls/${callId}`;
  switch (kind) {
    case 'place':
      return post(`${LINE_BASE}/calls`, { actor, to: EXTERNALS[0], callId });
    case 'incoming':
      return post(`${LINE_BASE}/incoming-calls`, { from: pick(random, EXTERNALS), callId });
    case 'simple':
      return post(`${call}/${verb}`, { actor });
    case 'hold':
      return post(`${call}/hold`, { actor, ...(random() < 0.3 ? { privacyLock: true } : {}) });
    case 'lock':
      return post(`${call}/privacy-lock`, { actor, locked: random() < 0.5 });
    case 'transfer':
      // R16: the delegator transfers to a delegate, a delegate to the delegator; now and then a
      // target no transfer may go to.
      return post(`${call}/transfer`, {
        actor,
        to: random() < 0.8 ? (actor === ALICE ? pick(random, DELEGATES) : ALICE) : pick(random, PARTIES),
      });
    case 'outside':
      // The other end answers a call still dialing, mostly: hanging up ends it before it got anywhere.
      return post(
        `${call}/${model.phase === 'dialing' && random() < 0.8 ? 'external-answer' : pick(random, ['external-answer', 'external-hang-up'])}`,
        {},
      );
    case 'record':
      return random() < 0.5
        ? post(`${call}/recordings`, { actor, recordingId: `rec-${callId}` })
        : post(`${call}/recordings/rec-${callId}/stop`, { actor });
    default:
      return random() < 0.5
        ? post(`${LINE_BASE}/voicemails/${callId}/read`, { actor })
        : del(`${LINE_BASE}/voicemails/${callId}`, { actor });
  }
};

/** The parties the model expects may carry `act` out on the call (empty: no idea). */
const actorsFor = (model: CallModel, act: string): readonly string[] => {
  const others = PARTIES.filter((party) => !model.parties.includes(party));
  switch (act) {
    case 'answer':
    case 'decline':
      return model.phase === 'transferring' && model.target ? [model.target] : model.alerted;
    case 'resume':
      return model.heldBy ? [model.heldBy] : [];
    case 'pick-up':
    case 'merge':
      return PARTIES.filter((party) => party !== model.heldBy);
    case 'join':
      return others;
    case 'hold':
    case 'transfer':
    case 'hang-up':
    case 'record':
      return model.parties;
    case 'lock':
      return [ALICE];
    default:
      return [];
  }
};

/**
 * Delegations as a client knows them from the api's answers: each delegate's latest invitation (and
 * new ids for new ones), whether that one lets the delegate act on the line (accepted, sharing it),
 * and which parties an admin locked (R3).
 */
interface Delegations {
  latestOf(delegate: string): string;
  fresh(delegate: string): string;
  /**
   * A command that gives a delegate the line back (unlock, accept, share the line, invite again),
   * `null` when every delegate has it: revocations and locks otherwise outpace invitations, and a
   * campaign's delegates soon only meet refusals.
   */
  repair(random: Random): Omit<FuzzRequest, 'via'> | null;
  /**
   * The next command of handing the line's number from Alice to d1 and back (R10): revoking each
   * live delegation that shares it (a number leaves its owner only once none does), Alice giving it
   * up, d1 taking it, d1 giving it up, Alice taking it back; `null` once it is Alice's again.
   */
  handOver(random: Random): Omit<FuzzRequest, 'via'> | null;
  /** Whether the number left Alice in the hand-over under way. */
  handedAway(): boolean;
  answered(answer: Answer): void;
}

interface DelegationModel {
  readonly status: 'pending' | 'active' | 'ended';
  readonly sharesLine: boolean;
}

/** What a delegate invited again may do: all that reaches the deep states (pick-ups, joins, merges). */
const CORE_PERMISSIONS = ['answerCalls', 'placeCalls', 'pickUpHeldCalls', 'joinAndMerge'] as const;
const partyPath = (id: string) => `/accounts/${ACCOUNT}/parties/${id}`;
const delegationPath = (id: string) => `/accounts/${ACCOUNT}/delegations/${id}`;

const delegationsOf = (): Delegations => {
  const latest = new Map<string, string>(DELEGATES.map((d) => [d, `del-${d}`]));
  // As FUZZ_ACCOUNT seeds them.
  const known = new Map<string, DelegationModel>(
    FUZZ_ACCOUNT.delegates.map(({ id, pending }) => [
      `del-${id}`,
      { status: pending ? 'pending' : 'active', sharesLine: true },
    ]),
  );
  const locked = new Set<string>();
  // Who owns the line's number, and whether it has left Alice in the hand-over under way.
  let owner: string | null = ALICE;
  let handedAway = false;
  let made = 0;
  const fresh = (delegate: string) => `del-${delegate}-${++made}`;
  const STATUS_AFTER: Readonly<Record<string, DelegationModel['status']>> = {
    DelegationAccepted: 'active',
    DelegationActivatedByPolicy: 'active',
    DelegationDeclined: 'ended',
    DelegationRevoked: 'ended',
  };
  return {
    latestOf: (delegate) => latest.get(delegate)!,
    fresh,
    repair: (random) => {
      if (locked.size > 0)
        return del(`${partyPath(pick(random, [...locked]))}/delegation-lock`, { actor: ADMIN });
      const broken = DELEGATES.filter((d) => {
        const delegation = known.get(latest.get(d)!);
        return delegation?.status !== 'active' || !delegation.sharesLine;
      });
      if (broken.length === 0) return null;
      const delegate = pick(random, broken);
      const id = latest.get(delegate)!;
      switch (known.get(id)?.status) {
        case 'pending':
          return post(`${delegationPath(id)}/accept`, { actor: delegate });
        case 'active':
          return put(`${delegationPath(id)}/shared-lines`, { actor: ALICE, sharedLines: [LINE] });
        default:
          return post(`/accounts/${ACCOUNT}/delegations`, {
            actor: ALICE,
            delegationId: fresh(delegate),
            delegatorId: ALICE,
            delegateId: delegate,
            permissions: [...CORE_PERMISSIONS],
            sharedLines: [LINE],
          });
      }
    },
    handedAway: () => handedAway,
    handOver: (random) => {
      if (locked.size > 0)
        return del(`${partyPath(pick(random, [...locked]))}/delegation-lock`, { actor: ADMIN });
      const numbers = (party: string, directNumbers: string[]) =>
        put(`${partyPath(party)}/direct-numbers`, { actor: ADMIN, directNumbers });
      if (owner === 'd1') return numbers('d1', ['+15551000000']);
      if (owner === null)
        return handedAway && random() < 0.5 ? numbers(ALICE, [LINE]) : numbers('d1', ['+15551000000', LINE]);
      if (handedAway) {
        handedAway = false;
        return null;
      }
      const sharing = [...known].filter(([, d]) => d.status !== 'ended' && d.sharesLine);
      if (sharing.length > 0)
        return post(`${delegationPath(pick(random, sharing)[0])}/revoke`, { actor: ADMIN });
      return numbers(ALICE, [OTHER_NUMBER]);
    },
    answered: ({ status, body }) => {
      // A resent command's answer repeats its first events: no news, which would set a delegation
      // back to where it was then (an ended one live again, revoked in vain by every hand-over).
      if (status >= 300 || body.duplicate) return;
      for (const { type, data = {} } of body.events ?? []) {
        const id = String(data['delegationId']);
        const was = known.get(id);
        if (type === 'PartyDirectNumbersChanged') {
          const party = String(data['partyId']);
          if ((data['directNumbers'] as string[]).includes(LINE)) owner = party;
          else if (owner === party) owner = null;
          if (owner !== ALICE) handedAway = true;
        } else if (type === 'DelegationLockedByAdmin') locked.add(String(data['partyId']));
        else if (type === 'DelegationUnlockedByAdmin') locked.delete(String(data['partyId']));
        else if (type === 'DelegateInvited') {
          latest.set(String(data['delegateId']), id);
          known.set(id, { status: 'pending', sharesLine: (data['sharedLines'] as string[]).includes(LINE) });
        } else if (type === 'DelegationSharedLinesChanged' && was)
          known.set(id, { ...was, sharesLine: (data['sharedLines'] as string[]).includes(LINE) });
        else if (STATUS_AFTER[type] && was) known.set(id, { ...was, status: STATUS_AFTER[type] });
      }
    },
  };
};

/**
 * One command on the account: delegations, settings, locks, VIP, numbers handed over; with a
 * `focus`, one that changes what that delegate may do (racing its pick-up or transfer).
 */
const accountRequest = (
  random: Random,
  delegations: Delegations,
  focus?: string,
): Omit<FuzzRequest, 'via'> => {
  const repair = focus || random() < 0.7 ? null : delegations.repair(random);
  if (repair) return repair;
  const delegate = focus ?? pick(random, DELEGATES);
  const delegation = delegationPath(
    focus || random() < 0.7 ? delegations.latestOf(delegate) : pick(random, DELEGATION_IDS),
  );
  switch (
    focus
      ? pick(random, ['invite', 'revoke', 'permissions', 'lines', 'opt', 'lock', 'hours'])
      : pick(random, [
          'invite',
          'answerInvite',
          'revoke',
          'permissions',
          'lines',
          'opt',
          'lock',
          'vip',
          'hours',
          'ring',
          'numbers',
        ])
  ) {
    case 'invite':
      return post(`/accounts/${ACCOUNT}/delegations`, {
        actor: pick(random, [ALICE, ADMIN]),
        // A revoked or declined delegation's id stays taken: a new one lets a delegate come back.
        delegationId: random() < 0.6 ? delegations.fresh(delegate) : pick(random, DELEGATION_IDS),
        delegatorId: ALICE,
        delegateId: delegate,
        permissions: [
          'answerCalls',
          ...someOf(
            random,
            PERMISSIONS.filter((p) => p !== 'answerCalls'),
          ),
        ],
        sharedLines: [LINE],
      });
    case 'answerInvite':
      return post(`${delegation}/${random() < 0.8 ? 'accept' : 'decline'}`, { actor: delegate });
    case 'revoke':
      return post(`${delegation}/revoke`, { actor: pick(random, [ALICE, ADMIN]) });
    case 'permissions':
      return put(`${delegation}/permissions`, { actor: ALICE, permissions: someOf(random, PERMISSIONS) });
    case 'lines':
      return put(`${delegation}/shared-lines`, {
        actor: ALICE,
        sharedLines: random() < 0.7 ? [LINE] : [OTHER_NUMBER],
      });
    case 'opt':
      return post(`${delegation}/${pick(random, ['opt-in', 'opt-out'])}`, { actor: delegate });
    case 'lock':
      return random() < 0.5
        ? post(`${partyPath(focus ?? pick(random, PARTIES))}/delegation-lock`, { actor: ADMIN })
        : del(`${partyPath(focus ?? pick(random, PARTIES))}/delegation-lock`, { actor: ADMIN });
    case 'vip':
      return pick(random, [
        () =>
          post(`${partyPath(ALICE)}/vip-contacts`, {
            actor: pick(random, [ALICE, ALICE, ...DELEGATES]),
            number: VIP,
            name: 'Board',
          }),
        () => del(`${partyPath(ALICE)}/vip-contacts/${VIP}`, { actor: ALICE }),
        () =>
          put(`${partyPath(ALICE)}/vip-routing`, { actor: ALICE, mode: 'delegatorFirst', delaySeconds: 5 }),
        () => put(`${partyPath(ALICE)}/vip-routing`, { actor: ALICE, mode: 'delegatorOnly' }),
      ])();
    case 'hours':
      return random() < 0.5
        ? put(`${partyPath(ALICE)}/business-hours`, { actor: ADMIN, businessHours: hours(random) })
        : put(`${delegation}/business-hours`, { actor: delegate, businessHours: hours(random) });
    case 'ring':
      return put(`${partyPath(ALICE)}/ring-timeout`, {
        actor: ADMIN,
        ringTimeoutSeconds: pick(random, [10, 30]),
      });
    default:
      // R10: the line's number handed from Alice to d1 and back, calls on it or not.
      return random() < 0.5
        ? put(`${partyPath(ALICE)}/direct-numbers`, {
            actor: ADMIN,
            directNumbers: random() < 0.5 ? [LINE] : [OTHER_NUMBER],
          })
        : put(`${partyPath('d1')}/direct-numbers`, {
            actor: ADMIN,
            directNumbers: random() < 0.5 ? ['+15551000000'] : ['+15551000000', LINE],
          });
  }
};

/**
 * The virtual clock moving a few seconds, past ring timeouts and recalls, or hours (business hours),
 * on both instances at once: each keeps its own virtual clock (docs/event-store.md), and both fire
 * every timer, the second firing answered as a duplicate or refused. While a call rings (or a
 * transfer does), mostly a few seconds: a longer move sends it to voicemail (or recalls it) before
 * anybody could answer, and a short run then rarely gets past ringing.
 */
const clockStep = (random: Random, phase: ModelPhase): FuzzStep => {
  const ringing = phase === 'ringing' || phase === 'transferring';
  const bySeconds = ringing && random() < 0.5 ? 3 : pick(random, [3, 12, 40, 6 * 3600]);
  const advance = post('/clock/advance', { actor: ADMIN, bySeconds });
  return [
    { via: 0, ...advance },
    { via: 1, ...advance },
  ];
};

/** What the model knows of a call from the api's answers: its phase and who is where on it. */
interface CallModel {
  readonly phase: ModelPhase;
  /** Line-side parties on the audio. */
  readonly parties: readonly string[];
  /** Parties a ringing call alerted. */
  readonly alerted: readonly string[];
  readonly heldBy: string | null;
  /** A transfer's target while it rings. */
  readonly target: string | null;
}
const NO_CALL: CallModel = { phase: 'over', parties: [], alerted: [], heldBy: null, target: null };

/** The call model after one acknowledged event of it. */
const modelAfter = (model: CallModel, type: string, data: Record<string, unknown>): CallModel => {
  const phase = PHASE_AFTER[type] ?? model.phase;
  const by = typeof data['by'] === 'string' ? data['by'] : null;
  const without = (party: string | null) => model.parties.filter((p) => p !== party);
  switch (type) {
    case 'CallPlacedOnSharedLine':
      return { ...NO_CALL, phase, parties: [String(data['placedBy'])] };
    case 'IncomingCallReceived':
      return { ...NO_CALL, phase };
    case 'CallRang':
      return { ...model, alerted: [...model.alerted, ...((data['alerted'] as string[] | undefined) ?? [])] };
    case 'CallDeclined':
      return { ...model, alerted: model.alerted.filter((p) => p !== by) };
    case 'CallAnswered':
    case 'CallJoined':
      return { ...model, phase, parties: [...without(by), ...(by ? [by] : [])], alerted: [] };
    case 'CallHeld':
      return { ...model, phase, parties: [], heldBy: by };
    case 'CallResumed':
    case 'HeldCallPickedUp':
      return { ...model, phase, parties: by ? [by] : [], heldBy: null };
    case 'CallsMerged':
      return {
        ...model,
        phase: 'connected',
        parties: (data['participants'] as string[]) ?? [],
        heldBy: null,
      };
    case 'CallTransferRequested':
      return { ...model, phase, target: String(data['to']) };
    case 'CallTransferred':
      return { ...model, phase, parties: by ? [by] : [], target: null };
    case 'CallTransferRecalled':
      return { ...model, phase, target: null };
    case 'CallLeft':
      return { ...model, parties: without(by) };
    default:
      return { ...model, phase };
  }
};

/**
 * Call ids as a client picks them: a new one to start a call, mostly (R12: an id names one call of
 * a line for good, so a reused one must be refused); for acting on calls, the call in progress as
 * the api's answers told of it (its phase and parties too), or one of the last few that started.
 */
interface CallIds {
  fresh(): string;
  recent(): string;
  /** A message the answers said is in the inbox, mostly; else as `recent`. */
  message(): string;
  /** The call in progress, as far as the answers said; phase `over` when none is. */
  model(): CallModel;
  answered(answer: Answer): void;
}

const callIdsOf = (random: Random): CallIds => {
  let made = 0;
  // Before any call started, commands on a call name an id no call has (CALL_NOT_FOUND).
  const calls = new Map<string, CallModel>([['c0', NO_CALL]]);
  const inProgress = (): string | undefined =>
    [...calls].reverse().find(([, call]) => call.phase !== 'over')?.[0];
  const started = () => [...calls.keys()];
  // The inbox's messages (R17): their ids are their calls'.
  const messages = new Set<string>();
  const recent = () => {
    const ids = started();
    const current = inProgress();
    return current && random() < 0.8
      ? current
      : ids[Math.max(0, ids.length - 1 - Math.floor(random() * random() * 3))]!;
  };
  return {
    fresh: () => `c${++made}`,
    recent,
    message: () => (messages.size > 0 && random() < 0.8 ? pick(random, [...messages]) : recent()),
    model: () => calls.get(inProgress() ?? '') ?? NO_CALL,
    answered: ({ status, body }) => {
      // A timer the clock fired ended it: its answer listed no events, a later refusal says so, and
      // whether the call went to voicemail.
      const { callId: endedCall, endedAs, messageId: missing } = body.details ?? {};
      if (body.code === 'CALL_ENDED' && typeof endedCall === 'string') {
        calls.set(endedCall, NO_CALL);
        if (endedAs === 'voicemail') messages.add(endedCall);
      }
      if (body.code === 'VOICEMAIL_NOT_FOUND') messages.delete(String(missing));
      // A resent command's answer repeats its first events: no news (a call over would ring again).
      if (status >= 300 || body.duplicate) return;
      for (const { type, data = {} } of body.events ?? []) {
        const callId = data['callId'];
        if (typeof callId === 'string')
          calls.set(callId, modelAfter(calls.get(callId) ?? NO_CALL, type, data));
        if (type === 'VoicemailLeft') messages.add(String(data['messageId']));
        if (type === 'VoicemailDeleted') messages.delete(String(data['messageId']));
      }
    },
  };
};

/**
 * Where a run's steps come from: drawn from a seed, steered by the api's answers (which calls
 * started), or replayed as they were recorded (a shrunk sequence).
 */
export interface StepSource {
  next(): FuzzStep | undefined;
  answered(answers: readonly Answer[]): void;
}

/** `count` steps of `seed`: mostly calls, some account changes and clock moves, a fifth of them racing. */
export function seededSteps(seed: number, count: number): StepSource {
  const random = rng(seed);
  const callIds = callIdsOf(random);
  const delegations = delegationsOf();
  // Every command carries a client-chosen command id; a few steps resend an earlier command, to
  // either instance, which must append nothing new and answer as the first time (idempotency).
  const sent: FuzzRequest[] = [];
  const stamped = (made: Omit<FuzzRequest, 'via'>): FuzzRequest => {
    const fresh: FuzzRequest = {
      via: random() < 0.5 ? 0 : 1,
      ...made,
      body: { ...made.body, commandId: `${ACCOUNT}-${sent.length}` },
    };
    sent.push(fresh);
    return fresh;
  };
  // R10: now and then, while a call is connected or held, the line's number is handed from Alice to
  // d1 and back, so the parties still on the call go on with a call of the number's previous owner
  // (and d1's own calls come on the number meanwhile). Its steps come quickly until the number left
  // Alice, then seldom, so the call lingers in that state.
  let handingOver = false;
  const request = (): FuzzRequest => {
    if (handingOver && random() < (delegations.handedAway() ? 0.1 : 0.6)) {
      const next = delegations.handOver(random);
      if (next) return stamped(next);
      handingOver = false;
    }
    return stamped(random() < 0.7 ? callRequest(random, callIds) : accountRequest(random, delegations));
  };
  let left = count;
  return {
    next: () => {
      if (left-- <= 0) return undefined;
      const roll = random();
      if (roll < 0.12) return clockStep(random, callIds.model().phase);
      if (roll < 0.17 && sent.length > 0) return [{ ...pick(random, sent), via: random() < 0.5 ? 0 : 1 }];
      // A held or transferring call's next step raced by a change of what a delegate on it (or the
      // transfer's target) may do: revoked, permissions or lines changed, opted out, locked.
      const { phase, target, heldBy } = callIds.model();
      if (!handingOver && (phase === 'connected' || phase === 'held') && random() < 0.04) handingOver = true;
      const involved = [target, heldBy].filter((p): p is string => p !== null && p !== ALICE);
      if ((phase === 'held' || phase === 'transferring') && roll < 0.4)
        return [
          stamped(callRequest(random, callIds)),
          stamped(
            accountRequest(random, delegations, pick(random, involved.length > 0 ? involved : DELEGATES)),
          ),
        ];
      return roll < 0.3 ? Array.from({ length: 2 + Math.floor(random() * 2) }, () => request()) : [request()];
    },
    answered: (answers) => {
      for (const answer of answers) {
        callIds.answered(answer);
        delegations.answered(answer);
      }
    },
  };
}

export const replaying = (steps: readonly FuzzStep[]): StepSource => {
  let index = 0;
  return { next: () => steps[index++], answered: () => undefined };
};

interface Answer {
  readonly request: FuzzRequest;
  readonly status: number;
  readonly body: {
    commandId?: string;
    callId?: string;
    duplicate?: boolean;
    events?: { type: string; data?: Record<string, unknown> }[];
    code?: string;
    details?: Record<string, unknown>;
  };
}

/** A broken rule: which step, what it found. */
export interface Violation {
  readonly step: number;
  readonly problem: string;
}

const isClock = (request: FuzzRequest): boolean => request.path.startsWith('/clock');

const send = async (apis: readonly Api[], accountId: string, request: FuzzRequest): Promise<Answer> => {
  const res = await fetch(`${apis[request.via]!.url}${request.path.replace(ACCOUNT, accountId)}`, {
    method: request.method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request.body).replaceAll(ACCOUNT, accountId),
  });
  const text = await res.text();
  return { request, status: res.status, body: text ? (JSON.parse(text) as Answer['body']) : {} };
};

const describeRequest = ({ via, method, path, body }: FuzzRequest): string =>
  `api${via + 1} ${method} ${path} ${JSON.stringify(body)}`;

/** The account's events in `$all` order: its account stream and its line's. */
const eventsOf = async (store: EventStore, accountId: string): Promise<StoredEvent[]> => {
  const streams = await Promise.all(
    [accountStream(accountId), lineStreamOf(accountId)].map((stream) => collect(store.readStream(stream))),
  );
  return streams.flat().sort((a, b) => (a.position! < b.position! ? -1 : a.position! > b.position! ? 1 : 0));
};

/**
 * R12, R13, R14: what the line's log may hold of each call, whatever the views make of it: an id
 * starts one call for good (a reused one is refused), a call is answered once (every other attempt
 * is refused), and nothing happens on a call once it ended or went to voicemail but its message.
 */
const callLifecycleProblem = (events: readonly StoredEvent[]): string | null => {
  const started = new Set<string>();
  const answered = new Set<string>();
  const over = new Set<string>();
  for (const { event } of events) {
    const callId = (event.data as Record<string, unknown>)['callId'];
    if (typeof callId !== 'string') continue;
    if (event.type === 'CallPlacedOnSharedLine' || event.type === 'IncomingCallReceived') {
      if (started.has(callId)) return `R12: ${event.type} started a second call with id ${callId}`;
      started.add(callId);
    } else if (over.has(callId) && event.type !== 'VoicemailLeft')
      return `${event.type} on call ${callId} after it ended`;
    if (event.type === 'CallAnswered' || event.type === 'CallAnsweredByExternalParty') {
      if (answered.has(callId)) return `R13: call ${callId} answered twice (${event.type})`;
      answered.add(callId);
    }
    if (event.type === 'CallEnded' || event.type === 'CallSentToVoicemail') over.add(callId);
  }
  return null;
};

/** R12/R15/R16: what each phase of a call in progress must carry. */
const callShapeProblem = (call: CallOnLine): string | null => {
  if ((call.phase === 'held') !== (call.hold !== null))
    return `phase ${call.phase} with hold ${JSON.stringify(call.hold)}`;
  if (call.phase === 'held' && call.parties.length > 0)
    return `held with parties ${call.parties.join(',')} on the audio`;
  if (call.phase === 'connected' && call.parties.length === 0)
    return 'connected with nobody on the line side';
  if ((call.phase === 'transferring') !== (call.transfer !== null))
    return `phase ${call.phase} with transfer ${JSON.stringify(call.transfer)}`;
  if (call.phase === 'ringing' && call.parties.length > 0)
    return `ringing with ${call.parties.join(',')} already on it`;
  return null;
};

/**
 * R10/R6: a line event decided for a delegate on the delegator's behalf needs, at that point of the
 * log, an active delegation between them that shares the line and grants the permission it names.
 */
const delegationProblem = (account: AccountState, event: StoredEvent): string | null => {
  const { actor, onBehalfOf, permission } = event.metadata;
  if (onBehalfOf === null || onBehalfOf === undefined || actor === onBehalfOf) return null;
  if (account.status !== 'active') return 'line event before the account existed';
  const granting = [...account.delegations.values()].find(
    (d: Delegation) =>
      d.delegatorId === onBehalfOf &&
      d.delegateId === actor &&
      d.status === 'active' &&
      d.sharedLines.includes(LINE) &&
      (permission === null || permission === undefined || d.permissions.includes(permission as Permission)),
  );
  return granting
    ? null
    : `${event.event.type} by ${String(actor)} for ${String(onBehalfOf)} using ${String(permission)} without such an active delegation`;
};

/**
 * The deep states a run's log reached, by name (a campaign's coverage): pick-ups by whom and of
 * locked holds, transfers by target and end, joins and merges, VIP routing, and account changes
 * that raced a held or transferring call.
 */
const deepStatesOf = (events: readonly StoredEvent[]): string[] => {
  const reached: string[] = [];
  const role = (party: unknown) => (party === ALICE ? 'delegator' : 'delegate');
  const locked = new Set<string>();
  const deep = new Set<string>();
  // Calls in progress and whose each is, and those whose number another party owns now (R10).
  const live = new Map<string, unknown>();
  const previousOwners = new Set<string>();
  let lineOwner: string | null = ALICE;
  for (const { event } of events) {
    const data = event.data as Record<string, unknown>;
    const callId = String(data['callId']);
    if (previousOwners.has(callId)) reached.push(`${event.type} on a previous owner's call`);
    if (event.type === 'CallPlacedOnSharedLine' || event.type === 'IncomingCallReceived')
      live.set(callId, data['owner']);
    if (event.type === 'CallEnded' || event.type === 'CallSentToVoicemail') {
      live.delete(callId);
      previousOwners.delete(callId);
    }
    if (event.type === 'PartyDirectNumbersChanged') {
      if ((data['directNumbers'] as string[]).includes(LINE)) lineOwner = String(data['partyId']);
      else if (lineOwner === data['partyId']) {
        lineOwner = null;
        if (live.size > 0) reached.push('number handed away during a call');
      }
      previousOwners.clear();
      for (const [call, owner] of live) if (owner !== lineOwner) previousOwners.add(call);
    }
    switch (event.type) {
      case 'CallHeld':
      case 'CallPrivacyLockChanged':
        if (data['privacyLocked'] === true || data['locked'] === true) locked.add(callId);
        else locked.delete(callId);
        if (event.type === 'CallHeld') deep.add(callId);
        break;
      case 'HeldCallPickedUp':
        reached.push(`pick-up by ${role(data['by'])}${locked.has(callId) ? ' of a locked call' : ''}`);
        deep.delete(callId);
        break;
      case 'CallResumed':
      case 'CallEnded':
      case 'CallTransferred':
      case 'CallTransferRecalled':
        if (event.type === 'CallTransferred') reached.push(`transfer answered by ${role(data['by'])}`);
        if (event.type === 'CallTransferRecalled')
          reached.push(`transfer recalled (${String(data['reason'])})`);
        deep.delete(callId);
        break;
      case 'CallTransferRequested':
        reached.push(`transfer to ${role(data['to'])}`);
        deep.add(callId);
        break;
      case 'CallJoined':
      case 'CallsMerged':
        reached.push(event.type === 'CallJoined' ? 'join' : 'merge');
        break;
      case 'CallRang':
        if (data['stage'] === 'vipEscalation') reached.push('VIP escalation');
        break;
      case 'IncomingCallReceived':
        if (data['vip'] === true) reached.push('VIP call');
        break;
      case 'CallSentToVoicemail':
        reached.push(`voicemail (${String(data['reason'])})`);
        break;
      case 'DelegateOptedOut':
      case 'DelegationRevoked':
      case 'DelegationPermissionsChanged':
      case 'DelegationSharedLinesChanged':
      case 'DelegationLockedByAdmin':
        if (deep.size > 0) reached.push(`${event.type} during a hold or transfer`);
        if (event.type === 'DelegateOptedOut') reached.push('opt-out');
        break;
      case 'BusinessHoursSet':
      case 'DelegateBusinessHoursSet':
        if (data['businessHours'] !== null) reached.push('business hours set');
        break;
    }
    if (Array.isArray(data['permissions']) && data['permissions'].includes('vipOnly'))
      reached.push('vipOnly granted');
  }
  return reached;
};

export interface FuzzWorld {
  readonly apis: readonly [Api, Api];
  readonly store: EventStore;
}

/** How often each answer (status and reason code) came, and each event acknowledged: a campaign that only meets refusals tests little. */
export type Outcomes = Map<string, number>;

const tally = (counts: Outcomes, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

export interface RunOptions {
  /** Compare the live read models with a rebuild (and an as-of replay) every this many steps. */
  readonly rebuildEvery: number;
}

/** The steps a run sent, and the first invariant they broke (`null`: none). */
export interface RunResult {
  readonly steps: readonly FuzzStep[];
  readonly violation: Violation | null;
}

/**
 * Runs the steps of `source` on a fresh account of `world` and checks the invariants after each,
 * stopping at the first broken one.
 */
export async function runSteps(
  world: FuzzWorld,
  source: StepSource,
  options: RunOptions,
  outcomes: Outcomes = new Map(),
  deepStates: Outcomes = new Map(),
): Promise<RunResult> {
  const [one] = world.apis;
  const accountId = uniqueAccountId('fuzz');
  await seedAccount(one, accountId, accountCommands(accountId, FUZZ_ACCOUNT));
  const streamPrefixes = [`account-${accountId}`, `line-${accountId}.`];
  const projector = new Projector(world.store, PROJECTIONS, { streamPrefixes, log: () => undefined });
  await projector.start();
  const head = async (): Promise<bigint> =>
    (await lastPositionOfAccount(world.store.client, accountId)) ?? 0n;
  const digests: { position: bigint; digest: string }[] = [];
  /** The live read models at `position` against a rebuild, and an earlier step's against a replay to it. */
  const rebuildProblem = async (position: bigint): Promise<string | null> => {
    const rebuilt = await replay(world.store, PROJECTIONS, { streamPrefixes, untilPosition: position });
    if (rebuilt.digest() !== projector.readModels.digest())
      return 'the live read models differ from a rebuild from the first event';
    if (digests.length === 0) return null;
    const past = digests[Math.floor(rng(digests.length)() * digests.length)]!;
    const asOf = await replay(world.store, PROJECTIONS, { streamPrefixes, untilPosition: past.position });
    return asOf.digest() === past.digest
      ? null
      : `as of position ${past.position} a replay differs from what the live read models had there`;
  };
  try {
    const steps: FuzzStep[] = [];
    const sentIds = new Set<string>();
    for (let step = source.next(); step; step = source.next()) {
      const index = steps.push(step) - 1;
      const before = await head();
      const diagnosed = await diagnose(world, accountId, projector, step, sentIds);
      for (const request of step) sentIds.add(String(request.body['commandId']));
      const answers = await Promise.all(step.map((request) => send(world.apis, accountId, request)));
      source.answered(answers);
      if (diagnosed) tally(outcomes, 'R20 diagnosis compared');
      for (const { status, body } of answers) {
        tally(outcomes, `${status} ${body.code ?? ''}${body.duplicate ? ' duplicate' : ''}`.trim());
        for (const { type } of body.events ?? []) tally(outcomes, type);
      }
      const after = await head();
      await projector.waitForPosition(after);
      const problem =
        (await checkStep(world, accountId, projector, step, answers, before)) ??
        (diagnosed && diagnosisProblem(diagnosed, answers[0]!)) ??
        ((index + 1) % options.rebuildEvery === 0 ? await rebuildProblem(after) : null);
      if (problem) return { steps, violation: { step: index, problem } };
      digests.push({ position: after, digest: projector.readModels.digest() });
    }
    for (const state of deepStatesOf(await eventsOf(world.store, accountId))) tally(deepStates, state);
    const problem = steps.length > 0 ? await rebuildProblem(await head()) : null;
    return { steps, violation: problem ? { step: steps.length - 1, problem } : null };
  } finally {
    await projector.stop();
  }
}

async function checkStep(
  world: FuzzWorld,
  accountId: string,
  projector: Projector,
  step: FuzzStep,
  answers: readonly Answer[],
  before: bigint,
): Promise<string | null> {
  for (const answer of answers)
    if (answer.status >= 500)
      return `${answer.status} ${JSON.stringify(answer.body)} to ${describeRequest(answer.request)}`;

  const events = await eventsOf(world.store, accountId);
  const appended = events.filter((e) => e.position! > before);
  const acknowledged = answers.filter((a) => a.status < 300 && !isClock(a.request));
  if (!step.some(isClock)) {
    // A refused command appends nothing. Besides the acknowledged commands' own events, only their
    // reactions may follow (e.g. a transfer to a delegate just revoked is recalled, R16): events of
    // the same correlation.
    const ours = new Set(acknowledged.map((a) => a.body.commandId));
    const correlations = new Set(
      events.filter((e) => ours.has(e.metadata.commandId)).map((e) => e.metadata.$correlationId),
    );
    const stray = appended.filter(
      (e) => !ours.has(e.metadata.commandId) && !correlations.has(e.metadata.$correlationId),
    );
    if (stray.length > 0)
      return `${stray.map((e) => e.event.type).join(', ')} appended, caused by none of the acknowledged commands: ${answers.map((a) => `${a.status} ${a.body.code ?? ''} ← ${describeRequest(a.request)}`).join(' | ')}`;
  }
  for (const answer of acknowledged) {
    const stored = events
      .filter((e) => e.metadata.commandId === answer.body.commandId)
      .map((e) => e.event.type);
    const answered = (answer.body.events ?? []).map((e) => e.type);
    if (!isDeepStrictEqual(stored, answered))
      return `acknowledged ${answered.join(', ')} but $all holds ${stored.join(', ')} for ${describeRequest(answer.request)}`;
  }
  const lifecycle = callLifecycleProblem(events);
  if (lifecycle) return lifecycle;

  // A line decision reads the account as its instance's fold has it, which may lag an account
  // command of the same step by the subscription's lag (docs/data-path.md, "Builds the context"):
  // two racing commands may be decided in either order, whatever order $all appends them in. So a
  // line event of this step is authorised by the account as it stood at any point since the step
  // began (seeds 5044, 5048: an answer or a transfer racing a revocation); a change acknowledged in
  // an earlier step binds every later one.
  let account = initialAccountState;
  let sinceStepBegan: AccountState[] | null = null;
  for (const stored of events) {
    if (stored.position! > before) sinceStepBegan ??= [account];
    if (stored.stream === accountStream(accountId)) {
      account = evolveAccount(account, stored.event as AccountEvent);
      sinceStepBegan?.push(account);
    } else if (sinceStepBegan) {
      const problems = sinceStepBegan.map((state) => delegationProblem(state, stored));
      if (problems.every((problem) => problem !== null)) return problems.at(-1)!;
    }
  }

  // The command side's view of the line (what the next decision is made on), on both api instances
  // (each decides on its own cache), and the projector's.
  const linePath = `/accounts/${accountId}/lines/${LINE_PATH_NUMBER}`;
  const [view, otherView] = await Promise.all(world.apis.map((api) => api.get<LineView>(linePath)));
  if (view!.status !== otherView!.status || !isDeepStrictEqual(view!.body, otherView!.body))
    return `the two api instances see the line differently: ${JSON.stringify(view!.body)} and ${JSON.stringify(otherView!.body)}`;
  const calls = projector.readModels.state(callsProjection);
  const liveKeys = calls.lines.get(`${accountId}.${LINE_PATH_NUMBER}`)?.live ?? [];
  if (liveKeys.length > 1)
    return `R12: the read model has ${liveKeys.length} calls in progress on the line (${liveKeys.join(', ')})`;
  // R10: a number nobody owns (handed away) is no line to show; a call still on it is its owner's to end.
  if (view!.status === 404 && (view!.body as { code?: string }).code === 'LINE_NOT_FOUND') return null;
  if (view!.status !== 200) return `GET line answered ${view!.status} ${JSON.stringify(view!.body)}`;
  const line = view!.body;
  if (line.busy !== liveKeys.length > 0)
    return `the api says busy=${line.busy}, the read model has ${liveKeys.length} calls in progress`;
  const live = liveKeys.length ? (calls.calls.get(liveKeys[0]!)?.live ?? null) : null;
  if (line.call && !isDeepStrictEqual(line.call, JSON.parse(JSON.stringify(live))))
    return `the api's call ${JSON.stringify(line.call)} differs from the read model's ${JSON.stringify(live)}`;
  // R17: the shared inbox, read state included, is the same on both sides.
  const inboxOf = (messages: readonly { messageId: string; read: boolean }[]) =>
    messages.map(({ messageId, read }) => `${messageId}:${read ? 'read' : 'unread'}`).sort();
  const commandSide = inboxOf(
    line.voicemails.map((m) => ({ messageId: m.messageId, read: m.readBy !== null })),
  );
  const readSide = inboxOf(
    lineInbox(projector.readModels, accountId, LINE_PATH_NUMBER).messages.filter((m) => m.deleted === null),
  );
  if (!isDeepStrictEqual(commandSide, readSide))
    return `R17: the api's inbox ${commandSide.join(' ')} differs from the read model's ${readSide.join(' ')}`;
  return line.call ? callShapeProblem(line.call) : null;
}

/** The line's commands that R20 diagnoses, by the last segment of their path. */
const DIAGNOSED: Readonly<Record<string, DiagnosedAction>> = {
  answer: 'answer',
  decline: 'decline',
  hold: 'hold',
  resume: 'resume',
  'pick-up': 'pickUp',
  join: 'join',
  merge: 'merge',
  'privacy-lock': 'privacyLock',
  transfer: 'transfer',
  recordings: 'record',
  'hang-up': 'hangUp',
};

interface Diagnosed {
  /** The party's action, or the other end's (`external-answer`, `external-hang-up`). */
  readonly action: string;
  readonly diagnosis: Diagnosis;
}

/**
 * R20: what the projector's diagnosis says, before the step, of the party's command when the step is
 * that one command, sent for the first time, placing a call or acting on the call in progress (the
 * diagnosis is of that call), at the time of the api instance it goes to; or of the other end's. The panel enables and
 * disables each control as this says (README), so it must say what the api then decides.
 */
const diagnose = async (
  world: FuzzWorld,
  accountId: string,
  projector: Projector,
  step: FuzzStep,
  sentIds: ReadonlySet<string>,
): Promise<Diagnosed | null> => {
  const [request] = step;
  if (step.length !== 1 || sentIds.has(String(request!.body['commandId']))) return null;
  const { path, body, via } = request!;
  const [callId, verb, ...more] = path.startsWith(`${LINE_BASE}/calls/`)
    ? path.slice(`${LINE_BASE}/calls/`.length).split('/')
    : [];
  const calls = projector.readModels.state(callsProjection);
  const live = calls.lines.get(`${accountId}.${LINE_PATH_NUMBER}`)?.live[0];
  const current = live === undefined ? null : (calls.calls.get(live)?.live?.callId ?? null);
  // The other end's acts: R20 answers them for the call in progress, as the panel's header offers them.
  const otherEnd = callId === current ? otherEndOf(projector.readModels, accountId, LINE_PATH_NUMBER) : null;
  if (otherEnd && (verb === 'external-answer' || verb === 'external-hang-up') && more.length === 0)
    return { action: verb, diagnosis: otherEnd.can[verb === 'external-answer' ? 'answer' : 'hangUp'] };
  let action: DiagnosedAction | undefined;
  if (path === `${LINE_BASE}/calls`) action = 'placeCall';
  else if (callId === current && verb !== undefined && more.length === 0) action = DIAGNOSED[verb];
  if (action === undefined || typeof body['actor'] !== 'string') return null;
  if (action === 'hold' && body['privacyLock'] === true) action = 'holdLocked';
  const { now } = (await world.apis[via].get<{ now: string }>('/clock')).body;
  const diagnosis = whyCannot(projector.readModels, accountId, LINE_PATH_NUMBER, body['actor'], action, {
    at: now,
    source: 'the api instance the command goes to',
  });
  return { action, diagnosis };
};

/**
 * What the api decides that the diagnosis does not ask: the id a new call or a recording takes, and
 * the target of a transfer (it is asked before one is chosen).
 */
const NOT_DIAGNOSED = new Set(['CALL_ID_IN_USE', 'RECORDING_ALREADY_ACTIVE', 'TRANSFER_TARGET_NOT_ALLOWED']);

/** R20: the diagnosis let the command through and the api refused it, or the other way round. */
const diagnosisProblem = ({ action, diagnosis }: Diagnosed, answer: Answer): string | null => {
  const failing = diagnosis.checks.find((check) => !check.ok);
  const accepted = answer.status < 300;
  if (accepted === (failing === undefined)) return null;
  if (!accepted && NOT_DIAGNOSED.has(answer.body.code ?? '')) return null;
  return `R20: the projector's diagnosis of ${action} said "${diagnosis.answer}" (${failing?.code ?? 'allowed'}), the api answered ${answer.status} ${answer.body.code ?? JSON.stringify(answer.body.events?.map((e) => e.type))} to ${describeRequest(answer.request)}`;
};

/** What GET on a line answers (apps/api's LineView), as far as the invariants read it. */
interface LineView {
  readonly busy: boolean;
  readonly call: CallOnLine | null;
  readonly voicemails: readonly { messageId: string; readBy: string | null }[];
}

/**
 * The shortest sub-sequence of `steps` that still breaks an invariant on a fresh account: removing
 * chunks of steps, then single steps, then single requests of the steps that raced several (a racing
 * or resent command the violation needs not); again single steps and requests while that removes
 * any. A clock step's two moves stay together: each instance keeps its own virtual clock, and moving
 * one alone would break the line's views apart by itself.
 */
export const shrink = (
  world: FuzzWorld,
  steps: readonly FuzzStep[],
  options: RunOptions,
): Promise<FuzzStep[]> =>
  shrinkSteps(
    steps,
    async (candidate) => (await runSteps(world, replaying(candidate), options)).violation !== null,
  );

/** `shrink`, with `stillBreaks` saying whether a candidate (never empty) still breaks the invariant. */
export async function shrinkSteps(
  steps: readonly FuzzStep[],
  stillBreaks: (candidate: readonly FuzzStep[]) => Promise<boolean>,
): Promise<FuzzStep[]> {
  const breaks = async (candidate: readonly FuzzStep[]) =>
    candidate.length > 0 && (await stillBreaks(candidate));
  let current = [...steps];
  const withoutSteps = async (firstChunk: number) => {
    for (let chunk = firstChunk; chunk >= 1; chunk = Math.floor(chunk / 2)) {
      for (let start = 0; start < current.length;) {
        const candidate = current.toSpliced(start, chunk);
        if (await breaks(candidate)) current = candidate;
        else start += chunk;
      }
    }
  };
  const withoutRequests = async (): Promise<boolean> => {
    let removed = false;
    for (let index = 0; index < current.length; index++) {
      if (current[index]!.some(isClock)) continue;
      for (let request = 0; request < current[index]!.length && current[index]!.length > 1;) {
        const candidate = current.with(index, current[index]!.toSpliced(request, 1));
        if (await breaks(candidate)) {
          current = candidate;
          removed = true;
        } else request++;
      }
    }
    return removed;
  };
  await withoutSteps(Math.max(1, Math.floor(current.length / 2)));
  while (await withoutRequests()) await withoutSteps(1);
  return current;
}

export const describeSteps = (steps: readonly FuzzStep[]): string =>
  steps.map((step, i) => `  ${i}: ${step.map(describeRequest).join('  ‖  ')}`).join('\n');
