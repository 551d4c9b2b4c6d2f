import type { LineState, VoicemailMessage } from './line.state.js';

/**
 * How a line's fold is kept in an aggregate snapshot (libs/eventstore's SnapshotCodec, which this
 * matches structurally so the domain stays free of the store). Bump LINE_SNAPSHOT_SCHEMA whenever
 * LineState's shape or what evolveLine computes changes: snapshots of the old version are then
 * ignored and folds start from the first event. line.snapshot.spec.ts pins the shape to the version.
 */
export const LINE_SNAPSHOT_SCHEMA = 2;

interface LineSnapshot {
  readonly call: LineState['call'];
  /** The Map's values: each message carries its own id, the Map's key. */
  readonly voicemails: readonly VoicemailMessage[];
  readonly recentCalls: LineState['recentCalls'];
  /** Every call id the line used, oldest first (R12). */
  readonly usedCallIds: readonly string[];
  readonly totals: LineState['totals'];
}

/** The ids a state has used, oldest first: the shared map may hold newer ones past its size. */
const usedCallIdList = ({ order, size }: LineState['usedCallIds']): string[] => {
  const ids = new Array<string>(size);
  for (const [callId, place] of order) if (place < size) ids[place] = callId;
  return ids;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const lineSnapshotCodec = {
  schemaVersion: LINE_SNAPSHOT_SCHEMA,
  serialize: (state: LineState): LineSnapshot => ({
    call: state.call,
    voicemails: [...state.voicemails.values()],
    recentCalls: state.recentCalls,
    usedCallIds: usedCallIdList(state.usedCallIds),
    totals: state.totals,
  }),
  /** Checks the shape it relies on; a snapshot that fails is ignored, never patched up. */
  deserialize: (data: unknown): LineState => {
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
    if (!Array.isArray(usedCallIds) || !usedCallIds.every((id) => typeof id === 'string'))
      throw new TypeError('usedCallIds is not a list of ids');
    const order = new Map((usedCallIds as string[]).map((callId, place) => [callId, place]));
    if (order.size !== usedCallIds.length) throw new TypeError('usedCallIds names an id twice');
    const messages = voicemails as VoicemailMessage[];
    return {
      call: call as unknown as LineState['call'],
      voicemails: new Map(messages.map((message) => [message.messageId, message])),
      recentCalls: recentCalls as LineState['recentCalls'],
      usedCallIds: { order, size: order.size },
      totals: totals as unknown as LineState['totals'],
    };
  },
};
