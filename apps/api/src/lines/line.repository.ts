import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { lineDecider, lineSnapshotCodec, type LineState } from '#domain';
import type { LineEvent } from '#events';
import { AggregateRepository, EventStore, type RepositoryOptions } from '#eventstore';
import { IDEMPOTENCY_OPTIONS } from '../shared/idempotency.js';
import { repositoryLog } from '../shared/repository-log.js';

/**
 * Every call on a shared line lives in the line's stream (`lineStream`), so "one session per line"
 * (R12) and "first answer wins" (R13) are decided on one revision; the cached fold keeps long
 * histories cheap, and the line's aggregate snapshot (see aggregate-snapshots.ts) keeps them cheap
 * after a restart.
 *
 * Nothing follows the line streams to keep these folds current: each holds this process's own
 * appends, and a fold another writer (a second api instance) made stale meets WrongExpectedVersion
 * on its next append and is read up from its revision, then decided again. Reading back every line
 * event to save that one read cost more than the read (the timer process manager reads only the
 * event types that change timers).
 */
@Injectable()
export class LineRepository
  extends AggregateRepository<LineState, LineEvent>
  implements BeforeApplicationShutdown
{
  constructor(store: EventStore, @Inject(IDEMPOTENCY_OPTIONS) options: RepositoryOptions = {}) {
    // Snapshots ignored (another schema, corrupt, not matching the stream) or not written are said
    // in the log; the fold is right either way. They are written in the background every
    // `snapshotEveryEvents` events of a line (default 64).
    super(
      store,
      { ...lineDecider, snapshot: lineSnapshotCodec },
      { log: repositoryLog('LineRepository'), ...options },
    );
  }

  /**
   * Before any shutdown hook disposes of the store client. @eventstore/db-client 6.2.1 keeps one
   * process-wide table of pending BatchAppends: a client whose BatchAppend call ends with an error
   * (disposing it cancels the call) rejects every client's pending appends, and a late reply then
   * throws a TypeError inside the client (fixed upstream in KurrentDB-Client-NodeJS #523). One api
   * process has one client, so only several clients in one process (tests) meet it; settling the
   * background snapshot writes first means disposing never cuts one off.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.settleSnapshots();
  }
}
