import type { HangUp, LineContext, PlaceCallOnSharedLine } from '#domain';
import type { LineEvent } from '#events';

/**
 * Alice's line with nobody sharing it: what the line-history bench and the line snapshot specs decide
 * on, and the events of the calls she places there to the same callee.
 */
export const loneLineContext = (number: string, now: string): LineContext => ({
  now,
  line: { number, name: null, ringTimeoutSeconds: 30, businessHours: null, owned: true },
  delegator: { partyId: 'alice', name: 'Alice', eligibility: null, powerPack: false },
  delegates: [],
  vip: { contacts: [], routing: { mode: 'delegatorOnly' } },
});

const CALLEE = '+15550100';

export const placeCall = (callId: string): PlaceCallOnSharedLine => ({
  type: 'PlaceCallOnSharedLine',
  callId,
  actor: 'alice',
  to: CALLEE,
});

export const hangUp = (callId: string): HangUp => ({ type: 'HangUp', callId, actor: 'alice' });

/** The event of Alice placing call `callId` on her line `number`. */
export const callPlaced = (callId: string, number: string, at: string): LineEvent => ({
  type: 'CallPlacedOnSharedLine',
  data: {
    callId,
    line: number,
    to: CALLEE,
    placedBy: 'alice',
    onBehalfOf: null,
    permission: null,
    callerId: { number, name: 'Alice' },
    at,
    owner: 'alice',
  },
});

/** The event of Alice hanging up call `callId`. */
export const hungUp = (callId: string, at: string): LineEvent => ({
  type: 'CallEnded',
  data: { callId, by: 'alice', reason: 'hungUp', missedBy: [], ringLegsEnded: [], at },
});
