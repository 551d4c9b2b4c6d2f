import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EventStore } from '#eventstore';
import { ClockService } from './clock/clock.service.js';

export interface ApiHealth {
  status: 'ok' | 'unavailable';
  eventStore: { status: 'up' | 'down'; headPosition?: string; error?: string };
  clock: { mode: string; now: string };
}

/** How long the store may take to answer before the api reports itself unavailable. */
const STORE_PROBE_TIMEOUT_MS = 2_000;

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly store: EventStore,
    private readonly clock: ClockService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Readiness: 200 when the event store answers, 503 otherwise' })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<ApiHealth> {
    const clock = { mode: this.clock.mode, now: this.clock.now().toISOString() };
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
      return { status: 'ok', eventStore: { status: 'up', headPosition: head.toString() }, clock };
    } catch (error) {
      void reply.status(503);
      return {
        status: 'unavailable',
        eventStore: { status: 'down', error: error instanceof Error ? error.message : String(error) },
        clock,
      };
    }
  }
}
