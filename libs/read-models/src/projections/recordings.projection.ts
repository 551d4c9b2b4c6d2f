import { lineKeyOf, splitLineKey } from '#events';
import { defineProjectionOf, LINE_EVENTS_IRRELEVANT } from './catalogue.js';
import { existing, invariant } from '../engine/projection.js';
import { partyKey } from './accounts.projection.js';
import { currentKey, lineScoped, nextKey } from './line-key.js';

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
  /**
   * Key `<line>/<callId>/<recordingId>[/<n>]`: a recording id is unique only among the recordings
   * running on one call, and call ids only per line (see line-key.ts).
   */
  recordings: Map<string, RecordingRow>;
  recordingReuses: Map<string, number>;
  /** Key `<accountId>/<owner>`: recording keys per owner, oldest first, the only listing (R18). */
  byOwner: Map<string, string[]>;
};

const addressOf = (stream: string, callId: string, recordingId: string): string =>
  `${lineScoped(lineKeyOf(stream), callId)}/${recordingId}`;

/** Call recordings, kept per owner: a recording is visible only to the party who started it (R18). */
export const recordingsProjection = defineProjectionOf('lines')({
  name: 'recordings',
  version: 2,
  create: (): RecordingsState => ({ recordings: new Map(), recordingReuses: new Map(), byOwner: new Map() }),
  handlers: {
    // Of a line's events only its recordings': the calls they run on are the calls projection's.
    ...LINE_EVENTS_IRRELEVANT,
    RecordingStarted: (state, { stream, event: { data } }) => {
      const address = addressOf(stream, data.callId, data.recordingId);
      const running = state.recordings.get(currentKey(state.recordingReuses, address));
      invariant(
        running === undefined || running.stoppedAt !== null,
        `recording ${address} started while it is running`,
      );
      const key = nextKey(state.recordings, state.recordingReuses, address);
      const line = lineKeyOf(stream);
      state.recordings.set(key, {
        recordingId: data.recordingId,
        callId: data.callId,
        line,
        owner: data.by,
        startedAt: data.at,
        stoppedAt: null,
        stopReason: null,
      });
      const owner = partyKey(splitLineKey(line).accountId, data.by);
      const owned = state.byOwner.get(owner);
      if (owned) owned.push(key);
      else state.byOwner.set(owner, [key]);
    },
    RecordingStopped: (state, { stream, event: { data } }) => {
      const address = addressOf(stream, data.callId, data.recordingId);
      const recording = existing(state.recordings, currentKey(state.recordingReuses, address), 'recording');
      invariant(recording.stoppedAt === null, `recording ${address} stopped twice`);
      invariant(recording.owner === data.owner, `recording ${address} stopped for another owner`);
      recording.stoppedAt = data.at;
      recording.stopReason = data.reason;
    },
  },
});
