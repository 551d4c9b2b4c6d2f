import { lineDecider, lineEventProblem, type LineState } from '#domain';
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

/** Folds one line stream and reports every event the line's call model (libs/domain) does not allow. */
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
