import type { CallFacts, CallPhase, FinishedCall } from '#domain';
import type { CallRow } from '../projections/calls.projection.js';

/**
 * A call in progress as the line decider's call checks read it (R20), from its read-model row: the
 * row's `active` is the decider's `connected`, or `transferring` while a transfer rings. The row keeps
 * the participants and the privacy lock as the decider does.
 */
export const callFactsOf = (row: CallRow): CallFacts => ({
  callId: row.callId,
  phase: phaseOf(row),
  external: row.external,
  answeredBy: row.answeredBy?.by ?? null,
  parties: row.participants,
  hold: row.held && { by: row.held.by },
  privacyLocked: row.privacyLocked,
  transfer: row.transfer && { to: row.transfer.to },
  ring:
    row.status === 'ringing' && row.rings.length > 0
      ? { ringing: row.ringing, alerted: row.rings.flatMap((stage) => stage.alerted) }
      : null,
});

const phaseOf = (row: CallRow): CallPhase => {
  switch (row.status) {
    case 'dialing':
    case 'ringing':
    case 'held':
      return row.status;
    case 'active':
      return row.transfer ? 'transferring' : 'connected';
    default:
      throw new Error(`call ${row.key} is over (${row.status}), not in progress`);
  }
};

/** A call that is over, as the decider remembers it to answer late commands (R13). */
export const finishedCallOf = (row: CallRow): FinishedCall => {
  if (row.endedAt === null) throw new Error(`call ${row.key} is ${row.status}, not over`);
  return {
    callId: row.callId,
    answeredBy: row.answeredBy?.by ?? null,
    endedAs:
      row.status === 'voicemail' ? 'voicemail' : row.endReason === 'callerAbandoned' ? 'abandoned' : 'ended',
    at: row.endedAt,
  };
};
