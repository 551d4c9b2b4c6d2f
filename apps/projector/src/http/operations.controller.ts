import { Controller, Get, Header, HttpCode, Post, Res, Sse, type MessageEvent } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Observable } from 'rxjs';
import { FOREIGN_REASONS } from '#events';
import { storeProbe } from '#eventstore';
import type { Lag, ParkedEvent } from '#read-models';
import { AsOfQuery } from './params.js';
import { ReadModelsService, type AsOf } from './read-models.service.js';
import { ANSWER_EXAMPLES } from './answer-examples.js';
import { AsOfQueries, EventStreamAnswer, QueryAnswer, QueryRefusals, schemaOf } from './route-docs.js';

@ApiTags('operations')
@Controller()
export class OperationsController {
  constructor(private readonly readModels: ReadModelsService) {}

  /** The lag, or why the store gave none within the probe's time (storeProbe), as the api's /health. */
  private async lag(): Promise<Lag | { error: string }> {
    try {
      return await storeProbe(this.readModels.projector.lag());
    } catch (error) {
      return {
        error: `cannot reach the event store: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  /** How many events the read models skip, by reason, and the last few (GET /parked lists all). */
  private parkedSummary() {
    const { projector } = this.readModels;
    const parked = projector.readModels.parked;
    return {
      count: parked.length,
      parkFailedEvents: projector.parkFailedEvents,
      byReason: countByReason(parked),
      last: parked.slice(-PARKED_ON_HEALTH),
    };
  }

  @Get('parked')
  @ApiOperation({
    summary:
      'Every event the read models skip (parked): foreign events, and events a projection could not apply ' +
      'when the projector parks them; position, stream, type, reason',
  })
  @QueryAnswer('The parked events, with the parking policy', ANSWER_EXAMPLES.parked)
  parked(): { count: number; parkFailedEvents: boolean; events: ParkedEvent[] } {
    const { projector } = this.readModels;
    const events = projector.readModels.parked;
    return { count: events.length, parkFailedEvents: projector.parkFailedEvents, events };
  }

  @Get('health')
  @ApiOperation({
    summary:
      'Projector status and lag; 503 when it stopped on an event it cannot apply or lost the event store',
  })
  @QueryAnswer('Running, with its position and lag', ANSWER_EXAMPLES.health)
  @ApiResponse({
    status: 503,
    description: 'Stopped on an event it cannot apply (`failure`) or lost the event store (`reason`)',
    schema: schemaOf(ANSWER_EXAMPLES.health),
  })
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const { projector } = this.readModels;
    const lag = await this.lag();
    const body = {
      status: projector.status,
      position: projector.readModels.position === undefined ? null : String(projector.readModels.position),
      eventCount: projector.readModels.eventCount,
      lag,
      snapshots: projector.snapshots,
      parked: this.parkedSummary(),
      timeTravel: this.readModels.timeTravel,
      ...(projector.failure ? { failure: failureOf(projector.failure) } : {}),
      ...(projector.connectionError ? { reason: projector.connectionError } : {}),
    };
    const healthy = projector.status !== 'failed' && projector.status !== 'reconnecting' && !('error' in lag);
    void reply.status(healthy ? 200 : 503);
    return body;
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    summary: 'Prometheus text exposition: events applied, positions, lag in events and ms, snapshots',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format 0.0.4' })
  async metrics(): Promise<string> {
    const { projector } = this.readModels;
    const lag = await this.lag();
    const metric = (name: string, type: string, help: string, value: number | bigint): string =>
      `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${String(value)}\n`;
    return [
      metric(
        'projector_up',
        'gauge',
        '1 while projecting, 0 once stopped on a failure',
        projector.status === 'failed' ? 0 : 1,
      ),
      metric(
        'projector_events_applied_total',
        'counter',
        'Events applied to the read models',
        projector.readModels.eventCount,
      ),
      metric(
        'projector_parked_events',
        'gauge',
        'Events the read models skip (parked: foreign, or not applicable when parking is on); GET /parked lists them',
        projector.readModels.parkedCount,
      ),
      parkedByReason(projector.readModels.parked),
      metric(
        'projector_position',
        'gauge',
        '$all commit position the read models reflect',
        projector.readModels.position ?? 0n,
      ),
      metric(
        'projector_snapshots_written_total',
        'counter',
        'Snapshots committed',
        projector.snapshots.written,
      ),
      metric(
        'projector_snapshot_failures_total',
        'counter',
        'Snapshots that could not be written (the previous one stays)',
        projector.snapshots.failed,
      ),
      ...(projector.snapshots.last
        ? [
            metric(
              'projector_snapshot_events',
              'gauge',
              'Events the last snapshot holds: a restart replays the ones after',
              projector.snapshots.last.eventCount,
            ),
            metric(
              'projector_snapshot_duration_ms',
              'gauge',
              'How long the last snapshot took from capture to commit, in ms',
              projector.snapshots.last.tookMs,
            ),
          ]
        : []),
      ...this.timeTravelMetrics(metric),
      ...('error' in lag
        ? [metric('projector_store_reachable', 'gauge', '1 when the event store answered', 0)]
        : [
            metric('projector_store_reachable', 'gauge', '1 when the event store answered', 1),
            metric(
              'projector_head_position',
              'gauge',
              'Commit position of the last event in $all',
              BigInt(lag.headPosition),
            ),
            metric(
              'projector_lag_events',
              'gauge',
              'Events not yet applied: 0 when caught up, else estimated from $all bytes per applied event',
              lag.events,
            ),
            metric('projector_lag_ms', 'gauge', 'Age of the first event not yet applied, in ms', lag.ms),
          ]),
    ].join('');
  }

  private timeTravelMetrics(metric: (name: string, type: string, help: string, value: number) => string) {
    const { scopeCheckpoints, queries } = this.readModels.timeTravel;
    return [
      ...(scopeCheckpoints
        ? [
            metric(
              'projector_scope_checkpoints',
              'gauge',
              "Accounts' scope checkpoints on disk: an account's as-of query folds from the nearest",
              scopeCheckpoints.count,
            ),
            metric(
              'projector_scope_checkpoint_bytes',
              'gauge',
              'Bytes of the scope checkpoint files',
              scopeCheckpoints.bytes,
            ),
            metric(
              'projector_scope_checkpoints_ignored_total',
              'counter',
              'Scope checkpoint files found unusable and removed (rebuilt in the background)',
              scopeCheckpoints.ignored,
            ),
          ]
        : []),
      metric('projector_time_travel_running', 'gauge', 'As-of queries running', queries.running),
      metric(
        'projector_time_travel_waiting',
        'gauge',
        'As-of queries waiting for a turn (past the queue they are refused 429)',
        queries.waiting,
      ),
    ];
  }

  @Get('digest')
  @ApiOperation({
    summary: 'sha256 over the canonical JSON of every read model, with the position it reflects',
  })
  @AsOfQueries()
  @QueryAnswer("The read models' digest at a position", ANSWER_EXAMPLES.digest)
  @QueryRefusals({ asOf: true })
  async digest(@AsOfQuery() query: AsOf) {
    const readModels = await this.readModels.at(query);
    return {
      position: readModels.position === undefined ? null : String(readModels.position),
      eventCount: readModels.eventCount,
      // Parked events are skipped by the read models and part of the digest (a rebuild parks them too).
      parked: readModels.parkedCount,
      digest: readModels.digest(),
    };
  }

  @Post('rebuild')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Rebuild every read model from the first event up to the live position and compare digests with the live projector',
  })
  @QueryAnswer('The rebuild, timed, and whether its digest equals the live one', ANSWER_EXAMPLES.rebuild)
  @QueryRefusals({ edge: ['PROJECTION_FAILED', 'TIME_TRAVEL_BUSY'] })
  async rebuild() {
    const { projector } = this.readModels;
    const live = projector.readModels;
    // Position and digest are taken in one synchronous step: the live projector cannot move in between.
    const position = live.position;
    const liveDigest = live.digest();
    const started = performance.now();
    const rebuilt = await this.readModels.replay({ untilPosition: position ?? 0n });
    const ms = performance.now() - started;
    const rebuiltDigest = rebuilt.digest();
    // A projector stopped on an event it cannot apply is behind the head for good: its read models are
    // a true prefix, but never "equal" to what the log says now.
    const stopped = projector.status === 'failed';
    return {
      position: position === undefined ? null : String(position),
      events: rebuilt.eventCount,
      ms: Math.round(ms),
      eventsPerSecond: Math.round(rebuilt.eventCount / Math.max(ms / 1000, 1e-3)),
      parked: { live: live.parkedCount, rebuilt: rebuilt.parkedCount },
      liveDigest,
      rebuiltDigest,
      equal: !stopped && liveDigest === rebuiltDigest,
      ...(stopped
        ? {
            liveStatus: projector.status,
            reason:
              'the live projector stopped on an event it cannot apply and misses every event after it ' +
              '(see /health; restart it with --park-failed-events to park that event and go on)',
          }
        : {}),
    };
  }

  @Sse('events/stream')
  @ApiOperation({ summary: 'Server-sent events: one message per applied event (position, stream, type)' })
  @EventStreamAnswer('One `event` message per applied event: `{position, stream, type}`')
  changes(): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) =>
      this.readModels.projector.onChange((change) =>
        subscriber.next({ type: 'readModelChange', id: change.position, data: change }),
      ),
    );
  }
}

const failureOf = (failure: Error): Record<string, unknown> =>
  'toJSON' in failure && typeof failure.toJSON === 'function'
    ? (failure.toJSON() as Record<string, unknown>)
    : { message: failure.message };

/** How many of the last parked events `/health` shows. */
const PARKED_ON_HEALTH = 10;

const PARKED_REASONS = [...FOREIGN_REASONS, 'PROJECTION_FAILED'] as const;

const countByReason = (parked: readonly ParkedEvent[]): Record<ParkedEvent['reason'], number> => {
  const counts = Object.fromEntries(PARKED_REASONS.map((reason) => [reason, 0])) as Record<
    ParkedEvent['reason'],
    number
  >;
  for (const event of parked) counts[event.reason]++;
  return counts;
};

const parkedByReason = (parked: readonly ParkedEvent[]): string => {
  const name = 'projector_parked_events_by_reason';
  const counts = countByReason(parked);
  return [
    `# HELP ${name} Parked events by reason (decoder reasons for foreign events, PROJECTION_FAILED)`,
    `# TYPE ${name} gauge`,
    ...PARKED_REASONS.map((reason) => `${name}{reason="${reason}"} ${counts[reason]}`),
    '',
  ].join('\n');
};
