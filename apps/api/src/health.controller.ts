import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EventStore, foreignEventMetrics, type ForeignEventCounts } from '#eventstore';
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
  status: 'ok' | 'unavailable';
  eventStore: { status: 'up' | 'down'; headPosition?: string; error?: string };
  clock: { mode: string; now: string };
  foreignEvents: ApiForeignEvents;
}

/** How long the store may take to answer before the api reports itself unavailable. */
const STORE_PROBE_TIMEOUT_MS = 2_000;

const HEALTH = {
  type: 'object',
  required: ['status', 'eventStore', 'clock', 'foreignEvents'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    eventStore: { type: 'object' },
    clock: { type: 'object' },
    foreignEvents: { type: 'object' },
  },
  example: {
    status: 'ok',
    eventStore: { status: 'up', headPosition: '18234' },
    clock: { mode: 'realtime', now: '2026-01-05T09:00:00.000Z' },
    foreignEvents: {},
  },
};

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly store: EventStore,
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
  @ApiOperation({ summary: 'Prometheus text exposition: foreign events skipped or refused, by consumer' })
  metrics(): string {
    return foreignEventMetrics(
      'api_foreign_events_total',
      'Events this build cannot read as its own, by consumer (skipped, or refused a command) and reason',
      { ...this.foreignEvents() },
    );
  }

  @Get('health')
  @ApiOperation({ summary: 'Readiness: 200 when the event store answers, 503 otherwise' })
  @ApiResponse({ status: 200, description: 'Ready', schema: HEALTH })
  @ApiResponse({ status: 503, description: 'The event store does not answer', schema: HEALTH })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<ApiHealth> {
    const clock = { mode: this.clock.mode, now: this.clock.now().toISOString() };
    const foreignEvents = this.foreignEvents();
    try {
      const head = await Promise.race([
        this.store.headPosition(),
        new Promise<never>((_, timeout) =>
          setTimeout(
            () => timeout(new Error(`no answer within ${STORE_PROBE_TIMEOUT_MS} ms`)),
            STORE_PROBE_TIMEOUT_MS,
          ).unref(),
        ),
      ]);
      return {
        status: 'ok',
        eventStore: { status: 'up', headPosition: head.toString() },
        clock,
        foreignEvents,
      };
    } catch (error) {
      void reply.status(503);
      return {
        status: 'unavailable',
        eventStore: { status: 'down', error: error instanceof Error ? error.message : String(error) },
        clock,
        foreignEvents,
      };
    }
  }
}
