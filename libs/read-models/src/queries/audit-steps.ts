import { named } from '#domain';
import type { LineEvent } from '#events';

/** A party as a step names it: its id, or what `nameOf` makes of the id (a name for people reading it). */
type NameOf = (party: string) => string;

/**
 * What a step of a call's story did, in a sentence an auditor reads without the event's JSON: who was
 * alerted and who not (and why), the number dialled, to whom a transfer went, which voicemail. Parties
 * as `nameOf` names them: by default their ids, as the log has them (the CLI); the panel gives names.
 * Derived from the type and data alone, so it is outside the hash chain.
 */
export const auditStep = (
  entry: { readonly type: string; readonly data: object },
  nameOf: NameOf = (party) => party,
): string => {
  const list = (parties: readonly string[]): string =>
    parties.length === 0 ? 'nobody' : parties.map(nameOf).join(', ');
  const forWhom = (onBehalfOf: string | null): string => (onBehalfOf ? ` for ${nameOf(onBehalfOf)}` : '');
  const event = { type: entry.type, data: entry.data } as LineEvent;
  switch (event.type) {
    case 'CallPlacedOnSharedLine': {
      const { placedBy, onBehalfOf, to, callerId } = event.data;
      return `${nameOf(placedBy)}${forWhom(onBehalfOf)} dialled ${to}, showing ${named(callerId.name)} ${callerId.number}`;
    }
    case 'CallAnsweredByExternalParty':
      return 'the called party answered';
    case 'IncomingCallReceived':
      return `call from ${event.data.from}${event.data.vip ? ' (VIP)' : ''} on ${event.data.line}`;
    case 'CallRang': {
      const { alerted, decisions, stage, ringTimeoutAt } = event.data;
      const later = decisions.filter((d) => d.rings && d.afterSeconds > 0 && !alerted.includes(d.partyId));
      const not = decisions.filter((d) => !d.rings);
      return [
        `alerted ${list(alerted)}${stage === 'vipEscalation' ? ' (VIP escalation)' : ''}`,
        ...(later.length > 0
          ? [`later: ${later.map((d) => `${nameOf(d.partyId)} after ${d.afterSeconds} s`).join(', ')}`]
          : []),
        ...(not.length > 0
          ? [`not alerted: ${not.map((d) => `${nameOf(d.partyId)} (${d.rule} ${d.reason})`).join(', ')}`]
          : []),
        `voicemail at ${ringTimeoutAt} if unanswered`,
      ].join('; ');
    }
    case 'CallDeclined':
      return `${nameOf(event.data.by)}${forWhom(event.data.onBehalfOf)} declined`;
    case 'CallAnswered': {
      const { by, onBehalfOf, ringLegsEnded } = event.data;
      const ended = ringLegsEnded.length > 0 ? `; stopped ringing for ${list(ringLegsEnded)}` : '';
      return `${nameOf(by)}${forWhom(onBehalfOf)} answered${ended}`;
    }
    case 'CallSentToVoicemail':
      return `sent to voicemail (${event.data.reason}); missed by ${list(event.data.missedBy)}`;
    case 'CallHeld':
      return `${nameOf(event.data.by)}${forWhom(event.data.onBehalfOf)} held the call${event.data.privacyLocked ? ', privacy locked' : ''}`;
    case 'CallResumed':
      return `${nameOf(event.data.by)} resumed the call`;
    case 'HeldCallPickedUp':
      return `${nameOf(event.data.by)}${forWhom(event.data.onBehalfOf)} picked up the call ${nameOf(event.data.heldBy)} held`;
    case 'CallPrivacyLockChanged':
      return `${nameOf(event.data.by)} ${event.data.locked ? 'locked' : 'unlocked'} the call`;
    case 'CallTransferRequested': {
      const { by, onBehalfOf, to, attempt, recallAt } = event.data;
      return `${nameOf(by)}${forWhom(onBehalfOf)} transferred the call to ${nameOf(to)} (transfer ${attempt}); back at ${recallAt} if unanswered`;
    }
    case 'CallTransferred':
      return `${nameOf(event.data.by)}${forWhom(event.data.onBehalfOf)} took the transfer from ${nameOf(event.data.transferredBy)}`;
    case 'CallTransferRecalled': {
      const { target, to, reason, attempt } = event.data;
      const why = { timeout: 'did not answer', declined: 'declined', targetNotAllowed: 'may no longer take' }[
        reason
      ];
      return `${nameOf(target)} ${why} transfer ${attempt}: the call is back with ${nameOf(to)}`;
    }
    case 'CallJoined':
      return `${nameOf(event.data.by)}${forWhom(event.data.onBehalfOf)} joined the call`;
    case 'CallsMerged': {
      const { by, onBehalfOf, heldBy, participants } = event.data;
      return `${nameOf(by)}${forWhom(onBehalfOf)} merged the call ${nameOf(heldBy)} held: ${list(participants)} on it`;
    }
    case 'CallLeft':
      return `${nameOf(event.data.by)} left the call`;
    case 'CallEnded': {
      const { by, reason, missedBy } = event.data;
      if (reason === 'callerAbandoned')
        return `the caller hung up while ringing; missed by ${list(missedBy)}`;
      return reason === 'externalHungUp' || by === null
        ? 'the external party hung up'
        : `${nameOf(by)} hung up`;
    }
    case 'RecordingStarted':
      return `${nameOf(event.data.by)} started recording ${event.data.recordingId}`;
    case 'RecordingStopped': {
      const { recordingId, owner, reason } = event.data;
      return `recording ${recordingId} of ${nameOf(owner)} stopped (${reason})`;
    }
    case 'VoicemailLeft':
      return `${event.data.from} left voicemail ${event.data.messageId}`;
    case 'VoicemailRead':
      return `${nameOf(event.data.by)}${forWhom(event.data.onBehalfOf)} read voicemail ${event.data.messageId}`;
    case 'VoicemailDeleted':
      return `${nameOf(event.data.by)}${forWhom(event.data.onBehalfOf)} deleted voicemail ${event.data.messageId}`;
    default:
      // A trail holds only line events the catalogue knows; a new one is a compile error above first.
      event satisfies never;
      return entry.type;
  }
};
