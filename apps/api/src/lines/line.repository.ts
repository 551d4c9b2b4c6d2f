import { Inject, Injectable } from '@nestjs/common';
import { lineDecider, type LineState } from '#domain';
import type { LineEvent } from '#events';
import { AggregateRepository, EventStore, type RepositoryOptions } from '#eventstore';
import { IDEMPOTENCY_OPTIONS } from '../shared/idempotency.js';

/**
 * Every call on a shared line lives in the line's stream (`lineStream`), so "one session per line"
 * (R12) and "first answer wins" (R13) are decided on one revision; the cached fold keeps long
 * histories cheap.
 *
 * The timer process manager already subscribes to every line event and passes each one to
 * `observe`, which keeps the cached folds current: a second subscription here would decode every
 * line event twice.
 */
@Injectable()
export class LineRepository extends AggregateRepository<LineState, LineEvent> {
  constructor(store: EventStore, @Inject(IDEMPOTENCY_OPTIONS) options: RepositoryOptions = {}) {
    super(store, lineDecider, options);
  }
}
