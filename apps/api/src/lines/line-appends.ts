import { Injectable } from '@nestjs/common';

/**
 * The `$all` position of the last line event this process appended. Before a virtual-clock timer
 * fires, the timer process manager must have seen at least this far, or a timer set by a
 * just-appended event could be missed or fire late (R21 determinism).
 */
@Injectable()
export class LineAppends {
  private last = 0n;

  record(position: bigint | undefined): void {
    if (position !== undefined && position > this.last) this.last = position;
  }

  get lastPosition(): bigint {
    return this.last;
  }
}
