import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { lineDecider, lineSnapshotCodec, type LineState } from '#domain';
import type { LineEvent } from '#events';
import { AggregateRepository, EventStore, streamName, type RepositoryOptions } from '#eventstore';
import { IDEMPOTENCY_OPTIONS } from '../shared/idempotency.js';

/**
 * Every call on a shared line lives in the line's stream, so "one session per line" (R12) and "first
 * answer wins" (R13) are decided on one revision; the cached fold keeps long histories cheap, and
 * the line's aggregate snapshot (see aggregate-snapshots.ts) keeps them cheap after a restart.
 */
export const lineStream = (accountId: string, number: string): string =>
  streamName('line', accountId, number);

/**
 * The timer process manager already subscribes to every line event and passes each one to
 * `observe`, which keeps the cached folds current: a second subscription here would decode every
 * line event twice.
 */
@Injectable()
export class LineRepository
  extends AggregateRepository<LineState, LineEvent>
  implements BeforeApplicationShutdown
{
  constructor(store: EventStore, @Inject(IDEMPOTENCY_OPTIONS) options: RepositoryOptions = {}) {
    // Snapshots ignored (another schema, corrupt, not matching the stream) or not written are said
    // in the log; the fold is right either way. Writing them is off unless asked for
    // (`snapshotEveryEvents`): with it on, the two-instance race test (lines.races) met a TypeError
    // inside the official client's BatchAppend reply handler (a reply for an append it no longer
    // held) that is not understood yet. Snapshots that exist are read either way.
    const logger = new Logger('LineRepository');
    super(
      store,
      { ...lineDecider, snapshot: lineSnapshotCodec },
      { log: (line) => logger.warn(line), snapshotEveryEvents: 0, ...options },
    );
  }

  /** Before any shutdown hook disposes of the store client: a snapshot write cut off by it would fail other appends. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.settleSnapshots();
  }
}
