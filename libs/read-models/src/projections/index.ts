import type { Projection } from '../engine/projection.js';
import { accountsProjection } from './accounts.projection.js';
import { auditProjection } from './audit.projection.js';
import { callsProjection } from './calls.projection.js';
import { clockProjection } from './clock.projection.js';
import { recordingsProjection } from './recordings.projection.js';
import { voicemailProjection } from './voicemail.projection.js';

export { PROJECTED_STREAM_PREFIXES, type ProjectedEvent } from './catalogue.js';

/** Every read model the projector maintains; a snapshot and a digest cover exactly these. */
export const PROJECTIONS: readonly Projection[] = [
  accountsProjection,
  callsProjection,
  voicemailProjection,
  recordingsProjection,
  auditProjection,
  clockProjection,
];
