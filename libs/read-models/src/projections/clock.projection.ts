import { VIRTUAL_CLOCK_STREAM } from '#events';
import type { ReadModels } from '../engine/read-models.js';
import { defineProjectionOf } from './catalogue.js';

/** Where a clock stream last moved its clock (R21). */
export interface ClockRow {
  readonly time: string;
}

/**
 * The virtual clock's time as its stream records it (R21). An advance with no command after it moves
 * simulated time without any line or account event, so the time of the last event is not the clock's:
 * at 18:00 the line may be closed though the last call ended at 10:00.
 */
export const clockProjection = defineProjectionOf('clock')({
  name: 'clock',
  version: 1,
  create: () => ({ clocks: new Map<string, ClockRow>() }),
  handlers: {
    VirtualClockAdvanced: (state, { stream, event: { data } }) => {
      state.clocks.set(stream, { time: data.to });
    },
  },
});

/** The last time the virtual clock was advanced to, if it ever was. */
export const virtualClockTime = (readModels: ReadModels): string | undefined =>
  readModels.state(clockProjection).clocks.get(VIRTUAL_CLOCK_STREAM)?.time;
