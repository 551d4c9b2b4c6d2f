import type { LineState, VoicemailMessage } from './line.state.js';
import { callIdRunsOf, numberedCallIdsOf, usedCallIdsFromRuns } from './used-call-ids.js';

/**
 * How a line's fold is kept in an aggregate snapshot (libs/eventstore's SnapshotCodec, which this
 * matches structurally so the domain stays free of the store). Bump LINE_SNAPSHOT_SCHEMA whenever
 * LineState's shape or what evolveLine computes changes: snapshots of the old version are then
 * ignored and folds start from the first event. line.snapshot.spec.ts pins the shape to the version.
 *
 * v7: the call in progress and each recent call carry their `recalledTransfers` (R16), so a former
 * transfer target is told of its recall; a v6 snapshot has none, and would read as a call of no recall.
 * v6: each recent call carries its `owner`, the call that arrived while the line was busy is kept
 * until its finish (`arrivedWhileBusy`), and the totals are counted per owner, so that a view of the
 * number's current ownership leaves out the calls and counts of the parties it belonged to before.
 * v5: the call in progress and each message carry their `owner`, the party whose number the line was
 * when the call came (R10, R17); a v4 snapshot has neither, and would read as a message of nobody's.
 * v4: numbered call ids (`c1`, `call-42`) as intervals of numbers per prefix, each an attachment of
 * little-endian doubles: a line whose ids count up writes 16 bytes for them, where v3's runs held
 * every id (980 KB unzipped, 234 KB gzipped for 100,000 `past-N`, read and unzipped by a restart's
 * first command). v3: the used call ids as sorted runs of bytes (used-call-ids.ts), each a binary
 * attachment, taken as read without work per id; v2 listed them oldest first in the JSON, and
 * parsing 100,000 of them into a Map was the bulk of a restart's first command (see
 * bench/line-history.bench.ts).
 */
export const LINE_SNAPSHOT_SCHEMA = 7;

interface LineSnapshot {
  readonly call: LineState['call'];
  /** The Map's values: each message carries its own id, the Map's key. */
  readonly voicemails: readonly VoicemailMessage[];
  readonly recentCalls: LineState['recentCalls'];
  readonly arrivedWhileBusy: LineState['arrivedWhileBusy'];
  /** Every call id the line used (R12) that is not numbered: `[width, attachment]`, the run of that width's ids. */
  readonly usedCallIds: readonly (readonly [width: number, attachment: number])[];
  /** Every numbered call id the line used: `[prefix, attachment]`, the intervals of that prefix's numbers. */
  readonly numberedCallIds: readonly (readonly [prefix: string, attachment: number])[];
  readonly totals: LineState['totals'];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `[key, attachment]` entries read back as `[key, bytes]`: each key checked, each attachment there. */
const attachedOf = <Key>(
  field: string,
  isKey: (key: unknown) => key is Key,
  data: unknown,
  attachments: readonly Uint8Array[],
): [Key, Uint8Array][] => {
  if (!Array.isArray(data)) throw new TypeError(`${field} is not a list`);
  return (data as unknown[]).map((entry) => {
    const [key, attachment] = Array.isArray(entry) ? (entry as unknown[]) : [];
    const bytes = Number.isInteger(attachment) ? attachments[attachment as number] : undefined;
    if (!isKey(key) || bytes === undefined || (entry as unknown[]).length !== 2)
      throw new TypeError(`a ${field} entry is not [key, attachment]`);
    return [key, bytes];
  });
};

const isNumber = (key: unknown): key is number => typeof key === 'number';
const isString = (key: unknown): key is string => typeof key === 'string';
const isOwner = (owner: unknown): owner is string | null => owner === null || isString(owner);
const isCount = (count: unknown): count is number => Number.isInteger(count) && (count as number) >= 0;

const numberedOf = (data: unknown, attachments: readonly Uint8Array[]): [string, Float64Array][] =>
  attachedOf('numberedCallIds', isString, data, attachments).map(([prefix, bytes]) => {
    if (bytes.length % Float64Array.BYTES_PER_ELEMENT !== 0)
      throw new TypeError(`numbered call ids of "${prefix}" are not whole numbers`);
    return [prefix, doublesOf(bytes)];
  });

/** Whether this platform keeps a Float64Array's bytes little-endian, as snapshots are written. */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** The doubles as little-endian bytes of their own. */
const bytesOf = (doubles: Float64Array): Uint8Array => {
  if (LITTLE_ENDIAN) return new Uint8Array(doubles.buffer, doubles.byteOffset, doubles.byteLength);
  const bytes = new Uint8Array(doubles.byteLength);
  const view = new DataView(bytes.buffer);
  doubles.forEach((value, i) => view.setFloat64(i * 8, value, true));
  return bytes;
};

/**
 * Little-endian bytes as doubles: a view where the bytes lie on a double's boundary, else a copy of
 * their own (a Node Buffer's `slice` would share the whole buffer it views).
 */
const doublesOf = (bytes: Uint8Array): Float64Array => {
  const count = bytes.length / Float64Array.BYTES_PER_ELEMENT;
  if (!LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Float64Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true));
  }
  return bytes.byteOffset % Float64Array.BYTES_PER_ELEMENT === 0
    ? new Float64Array(bytes.buffer, bytes.byteOffset, count)
    : new Float64Array(new Uint8Array(bytes).buffer);
};

export const lineSnapshotCodec = {
  schemaVersion: LINE_SNAPSHOT_SCHEMA,
  /** `attach` keeps bytes beside the JSON and returns the index `deserialize` finds them at. */
  serialize: (state: LineState, attach: (bytes: Uint8Array) => number): LineSnapshot => ({
    call: state.call,
    voicemails: [...state.voicemails.values()],
    recentCalls: state.recentCalls,
    arrivedWhileBusy: state.arrivedWhileBusy,
    usedCallIds: callIdRunsOf(state.usedCallIds).map(([width, run]) => [width, attach(run)] as const),
    numberedCallIds: numberedCallIdsOf(state.usedCallIds).map(
      ([prefix, intervals]) => [prefix, attach(bytesOf(intervals))] as const,
    ),
    totals: state.totals,
  }),
  /** Checks the shape it relies on; a snapshot that fails is ignored, never patched up. */
  deserialize: (data: unknown, attachments: readonly Uint8Array[]): LineState => {
    if (!isObject(data)) throw new TypeError('a line snapshot is an object');
    const { call, voicemails, recentCalls, arrivedWhileBusy, usedCallIds, numberedCallIds, totals } = data;
    if (call !== null && !(isObject(call) && isString(call.callId) && Array.isArray(call.recalledTransfers)))
      throw new TypeError('call is neither null nor a call with its recalled transfers');
    if (
      !Array.isArray(voicemails) ||
      !voicemails.every((m) => isObject(m) && typeof m.messageId === 'string')
    )
      throw new TypeError('voicemails is not a list of messages');
    if (
      !Array.isArray(recentCalls) ||
      !recentCalls.every(
        (c) => isObject(c) && isString(c.callId) && isOwner(c.owner) && Array.isArray(c.recalledTransfers),
      )
    )
      throw new TypeError('recentCalls is not a list of calls with their owners and recalled transfers');
    if (
      arrivedWhileBusy !== null &&
      !(isObject(arrivedWhileBusy) && isString(arrivedWhileBusy.callId) && isOwner(arrivedWhileBusy.owner))
    )
      throw new TypeError('arrivedWhileBusy is neither null nor a call with its owner');
    if (
      !Array.isArray(totals) ||
      !totals.every(
        (t) =>
          isObject(t) && isOwner(t.owner) && isCount(t.calls) && isCount(t.missed) && isCount(t.voicemails),
      )
    )
      throw new TypeError("totals are not each owner's counts");
    const ownerTotals = totals as LineState['totals'];
    if (new Set(ownerTotals.map((entry) => entry.owner)).size !== ownerTotals.length)
      throw new TypeError('totals count an owner twice');
    const messages = voicemails as VoicemailMessage[];
    return {
      call: call as unknown as LineState['call'],
      voicemails: new Map(messages.map((message) => [message.messageId, message])),
      recentCalls: recentCalls as LineState['recentCalls'],
      arrivedWhileBusy: arrivedWhileBusy as LineState['arrivedWhileBusy'],
      usedCallIds: usedCallIdsFromRuns(
        attachedOf('usedCallIds', isNumber, usedCallIds, attachments),
        numberedOf(numberedCallIds, attachments),
      ),
      totals: ownerTotals,
    };
  },
};
