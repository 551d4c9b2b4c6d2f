import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ReasonResponses } from '#http';
import { IsISO8601, IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { refuse, type EdgeReasonCode } from '#domain';
import { CommandDto } from '../shared/command-dto.js';
import { ClockService } from './clock.service.js';

/** Only who moves the clock: the next timer decides where to. */
export class AdvanceToNextTimerDto extends CommandDto {}

export class AdvanceClockDto extends CommandDto {
  @ApiPropertyOptional({
    description: 'Move the virtual clock to this time (ISO-8601)',
    example: '2026-01-05T09:01:00Z',
  })
  @ValidateIf((dto: AdvanceClockDto) => dto.bySeconds === undefined)
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 time (or give bySeconds instead)' })
  to?: string;

  @ApiPropertyOptional({ description: 'Move the virtual clock forward by this many seconds', example: 30 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365 * 24 * 3600)
  bySeconds?: number;
}

interface ClockView {
  mode: string;
  now: string;
  pendingTimers: { key: string; dueAt: string }[];
}

const CLOCK_VIEW = {
  type: 'object',
  required: ['mode', 'now', 'pendingTimers'],
  properties: {
    mode: { type: 'string', enum: ['realtime', 'virtual'] },
    now: { type: 'string', format: 'date-time' },
    pendingTimers: {
      type: 'array',
      items: {
        type: 'object',
        properties: { key: { type: 'string' }, dueAt: { type: 'string', format: 'date-time' } },
      },
    },
  },
  example: {
    mode: 'virtual',
    now: '2026-01-05T09:00:30.000Z',
    pendingTimers: [{ key: 'line-acme.15550000001:ringTimeout:call-002', dueAt: '2026-01-05T09:01:00.000Z' }],
  },
};

/** An advance appends the clock's move, and the timers it fires append their commands. */
const ADVANCE_EDGE: readonly EdgeReasonCode[] = [
  'INVALID_REQUEST',
  'STORE_UNAVAILABLE',
  'STORE_CANNOT_WRITE',
];

@ApiTags('clock')
@Controller('clock')
export class ClockController {
  constructor(private readonly clock: ClockService) {}

  @Get()
  @ApiOperation({ summary: 'Clock mode, current (simulated) time and pending timers' })
  @ApiOkResponse({ description: 'The clock', schema: CLOCK_VIEW })
  async clockNow(): Promise<ClockView> {
    return this.view(await this.clock.settledPendingTimers());
  }

  @Post('advance')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Advance the virtual clock (R21); due timers (ring timeout, transfer recall) fire on the way',
  })
  @ApiOkResponse({ description: 'The clock after the advance', schema: CLOCK_VIEW })
  @ReasonResponses({
    refusals: ['CLOCK_NOT_VIRTUAL', 'CLOCK_CANNOT_GO_BACK', 'INVALID_CLOCK_ADVANCE', 'INVALID_TIME'],
    edge: ADVANCE_EDGE,
  })
  async advance(@Body() dto: AdvanceClockDto): Promise<ClockView> {
    if (dto.to !== undefined && dto.bySeconds !== undefined) {
      refuse('INVALID_CLOCK_ADVANCE', 'R21', {});
    }
    const target =
      dto.to !== undefined
        ? new Date(dto.to)
        : new Date(this.clock.now().getTime() + (dto.bySeconds ?? 0) * 1000);
    await this.clock.advanceTo(target, dto.actor);
    return this.view(this.clock.pendingTimers());
  }

  @Post('advance-to-next-timer')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Advance the virtual clock (R21) exactly to the earliest pending timer (a ring timeout, VIP ' +
      'escalation or transfer recall) and fire it, with any other timer due at that moment',
  })
  @ApiOkResponse({ description: 'The clock after the advance', schema: CLOCK_VIEW })
  @ReasonResponses({
    refusals: ['CLOCK_NOT_VIRTUAL', 'NO_PENDING_TIMER', 'INVALID_TIME'],
    edge: ADVANCE_EDGE,
  })
  async advanceToNextTimer(@Body() dto: AdvanceToNextTimerDto): Promise<ClockView> {
    await this.clock.advanceToNextTimer(dto.actor);
    return this.view(this.clock.pendingTimers());
  }

  private view(pendingTimers: readonly { key: string; dueAt: Date }[]): ClockView {
    return {
      mode: this.clock.mode,
      now: this.clock.now().toISOString(),
      pendingTimers: pendingTimers.map((t) => ({ key: t.key, dueAt: t.dueAt.toISOString() })),
    };
  }
}
