import type { ReadModels } from '../engine/read-models.js';
import { callsProjection, type CallRow } from '../projections/calls.projection.js';
import { keyCount, lineScoped, nthKey } from '../projections/line-key.js';

export type CallLookup =
  | {
      readonly kind: 'found';
      readonly call: CallRow;
      /** Which of the calls that used this id on the line (1-based, oldest first). */
      readonly instance: number;
      readonly instances: number;
    }
  | { readonly kind: 'notFound'; readonly message: string }
  /** The id names calls on several lines: the caller has to say which line. */
  | { readonly kind: 'ambiguous'; readonly lines: readonly string[] };

/**
 * Finds a call by its id, on one line if given (call ids are unique per line only). A line that
 * reused the id has several calls by it: the latest unless `instance` picks an earlier one.
 */
export const findCall = (
  readModels: ReadModels,
  callId: string,
  line?: string,
  instance?: number,
): CallLookup => {
  const { calls, callReuses, callIdLines } = readModels.state(callsProjection);
  if (line === undefined) {
    const lines = callIdLines.get(callId) ?? [];
    if (lines.length > 1) return { kind: 'ambiguous', lines };
    if (lines.length === 0) return { kind: 'notFound', message: `no call ${callId} in the log` };
    line = lines[0]!;
  }
  const address = lineScoped(line, callId);
  const instances = keyCount(calls, callReuses, address);
  if (instances === 0) return { kind: 'notFound', message: `no call ${callId} on line ${line} in the log` };
  const wanted = instance ?? instances;
  const call = wanted >= 1 && wanted <= instances ? calls.get(nthKey(address, wanted)) : undefined;
  if (!call) {
    return {
      kind: 'notFound',
      message: `line ${line} had ${instances} call(s) with id ${callId}, not a call number ${wanted}`,
    };
  }
  return { kind: 'found', call, instance: wanted, instances };
};
