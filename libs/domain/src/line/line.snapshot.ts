import type { LineState, VoicemailMessage } from './line.state.js';
import { callIdRunsOf, usedCallIdsFromRuns } from './used-call-ids.js';

/**
 * How a line's fold is kept in an aggregate snapshot (libs/eventstore's SnapshotCodec, which this
 * matches structurally so the domain stays free of the store). Bump LINE_SNAPSHOT_SCHEMA whenever
 * LineState's shape or what evolveLine computes changes: snapshots of the old version are then
 * ignored and folds start from the first event. line.snapshot.spec.ts pins the shape to the version.
 *
 * v3: the used call ids as sorted runs of bytes (used-call-ids.ts), each a binary attachment of the
 * snapshot, taken as read without work per id; v2 listed them oldest first in the JSON, and
 * parsing 100,000 of them into a Map was the bulk of a restart's first command (see
 * bench/line-history.bench.ts).
 */
export const LINE_SNAPSHOT_SCHEMA = 3;

interface LineSnapshot {
  readonly call: LineState['call'];
  /** The Map's values: each message carries its own id, the Map's key. */
  readonly voicemails: readonly VoicemailMessage[];
  readonly recentCalls: LineState['recentCalls'];
  /** Every call id the line used (R12): `[width, attachment]`, the run of that width's ids. */
  readonly usedCallIds: readonly (readonly [width: number, attachment: number])[];
  readonly totals: LineState['totals'];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const runsOf = (data: unknown, attachments: readonly Uint8Array[]): [number, Uint8Array][] => {
  if (!Array.isArray(data)) throw new TypeError('usedCallIds is not a list of runs');
  return (data as unknown[]).map((entry) => {
    const [width, attachment] = Array.isArray(entry) ? (entry as unknown[]) : [];
    const run = Number.isInteger(attachment) ? attachments[attachment as number] : undefined;
    if (typeof width !== 'number' || run === undefined || (entry as unknown[]).length !== 2)
      throw new TypeError('a usedCallIds run is not [width, attachment]');
    return [width, run];
  });
};

export const lineSnapshotCodec = {
  schemaVersion: LINE_SNAPSHOT_SCHEMA,
  /** `attach` keeps bytes beside the JSON and returns the index `deserialize` finds them at. */
  serialize: (state: LineState, attach: (bytes: Uint8Array) => number): LineSnapshot => ({
    call: state.call,
    voicemails: [...state.voicemails.values()],
    recentCalls: state.recentCalls,
    usedCallIds: callIdRunsOf(state.usedCallIds).map(([width, run]) => [width, attach(run)] as const),
    totals: state.totals,
  }),
  /** Checks the shape it relies on; a snapshot that fails is ignored, never patched up. */
  deserialize: (data: unknown, attachments: readonly Uint8Array[]): LineState => {
    if (!isObject(data)) throw new TypeError('a line snapshot is an object');
    const { call, voicemails, recentCalls, usedCallIds, totals } = data;
    if (call !== null && !(isObject(call) && typeof call.callId === 'string'))
      throw new TypeError('call is neither null nor a call');
    if (
      !Array.isArray(voicemails) ||
      !voicemails.every((m) => isObject(m) && typeof m.messageId === 'string')
    )
      throw new TypeError('voicemails is not a list of messages');
    if (!Array.isArray(recentCalls) || !recentCalls.every((c) => isObject(c) && typeof c.callId === 'string'))
      throw new TypeError('recentCalls is not a list of calls');
    if (
      !isObject(totals) ||
      !Number.isInteger(totals.calls) ||
      !Number.isInteger(totals.missed) ||
      !Number.isInteger(totals.voicemails)
    )
      throw new TypeError('totals are not counts');
    const messages = voicemails as VoicemailMessage[];
    return {
      call: call as unknown as LineState['call'],
      voicemails: new Map(messages.map((message) => [message.messageId, message])),
      recentCalls: recentCalls as LineState['recentCalls'],
      usedCallIds: usedCallIdsFromRuns(runsOf(usedCallIds, attachments)),
      totals: totals as unknown as LineState['totals'],
    };
  },
};
