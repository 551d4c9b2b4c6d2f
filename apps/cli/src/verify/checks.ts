import { lineDecider, type CallPhase, type LineState } from '#domain';
import type { LineEvent } from '#events';

/** Why metadata does not have the shape of `libs/events/src/metadata.ts` (the decoder's own check). */
export { metadataProblem } from '#events';

const LINE_EVENT_TYPES = new Set<string>([
  'CallPlacedOnSharedLine',
  'CallAnsweredByExternalParty',
  'IncomingCallReceived',
  'CallRang',
  'CallDeclined',
  'CallAnswered',
  'CallSentToVoicemail',
  'CallHeld',
  'CallResumed',
  'HeldCallPickedUp',
  'CallPrivacyLockChanged',
  'CallTransferRequested',
  'CallTransferred',
  'CallTransferRecalled',
  'CallJoined',
  'CallsMerged',
  'CallLeft',
  'CallEnded',
  'RecordingStarted',
  'RecordingStopped',
  'VoicemailLeft',
  'VoicemailRead',
  'VoicemailDeleted',
]);

/**
 * The life of a call as the line's state machine allows it: which phase the call on the line must be
 * in for each event. `evolveLine` itself is total (it ignores what does not fit), so legality is
 * checked here against the state it folds: an event about a call that is not on the line, or that
 * its phase does not allow, is a broken history.
 */
const REQUIRED_PHASES: Partial<Record<LineEvent['type'], readonly CallPhase[]>> = {
  CallAnsweredByExternalParty: ['dialing'],
  CallRang: ['ringing'],
  CallDeclined: ['ringing', 'transferring'],
  CallAnswered: ['ringing'],
  CallHeld: ['connected'],
  CallResumed: ['held'],
  HeldCallPickedUp: ['held'],
  CallTransferRequested: ['connected'],
  CallTransferred: ['transferring'],
  CallTransferRecalled: ['transferring'],
  CallJoined: ['connected'],
  CallsMerged: ['held'],
};

/** Why `event` cannot follow `state` on a line, or undefined when it can. */
export const lineEventProblem = (state: LineState, event: LineEvent): string | undefined => {
  const data = event.data as { callId?: string; messageId?: string };
  const call = state.call;
  const onLine = call !== null && call.callId === data.callId;
  switch (event.type) {
    case 'CallPlacedOnSharedLine':
      return call
        ? `R12: call ${data.callId} placed while call ${call.callId} is active on the line`
        : undefined;
    case 'IncomingCallReceived':
      return onLine ? `call ${data.callId} arrived twice` : undefined;
    case 'CallSentToVoicemail':
      if (onLine)
        return call.phase === 'ringing'
          ? undefined
          : `R14: call ${data.callId} sent to voicemail while ${call.phase}`;
      return event.data.reason === 'lineBusy'
        ? undefined
        : `call ${data.callId} sent to voicemail but it is not ringing on the line`;
    case 'VoicemailLeft':
      return state.recentCalls.some((c) => c.callId === data.callId && c.endedAs === 'voicemail')
        ? undefined
        : `voicemail left for call ${data.callId}, which did not go to voicemail`;
    case 'VoicemailRead':
    case 'VoicemailDeleted':
      return data.messageId !== undefined && state.voicemails.has(data.messageId)
        ? undefined
        : `voicemail message ${data.messageId} is not in the inbox`;
    case 'RecordingStopped':
      return onLine && call.recordings.some((r) => r.recordingId === event.data.recordingId)
        ? undefined
        : `recording ${event.data.recordingId} stopped but not running on call ${data.callId}`;
    default: {
      if (!onLine) {
        const finished = state.recentCalls.find((c) => c.callId === data.callId);
        return finished
          ? `${event.type} on call ${data.callId} after it ${finished.endedAs === 'ended' ? 'ended' : `went to ${finished.endedAs}`}`
          : `${event.type} on call ${data.callId}, which is not on the line`;
      }
      const phases = REQUIRED_PHASES[event.type];
      if (phases && !phases.includes(call.phase)) {
        return `${event.type} on call ${data.callId} while it is ${call.phase} (allowed: ${phases.join(', ')})`;
      }
      return undefined;
    }
  }
};

/** Folds one line stream and reports every event its state machine does not allow. */
export class LineChecker {
  private state: LineState = lineDecider.initialState;
  private lastAt: string | undefined;

  /** Checks then applies an event; returns the problems it found (empty when none). */
  apply(type: string, data: unknown): string[] {
    if (!LINE_EVENT_TYPES.has(type)) return [`${type} is not a line event`];
    const event = { type, data } as LineEvent;
    const problems: string[] = [];
    const problem = lineEventProblem(this.state, event);
    if (problem) problems.push(problem);
    const at = (data as { at?: unknown }).at;
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at)))
      problems.push(`${type} has no valid "at" time`);
    else {
      if (this.lastAt !== undefined && Date.parse(at) < Date.parse(this.lastAt)) {
        problems.push(`${type} at ${at} is earlier than the line's previous event (${this.lastAt})`);
      }
      this.lastAt = at;
    }
    this.state = lineDecider.evolve(this.state, event);
    return problems;
  }
}
