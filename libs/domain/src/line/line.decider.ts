import type { LineEvent } from '#events';
import type { Decider } from '../shared/decider.js';
import type { LineCommand } from './line.commands.js';
import type { LineContext } from './line.context.js';
import { decideLine } from './line.decide.js';
import { evolveLine, initialLineState, type LineState } from './line.state.js';

/** The shared line aggregate (stream `line-<accountId>.<number>`): calls, voicemail, recordings. */
export const lineDecider: Decider<LineCommand, LineEvent, LineState, LineContext> = {
  initialState: initialLineState,
  decide: decideLine,
  evolve: evolveLine,
};
