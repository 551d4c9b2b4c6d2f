import { randomUUID } from 'node:crypto';

import type { ProposedEvent } from './log-store.js';

/** An event as an append proposes it: a fresh id, JSON `data`, no metadata. */
export const proposedEvent = (type = 'Happened', data: object = {}): ProposedEvent => ({
  id: randomUUID(),
  type,
  contentType: 'application/json',
  data: Buffer.from(JSON.stringify(data)),
  metadata: new Uint8Array(0),
});
