import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { lineDecider, type LineState } from '#domain';
import type { LineEvent } from '#events';
import { AggregateRepository, EventStore, streamName } from '#eventstore';

/**
 * Every call on a shared line lives in the line's stream, so "one session per line" (R12) and "first
 * answer wins" (R13) are decided on one revision; the cached fold keeps long histories cheap.
 */
export const lineStream = (accountId: string, number: string): string =>
  streamName('line', accountId, number);

/** Following the line category lets the timer process manager look at a line without a read. */
@Injectable()
export class LineRepository
  extends AggregateRepository<LineState, LineEvent>
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  constructor(store: EventStore) {
    super(store, lineDecider);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.follow('line-');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopFollowing();
  }
}
