import { ACCOUNT_EVENTS_IRRELEVANT, type ProjectedEvent } from './catalogue.js';
import { defineProjection, existing, invariant, IRRELEVANT } from '../engine/projection.js';
import { lineKeyOf } from './line-key.js';

export interface RecordingRow {
  recordingId: string;
  callId: string;
  line: string;
  owner: string;
  startedAt: string;
  stoppedAt: string | null;
  stopReason: string | null;
}

type RecordingsState = {
  recordings: Map<string, RecordingRow>;
  /** Recording ids per owner, oldest first: the only way recordings are listed (R18). */
  byOwner: Map<string, string[]>;
};

/** Call recordings, kept per owner: a recording is visible only to the party who started it (R18). */
export const recordingsProjection = defineProjection<ProjectedEvent>()({
  name: 'recordings',
  version: 1,
  create: (): RecordingsState => ({ recordings: new Map(), byOwner: new Map() }),
  handlers: {
    ...ACCOUNT_EVENTS_IRRELEVANT,
    RecordingStarted: (state, { stream, event: { data } }) => {
      invariant(!state.recordings.has(data.recordingId), `recording ${data.recordingId} started twice`);
      state.recordings.set(data.recordingId, {
        recordingId: data.recordingId,
        callId: data.callId,
        line: lineKeyOf(stream),
        owner: data.by,
        startedAt: data.at,
        stoppedAt: null,
        stopReason: null,
      });
      const owned = state.byOwner.get(data.by);
      if (owned) owned.push(data.recordingId);
      else state.byOwner.set(data.by, [data.recordingId]);
    },
    RecordingStopped: (state, { event: { data } }) => {
      const recording = existing(state.recordings, data.recordingId, 'recording');
      invariant(recording.stoppedAt === null, `recording ${data.recordingId} stopped twice`);
      invariant(recording.owner === data.owner, `recording ${data.recordingId} stopped for another owner`);
      recording.stoppedAt = data.at;
      recording.stopReason = data.reason;
    },
    CallPlacedOnSharedLine: IRRELEVANT,
    CallAnsweredByExternalParty: IRRELEVANT,
    IncomingCallReceived: IRRELEVANT,
    CallRang: IRRELEVANT,
    CallDeclined: IRRELEVANT,
    CallAnswered: IRRELEVANT,
    CallSentToVoicemail: IRRELEVANT,
    CallHeld: IRRELEVANT,
    CallResumed: IRRELEVANT,
    HeldCallPickedUp: IRRELEVANT,
    CallPrivacyLockChanged: IRRELEVANT,
    CallTransferRequested: IRRELEVANT,
    CallTransferred: IRRELEVANT,
    CallTransferRecalled: IRRELEVANT,
    CallJoined: IRRELEVANT,
    CallsMerged: IRRELEVANT,
    CallLeft: IRRELEVANT,
    CallEnded: IRRELEVANT,
    VoicemailLeft: IRRELEVANT,
    VoicemailRead: IRRELEVANT,
    VoicemailDeleted: IRRELEVANT,
  },
});
