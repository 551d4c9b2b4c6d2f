import { Injectable } from '@nestjs/common';
import type { LineEvent } from '#events';
import type { CommandOutcome } from '#eventstore';
import type { CommandOrigin } from '../shared/command-metadata.js';

/** What is told of each line append of this process: the command's outcome and where it came from. */
export type LineAppendListener = (outcome: CommandOutcome<LineEvent>, origin: CommandOrigin) => void;

/**
 * Where the line command handler tells of what it appended, before the command is answered, and
 * where the timer process manager hears of it (it sends line commands itself, so the handler cannot
 * depend on it): a line's timers go on the clock from the fold that holds the append, without
 * reading it back (R21: a virtual clock advanced right after the answer finds them there).
 */
@Injectable()
export class LineAppends {
  private listener: LineAppendListener | undefined;

  listen(listener: LineAppendListener): void {
    this.listener = listener;
  }

  record(outcome: CommandOutcome<LineEvent>, origin: CommandOrigin): void {
    this.listener?.(outcome, origin);
  }
}
