import type { CallOnLine } from '#domain';
import { lineKey, splitLineKey } from '#events';
import { newestFirst } from '../engine/projection.js';
import type { ReadModels } from '../engine/read-models.js';
import {
  callsProjection,
  callStatus,
  durationSeconds,
  type CallRow,
} from '../projections/calls.projection.js';
import { partyKey, type PartyRow } from '../projections/accounts.projection.js';
import {
  voicemailProjection,
  type MissedCallEntry,
  type VoicemailMessage,
} from '../projections/voicemail.projection.js';
import {
  lineOwner,
  maySeeCall,
  ofCurrentOwner,
  partyName,
  sameNumber,
  shownNumber,
  type LineAccess,
} from './access.js';
import type { LampState } from './view-types.js';

export type { LampState };

type Allowed = Extract<LineAccess, { allowed: true }>;

/** R23: the name the owner gave the number now, `null` when unnamed. */
export const currentLineName = (owner: PartyRow, number: string): string | null =>
  owner.lineNames.find((line) => sameNumber(line.number, number))?.name ?? null;

/**
 * R11: the delegator sees its own number; a delegate sees the delegator's name and the shared number.
 * R23: the line's name stands beside the number in both. The number is written in E.164 with its `+`,
 * as every sentence writes it, whichever spelling (`+15550100` or the routes' `15550100`) it is given.
 */
export const lineLabel = (access: Allowed, number: string): string => {
  const name = currentLineName(access.owner, number);
  const shown = shownNumber(number);
  const named = name === null ? shown : `${name} · ${shown}`;
  return access.role === 'delegator' ? `My number ${named}` : `${access.owner.name} · ${named}`;
};

/** The call that decides the lamp: a call occupying the line wins over one still ringing. */
const lampCall = (readModels: ReadModels, accountId: string, number: string): CallRow | undefined => {
  const { lines, calls } = readModels.state(callsProjection);
  const live = (lines.get(lineKey(accountId, number))?.live ?? []).map((id) => calls.get(id)!);
  return live.find((c) => c.live?.phase !== 'ringing') ?? live[0];
};

/**
 * R10: whether `viewer` sees who and what a call in progress is. A call of the number's previous owner
 * still on the line is that owner's: the new owner and its delegates see only that it keeps the line
 * busy, unless they are on it themselves, as the api's view of the line shows it
 * (`previousOwnersCall`). A call logged before owners were is the current ownership's.
 */
const seesCall = (access: Allowed, call: CallRow, live: CallOnLine, viewer: string): boolean =>
  ofCurrentOwner(access.owner, call) || live.parties.includes(viewer) || live.hold?.by === viewer;

/**
 * The lamp of a call in progress, for a viewer who may see who is on it (R11, R12, R15). `callOwner` is
 * the party whose call it is when the call does not record one (logged before owners were).
 */
const callLamp = (
  readModels: ReadModels,
  accountId: string,
  call: CallRow,
  live: CallOnLine,
  callOwner: string,
): LampState => {
  const name = (party: string | null): string | null => partyName(readModels, accountId, party);
  if (live.phase === 'ringing') {
    const ringing = live.ring?.ringing ?? [];
    return {
      state: 'ringing',
      callId: call.callId,
      from: call.external,
      since: call.startedAt,
      alerted: [...ringing],
      alertedNames: ringing.map(name),
      youAreAlerted: false,
    };
  }
  if (live.phase === 'held' && live.hold) {
    return {
      state: 'held',
      callId: call.callId,
      heldBy: live.hold.by,
      heldByName: name(live.hold.by),
      onBehalfOf: call.heldBy.at(-1)?.onBehalfOf ?? null,
      locked: live.privacyLocked,
      since: live.hold.since,
    };
  }
  // R6/R16: a delegate is on a call on its owner's behalf, as each of its acts records, and the owner
  // on nobody's; asked of who is on it now, not of one act that brought somebody on: a transfer's
  // target answered for the owner even when the owner transferred it, and a later pick-up or join
  // changes who is there.
  const owner = call.owner ?? callOwner;
  const onBehalfOf = live.parties.includes(owner) ? null : owner;
  return {
    state: 'busy',
    callId: call.callId,
    phase: live.phase === 'dialing' ? 'dialing' : 'connected',
    by: [...live.parties],
    byNames: live.parties.map(name),
    onBehalfOf,
    onBehalfOfName: name(onBehalfOf),
    since: call.busySince ?? call.startedAt,
    transferringTo: live.transfer?.to ?? null,
    transferringToName: name(live.transfer?.to ?? null),
    locked: live.privacyLocked,
  };
};

/** The busy lamp of a line as one viewer sees it (R11, R12; R10 for a previous owner's call). */
export const lineState = (
  readModels: ReadModels,
  accountId: string,
  number: string,
  viewer: string,
  access: Allowed,
): {
  line: { accountId: string; number: string; name: string | null; label: string };
  viewerRole: string;
  lamp: LampState;
} => {
  const call = lampCall(readModels, accountId, number);
  const live = call?.live;
  let lamp: LampState = { state: 'idle' };
  if (call && live && !seesCall(access, call, live, viewer)) {
    lamp = { state: 'occupied', since: call.startedAt };
  } else if (call && live) {
    lamp = callLamp(readModels, accountId, call, live, access.owner.partyId);
    if (lamp.state === 'ringing') lamp = { ...lamp, youAreAlerted: lamp.alerted.includes(viewer) };
  }
  return {
    line: {
      accountId,
      // In E.164 as the api's view of the line and the panel's seat give it, however it was addressed.
      number: shownNumber(number),
      name: currentLineName(access.owner, number),
      label: lineLabel(access, number),
    },
    viewerRole: access.role,
    lamp,
  };
};

/**
 * A call `viewer` is on (or holds) on a number that is no longer its owner's (R10): an admin handed the
 * number to another party, or took it from its owner, while the call was on it. The call is still its
 * owner's, and its parties wind it down (hang up, hold, resume their own hold, record; its owner locks
 * it) where the number no longer shows among their lines.
 */
export interface HandedCall {
  /** E.164, with its `+`. */
  readonly number: string;
  readonly call: CallRow;
  readonly live: CallOnLine;
  /** The party whose number it was when the call started: whose call it still is. */
  readonly callOwner: string;
  /** The number's owner now; `undefined` when nobody owns it any more. */
  readonly owner: PartyRow | undefined;
  readonly lamp: LampState;
}

/** The calls in progress `viewer` is on whose number has passed from the call's owner (R10), oldest first. */
export const handedCalls = (readModels: ReadModels, accountId: string, viewer: string): HandedCall[] => {
  const { partyCalls, calls } = readModels.state(callsProjection);
  return (partyCalls.get(partyKey(accountId, viewer)) ?? []).flatMap((key): HandedCall[] => {
    const call = calls.get(key)!;
    const live = call.live;
    // A call logged before owners were is the current ownership's: no number passed under it.
    if (!live || call.owner === null) return [];
    if (!live.parties.includes(viewer) && live.hold?.by !== viewer) return [];
    const { number } = splitLineKey(call.line);
    const owner = lineOwner(readModels, accountId, number);
    if (ofCurrentOwner(owner, call)) return [];
    const lamp = callLamp(readModels, accountId, call, live, call.owner);
    return [{ number: shownNumber(number), call, live, callOwner: call.owner, owner, lamp }];
  });
};

/** A history entry with its R17 labels, names resolved for people reading it. */
export const historyEntry = (readModels: ReadModels, accountId: string, call: CallRow) => {
  const name = (party: string | null): string | null => partyName(readModels, accountId, party);
  const behalf = (onBehalfOf: string | null): string =>
    onBehalfOf ? ` on behalf of ${name(onBehalfOf)}` : '';
  const labels: string[] = [];
  if (call.placedBy) labels.push(`placed by ${name(call.placedBy.by)}${behalf(call.placedBy.onBehalfOf)}`);
  if (call.answeredBy)
    labels.push(`answered by ${name(call.answeredBy.by)}${behalf(call.answeredBy.onBehalfOf)}`);
  for (const pickUp of call.pickedUpBy)
    labels.push(`picked up by ${name(pickUp.by)}${behalf(pickUp.onBehalfOf)}`);
  for (const transfer of call.transferredBy) {
    labels.push(`transferred by ${name(transfer.by)} to ${name(transfer.to)}${behalf(transfer.onBehalfOf)}`);
  }
  return {
    callId: call.callId,
    line: call.line,
    /** R23: the name the line had when the call started (a later rename does not change it). */
    lineName: call.lineName,
    direction: call.direction,
    external: call.external,
    vip: call.vip,
    status: callStatus(call),
    result: call.result,
    startedAt: call.startedAt,
    answeredAt: call.answeredAt,
    endedAt: call.endedAt,
    durationSeconds: durationSeconds(call),
    labels,
    placedBy: call.placedBy,
    answeredBy: call.answeredBy,
    pickedUpBy: call.pickedUpBy,
    transferredBy: call.transferredBy,
    missedBy: call.missedBy,
    voicemailMessageId: call.voicemailMessageId,
  };
};

export type HistoryEntry = ReturnType<typeof historyEntry>;

/** The calls of the number's current ownership (R10, R17), newest first, like a phone's call log. */
export const lineHistory = (readModels: ReadModels, accountId: string, number: string): HistoryEntry[] => {
  const { lines, calls } = readModels.state(callsProjection);
  const owner = lineOwner(readModels, accountId, number);
  return newestFirst(calls, lines.get(lineKey(accountId, number))?.calls)
    .filter((call) => ofCurrentOwner(owner, call))
    .map((call) => historyEntry(readModels, accountId, call));
};

/**
 * A line's shared inbox (R14, R17) as its owner and delegates see it: the messages (deleted ones too,
 * as the record of who deleted what) and missed calls of the number's current ownership, newest first.
 */
export const lineInbox = (
  readModels: ReadModels,
  accountId: string,
  number: string,
): { messages: VoicemailMessage[]; missedCalls: MissedCallEntry[] } => {
  const { inboxes, messages, missedCalls } = readModels.state(voicemailProjection);
  const inbox = inboxes.get(lineKey(accountId, number));
  const owner = lineOwner(readModels, accountId, number);
  return {
    messages: newestFirst(messages, inbox?.messages).filter((message) => ofCurrentOwner(owner, message)),
    missedCalls: newestFirst(missedCalls, inbox?.missedCalls).filter((missed) =>
      ofCurrentOwner(owner, missed),
    ),
  };
};

/** The calls a party took part in, newest first, as far as `viewer` may see them (R17, `maySeeCall`). */
export const partyHistory = (
  readModels: ReadModels,
  accountId: string,
  partyId: string,
  viewer: string,
): HistoryEntry[] => {
  const { partyCalls, calls } = readModels.state(callsProjection);
  return newestFirst(calls, partyCalls.get(partyKey(accountId, partyId)))
    .filter((call) => maySeeCall(readModels, accountId, call, viewer))
    .map((call) => historyEntry(readModels, accountId, call));
};
