import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  EventStore,
  WriteProbe,
  storeProbe,
  foreignEventMetrics,
  type ForeignEventCounts,
  type StoreWritesView,
} from '#eventstore';
import { AccountRepository } from './accounts/account.repository.js';
import { ClockService } from './clock/clock.service.js';
import { LineTimersProcessManager } from './lines/line-timers.process-manager.js';
import { LineRepository } from './lines/line.repository.js';

/**
 * Events the api met but could not read as Switchboard's, by consumer and policy: the timers and the
 * account cache skipped them (skip and count); commands were refused on streams holding one.
 */
export interface ApiForeignEvents {
  lineTimersSkipped: ForeignEventCounts;
  accountCacheSkipped: ForeignEventCounts;
  accountCommandsRefused: ForeignEventCounts;
  lineCommandsRefused: ForeignEventCounts;
}

export interface ApiHealth {
  /** `degraded`: the store answers but refuses this api's appends, so every command is refused. */
  status: 'ok' | 'degraded' | 'unavailable';
  eventStore: { status: 'up' | 'down'; headPosition?: string; error?: string; writes: StoreWritesView };
  clock: { mode: string; now: string };
  foreignEvents: ApiForeignEvents;
}

const HEALTH = {
  type: 'object',
  required: ['status', 'eventStore', 'clock', 'foreignEvents'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'unavailable'] },
    eventStore: { type: 'object' },
    clock: { type: 'object' },
    foreignEvents: { type: 'object' },
  },
  example: {
    status: 'ok',
    eventStore: { status: 'up', headPosition: '18234', writes: { status: 'ok' } },
    clock: { mode: 'realtime', now: '2026-01-05T09:00:00.000Z' },
    foreignEvents: {},
  },
};

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly store: EventStore,
    private readonly probe: WriteProbe,
    private readonly clock: ClockService,
    private readonly timers: LineTimersProcessManager,
    private readonly accounts: AccountRepository,
    private readonly lines: LineRepository,
  ) {}

  private foreignEvents(): ApiForeignEvents {
    return {
      lineTimersSkipped: this.timers.foreignEvents.counts(),
      accountCacheSkipped: this.accounts.foreignSkipped.counts(),
      accountCommandsRefused: this.accounts.foreignRefusals.counts(),
      lineCommandsRefused: this.lines.foreignRefusals.counts(),
    };
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    summary:
      'Prometheus text exposition: foreign events skipped or refused, by consumer; appends the store could not write',
  })
  metrics(): string {
    const writes = this.store.writes;
    return [
      foreignEventMetrics(
        'api_foreign_events_total',
        'Events this build cannot read as its own, by consumer (skipped, or refused a command) and reason',
        { ...this.foreignEvents() },
      ),
      '# HELP api_store_writes_failing 1 while the store refuses appends for want of writes (a full or failing disk) and none succeeded since\n',
      '# TYPE api_store_writes_failing gauge\n',
      `api_store_writes_failing ${writes.view().status === 'failing' ? 1 : 0}\n`,
      '# HELP api_store_commands_refused_total Commands the store refused because it could not write its log\n',
      '# TYPE api_store_commands_refused_total counter\n',
      `api_store_commands_refused_total ${writes.refusedTotal}\n`,
      '# HELP api_store_snapshots_refused_total Snapshots of aggregates the store refused because it could not write its log\n',
      '# TYPE api_store_snapshots_refused_total counter\n',
      `api_store_snapshots_refused_total ${writes.refusedSnapshotsTotal}\n`,
      '# HELP api_store_write_probes_total Probe appends sent while the store refused appends, to learn when it writes again\n',
      '# TYPE api_store_write_probes_total counter\n',
      `api_store_write_probes_total ${this.probe.sent}\n`,
    ].join('');
  }

  @Get('health')
  @ApiOperation({
    summary:
      'Readiness: 200 when the event store answers (`degraded` while it cannot write: eventStore.writes), 503 otherwise',
  })
  @ApiResponse({ status: 200, description: 'Ready, or degraded: the store cannot write', schema: HEALTH })
  @ApiResponse({ status: 503, description: 'The event store does not answer', schema: HEALTH })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<ApiHealth> {
    const clock = { mode: this.clock.mode, now: this.clock.now().toISOString() };
    const foreignEvents = this.foreignEvents();
    const writes = this.store.writes.view();
    try {
      const head = await storeProbe(this.store.headPosition());
      // A store that cannot write keeps this 200: every api instance shares the store and its disk, so
      // an orchestrator restarting this one, or a load balancer taking it out, frees no space and only
      // stops the reads that still work. `degraded` ends at the first append that succeeds: a
      // command's, or the write probe's, which an idle api sends while failing (WriteProbe).
      return {
        status: writes.status === 'failing' ? 'degraded' : 'ok',
        eventStore: { status: 'up', headPosition: head.toString(), writes },
        clock,
        foreignEvents,
      };
    } catch (error) {
      void reply.status(503);
      return {
        status: 'unavailable',
        eventStore: {
          status: 'down',
          error: error instanceof Error ? error.message : String(error),
          writes,
        },
        clock,
        foreignEvents,
      };
    }
  }
}
