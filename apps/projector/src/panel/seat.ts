import {
  edgeSentenceOf,
  explainActor,
  explainOptInOrOut,
  explainStopRecording,
  explainVoicemailAct,
  isLive,
  lineContextFor,
  refusalOf,
  transferTargetRefusal,
  type Check as DecidedStep,
  type LineContext,
  type RuleId,
} from '#domain';
import type { ReadModels } from '#read-models';
import {
  accountDelegations,
  accountParties,
  accountParty,
  accountsProjection,
  activationRefusalsOf,
  partyKey,
  type DelegationRow,
} from '#read-models';
import { lineKey, splitLineKey } from '#events';
import { callsProjection, recordingsProjection } from '#read-models';
import type { VoicemailMessage } from '#read-models';
import { accountStateOf, lineAccess, partyName, sameNumber } from '#read-models';
import type { DiagnosisTime } from '#read-models';
import { otherEndOf, whyCannot, type Diagnosis } from '#read-models';
import {
  currentLineName,
  handedCalls,
  lineHistory,
  lineInbox,
  lineLabel,
  lineState,
  speedDialList,
} from '#read-models';
import { notAPartySentence } from '../http/params.js';
import { panelLines } from './panel-lines.js';
import type {
  Availability,
  DiagnosedAction,
  DiagnosedCallAction,
  Directory,
  Seat,
  SeatDelegation,
  SeatHandedCall,
  SeatInboxMessage,
  SeatLine,
  SeatOtherEnd,
  SeatParty,
  SeatRecording,
  SeatSpeedDialList,
  SeatVoicemail,
} from './seat-contract.js';

/** The seat's history shows the latest calls; the line's full history stays at /lines/…/history. */
const HISTORY_SHOWN = 20;
const DIAGNOSED: readonly DiagnosedAction[] = ['answer', 'pickUp', 'placeCall', 'join', 'merge'];
const DIAGNOSED_ON_CALL: readonly DiagnosedCallAction[] = [
  'decline',
  'hold',
  'holdLocked',
  'resume',
  'privacyLock',
  'transfer',
  'record',
  'hangUp',
];

/** A diagnosis as the seat shows it: whether the action is allowed, the rule's sentence, the api's reason. */
const availabilityOf = (diagnosis: Diagnosis): Availability => {
  const failing = diagnosis.checks.find((c) => !c.ok);
  return {
    allowed: failing === undefined,
    rule: diagnosis.rule,
    ...(diagnosis.code === undefined ? {} : { code: diagnosis.code }),
    sentence: diagnosis.answer,
    ...(failing === undefined ? {} : { reason: failing.detail }),
  };
};

/**
 * An act the domain explains in steps (up to its first refusal) as the seat shows it: `doing` names
 * the act for the sentence, `rule` the rule that allows it when no step names one.
 */
const availabilityOfSteps = (
  steps: readonly DecidedStep[],
  who: string,
  doing: string,
  rule: RuleId,
): Availability => {
  const refused = refusalOf(steps);
  if (!refused) return { allowed: true, rule: steps.at(-1)?.rule ?? rule, sentence: `${who} can ${doing}.` };
  return {
    allowed: false,
    rule: refused.rule,
    code: refused.code,
    sentence: `${who} cannot ${doing}: ${refused.message}`,
    reason: refused.message,
  };
};

/** Why a seat cannot be shown: the account or the viewer is not known (yet). */
export class SeatRefusal extends Error {
  constructor(
    readonly code: 'ACCOUNT_NOT_FOUND' | 'PARTY_NOT_FOUND',
    message: string,
  ) {
    super(message);
  }
}

const e164 = (number: string): string => `+${number.replace(/^\+/, '')}`;

/** Every account with its parties, for the landing page: nobody has to type a query string. */
export const directory = (readModels: ReadModels): Directory => {
  const { accounts } = readModels.state(accountsProjection);
  return {
    accounts: [...accounts.values()].map((account) => ({
      accountId: account.accountId,
      name: account.name,
      parties: accountParties(readModels, account.accountId).map((party) => ({
        partyId: party.partyId,
        name: party.name,
        kind: party.kind,
        lines: panelLines(readModels, account.accountId, party.partyId).length,
      })),
    })),
  };
};

/**
 * Everything one viewer's seat shows, from one set of read models: its lines with lamps, what it may do
 * on each (R20 diagnoses in the rule's sentence), shared voicemail and history (R17), its own running
 * recordings (R18) and its delegations both ways. The live stream sends this whole after each change.
 */
export const seatOf = (
  readModels: ReadModels,
  accountId: string,
  viewer: string,
  time: DiagnosisTime & { readonly mode: 'virtual' | 'realtime' },
): Seat => {
  const account = readModels.state(accountsProjection).accounts.get(accountId);
  if (!account)
    throw new SeatRefusal('ACCOUNT_NOT_FOUND', edgeSentenceOf('ACCOUNT_NOT_FOUND', { account: accountId }));
  const party = accountParty(readModels, accountId, viewer);
  if (!party) {
    throw new SeatRefusal('PARTY_NOT_FOUND', notAPartySentence(viewer, account));
  }
  const named = (partyId: string): SeatParty => ({
    partyId,
    name: partyName(readModels, accountId, partyId) ?? partyId,
  });
  const viewerName = named(viewer).name;
  const accountState = accountStateOf(readModels, accountId);
  const rows = accountDelegations(readModels, accountId);
  /**
   * R13: the delegate opting in or out of ringing, asked of the decider's own steps (R20); nothing on a
   * delegation the viewer is not the delegate of, or one that is over (R7: a declined or revoked one is
   * history, with no ringing left to opt in or out of).
   */
  const optInOut = (row: DelegationRow): Availability | null => {
    // The accounts read model has the account (checked above), so its state is an active account's.
    if (accountState.status !== 'active') throw new Error(`account ${accountId} has no active state`);
    if (row.delegateId !== viewer || !isLive(accountState.delegations.get(row.delegationId)!)) return null;
    const verdict = explainOptInOrOut(accountState, viewer, row.delegationId);
    return availabilityOfSteps(
      verdict.ok ? [] : [verdict],
      viewerName,
      `opt ${row.optedIn ? 'out of' : 'in to'} ringing for delegation ${row.delegationId}`,
      'R13',
    );
  };
  const activationRefused = activationRefusalsOf(readModels, accountId);
  const delegation = (row: DelegationRow, other: string): SeatDelegation => ({
    delegationId: row.delegationId,
    other: named(other),
    status: row.status,
    statusSince: row.statusSince,
    permissions: row.permissions,
    sharedLines: row.sharedLines.map(e164),
    optedIn: row.optedIn,
    optInOut: optInOut(row),
    activationRefused: activationRefused(row.delegationId),
  });
  const act = (a: { by: string; at: string }) => ({
    by: a.by,
    byName: partyName(readModels, accountId, a.by),
    at: a.at,
  });
  const message = (m: VoicemailMessage): SeatVoicemail => ({
    messageId: m.messageId,
    callId: m.callId,
    lineName: m.lineName,
    from: m.from,
    at: m.at,
    read: m.read,
    readBy: m.readBy.map(act),
    deleted: m.deleted && act(m.deleted),
  });
  /** A message still in the inbox, with R20's answer for reading and deleting it (R17). */
  const inboxMessage = (m: VoicemailMessage, context: LineContext): SeatInboxMessage => {
    const steps = explainVoicemailAct(context, m, m.messageId, viewer).checks;
    return {
      ...message(m),
      can: {
        read: availabilityOfSteps(steps, viewerName, `read voicemail ${m.messageId}`, 'R17'),
        delete: availabilityOfSteps(steps, viewerName, `delete voicemail ${m.messageId}`, 'R17'),
      },
    };
  };
  const { byOwner, recordings } = readModels.state(recordingsProjection);
  const running = (byOwner.get(partyKey(accountId, viewer)) ?? [])
    .map((key) => recordings.get(key)!)
    .filter((r) => r.stoppedAt === null);
  const { lines: callLines, calls } = readModels.state(callsProjection);
  /**
   * The viewer's recordings running on call `callId` on the number `digits`, each with R20's answer
   * for stopping it (R18): the decider's steps, on the call in progress on the number.
   */
  const recordingsOn = (digits: string, callId: string | null): SeatRecording[] => {
    const line = lineKey(accountId, digits);
    const key = callLines.get(line)?.live[0];
    const facts = { call: key === undefined ? null : (calls.get(key)?.live ?? null), recentCalls: [] };
    return running
      .filter((r) => r.line === line && r.callId === callId)
      .map((r) => ({
        recordingId: r.recordingId,
        callId: r.callId,
        startedAt: r.startedAt,
        stop: availabilityOfSteps(
          explainStopRecording(facts, r.callId, r.recordingId, viewer),
          viewerName,
          `stop recording ${r.recordingId}`,
          'R18',
        ),
      }));
  };

  /** R20 on one number for the viewer, each action in the rule's sentence. */
  const availabilityOn = <Action extends DiagnosedAction | DiagnosedCallAction>(
    number: string,
    actions: readonly Action[],
  ) =>
    Object.fromEntries(
      actions.map((action): [Action, Availability] => [
        action,
        availabilityOf(whyCannot(readModels, accountId, number, viewer, action, time)),
      ]),
    ) as Record<Action, Availability>;
  /** The other end of the call on a number, and what it may do there (R20). */
  const otherEndOn = (number: string): SeatOtherEnd | null => {
    const end = otherEndOf(readModels, accountId, number);
    return (
      end && {
        callId: end.callId,
        number: end.number,
        answer: availabilityOf(end.can.answer),
        hangUp: availabilityOf(end.can.hangUp),
      }
    );
  };

  const lines = panelLines(readModels, accountId, viewer).map((panelLine): SeatLine => {
    const { number } = panelLine;
    const access = lineAccess(readModels, accountId, number, viewer);
    if (!access.allowed) throw new Error(`panelLines listed ${number}, which ${viewer} may not use`);
    const { lamp } = lineState(readModels, accountId, number, viewer, access);
    const history = lineHistory(readModels, accountId, number);
    const availability = availabilityOn(number, DIAGNOSED);
    const owner = access.owner;
    // R16: the parties the decider would take a transfer of the line's call to, from the viewer.
    const context = lineContextFor(
      accountState,
      owner.directNumbers.find((own) => sameNumber(own, number))!,
      time.at,
    );
    const acting = explainActor(context, viewer).acting;
    const onCall = {
      callId: 'callId' in lamp ? lamp.callId : '',
      parties: lamp.state === 'busy' ? lamp.by : [],
    };
    const transferTargets = [owner.partyId, ...context.delegates.map((d) => d.partyId)]
      .filter((to) => to !== viewer && acting && transferTargetRefusal(acting, to, onCall, context) === null)
      .map(named);
    const { messages: all, missedCalls } = lineInbox(readModels, accountId, number);
    // An occupied lamp names no call: the call on the line is the number's previous owner's (R10).
    const callId = lamp.state === 'idle' || lamp.state === 'occupied' ? null : lamp.callId;
    return {
      number: e164(number),
      name: currentLineName(owner, number),
      label: lineLabel(access, number),
      role: access.role,
      owner: named(owner.partyId),
      permissions: access.role === 'delegate' ? access.delegation.permissions : [],
      lamp,
      availability,
      // Asked only of a line with a call of its own: a seat of many idle lines asks nothing more.
      callAvailability: callId === null ? null : availabilityOn(number, DIAGNOSED_ON_CALL),
      otherEnd: callId === null ? null : otherEndOn(number),
      transferTargets,
      recordings: recordingsOn(number, callId),
      voicemail: {
        unread: all.filter((m) => !m.read && m.deleted === null).length,
        messages: all.filter((m) => m.deleted === null).map((m) => inboxMessage(m, context)),
        deleted: all.filter((m) => m.deleted !== null).map(message),
        missedCalls: missedCalls.map((c) => ({
          callId: c.callId,
          lineName: c.lineName,
          from: c.from,
          receivedAt: c.receivedAt,
          reason: c.reason,
        })),
      },
      history: history.slice(0, HISTORY_SHOWN).map((h) => ({
        callId: h.callId,
        lineName: h.lineName,
        direction: h.direction,
        external: h.external,
        status: h.status,
        result: h.result,
        startedAt: h.startedAt,
        endedAt: h.endedAt,
        durationSeconds: h.durationSeconds,
        labels: h.labels,
      })),
      historyCalls: history.length,
    };
  });

  // R10: the line decider lets a party on a previous owner's call wind it down, and nothing more.
  const handed = handedCalls(readModels, accountId, viewer).map(
    ({ number, call, callOwner, owner, lamp }): SeatHandedCall => {
      // The read models key a line by its digits, as the line routes address it; the seat shows the `+`.
      const { number: digits } = splitLineKey(call.line);
      return {
        number,
        callId: call.callId,
        callOwner: named(callOwner),
        handedTo: owner ? named(owner.partyId) : null,
        lamp,
        // A handed call is on its number until it ends: the other end is there.
        otherEnd: otherEndOn(digits)!,
        callAvailability: availabilityOn(digits, DIAGNOSED_ON_CALL),
        availability: availabilityOn(digits, DIAGNOSED),
        recordings: recordingsOn(digits, call.callId),
      };
    },
  );

  // R22: the viewer's own keys, and those of delegators whose active delegation grants manageSpeedDials.
  const managed = rows
    .filter(
      (d) => d.delegateId === viewer && d.status === 'active' && d.permissions.includes('manageSpeedDials'),
    )
    .map((d) => d.delegatorId);
  const speedDials = [viewer, ...new Set(managed)].flatMap((ownerId): SeatSpeedDialList[] => {
    const list = speedDialList(readModels, accountId, ownerId);
    return list ? [{ owner: named(ownerId), maxSpeedDials: list.maxSpeedDials, entries: list.entries }] : [];
  });

  return {
    position: String(readModels.position ?? 0n),
    account: { accountId, name: account.name },
    viewer: named(viewer),
    clock: { mode: time.mode, now: time.at },
    lines,
    handedCalls: handed,
    speedDials,
    delegates: rows.filter((d) => d.delegatorId === viewer).map((d) => delegation(d, d.delegateId)),
    delegators: rows.filter((d) => d.delegateId === viewer).map((d) => delegation(d, d.delegatorId)),
  };
};
