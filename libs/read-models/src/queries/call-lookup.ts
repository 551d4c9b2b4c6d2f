import { edgeSentenceOf } from '#domain';
import { splitLineKey } from '#events';
import type { ReadModels } from '../engine/read-models.js';
import { callsProjection, type CallRow } from '../projections/calls.projection.js';
import { latestCallKey, lineScoped } from '../projections/line-key.js';
import { shownNumber } from './access.js';

export type CallLookup =
  | { readonly kind: 'found'; readonly call: CallRow }
  | { readonly kind: 'notFound'; readonly message: string }
  /** The id names calls on several lines: the caller has to say which line. */
  | { readonly kind: 'ambiguous'; readonly lines: readonly string[] };

/**
 * Finds a call by its id, on one line if given: a call id names one call of its line (R12), and
 * another line may use the same id. (On a line whose old log reused an id, the id names the latest
 * call by it; the earlier ones stay in the line's history: see callRowKey.)
 */
export const findCall = (readModels: ReadModels, callId: string, line?: string): CallLookup => {
  const { calls, reusedCallIds, callIdLines } = readModels.state(callsProjection);
  if (line === undefined) {
    const lines = callIdLines.get(callId) ?? [];
    if (lines.length > 1) return { kind: 'ambiguous', lines };
    if (lines.length === 0)
      return {
        kind: 'notFound',
        message: edgeSentenceOf('CALL_NOT_FOUND', { callId, where: 'on any line' }),
      };
    line = lines[0]!;
  }
  const call = calls.get(latestCallKey(reusedCallIds, lineScoped(line, callId)));
  if (call) return { kind: 'found', call };
  // The line key holds the number's digits: people read it as E.164, with its `+`.
  const { accountId, number } = splitLineKey(line);
  return {
    kind: 'notFound',
    message: edgeSentenceOf('CALL_NOT_FOUND', {
      callId,
      where: `on line ${shownNumber(number)} of account ${accountId}`,
    }),
  };
};
