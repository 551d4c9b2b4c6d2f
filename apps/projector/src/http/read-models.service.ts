import { BadRequestException, Injectable, InternalServerErrorException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ClockSettings } from '#events';
import { EventStore } from '#eventstore';
import {
  diagnosisTime,
  type DiagnosisTime,
  parseInstant,
  ProjectionFailure,
  Projector,
  type ReadModels,
  replay,
  TimeMachine,
} from '#read-models';
import { projectorSettingsOf } from '../projector-config.js';

export interface AsOf {
  readonly asOf?: string;
  readonly asOfTime?: string;
}

/**
 * The live read models, or (with `asOf` / `asOfTime`) read models as of that `$all` position or
 * simulated time: the time machine architects use to look at the past. Answered from the nearest
 * checkpoint before the point plus the events after it (see TimeMachine); at most 2 at once, 8
 * waiting, more are answered 429 TIME_TRAVEL_BUSY.
 */
@Injectable()
export class ReadModelsService {
  /** The api's clock mode (R21): a bad CLOCK_MODE stops the projector at start, as it stops the api. */
  private readonly clock: ClockSettings;
  readonly timeMachine: TimeMachine;

  constructor(
    readonly projector: Projector,
    readonly store: EventStore,
    config: ConfigService,
  ) {
    this.clock = projectorSettingsOf(config).clock;
    this.timeMachine = new TimeMachine(store, projector.projections, projector.checkpoints, {
      streamPrefixes: projector.streamPrefixes,
      parkFailedEvents: projector.parkFailedEvents,
    });
  }

  async at(query: AsOf): Promise<ReadModels> {
    if (query.asOf !== undefined && query.asOfTime !== undefined) {
      throw new BadRequestException({ code: 'INVALID_REQUEST', message: 'give asOf or asOfTime, not both' });
    }
    if (query.asOf !== undefined) {
      if (!/^\d{1,20}$/.test(query.asOf)) {
        throw new BadRequestException({
          code: 'INVALID_REQUEST',
          message: 'asOf must be a $all commit position (digits)',
        });
      }
      return this.travel({ untilPosition: BigInt(query.asOf) });
    }
    if (query.asOfTime !== undefined) {
      try {
        parseInstant(query.asOfTime);
      } catch {
        throw new BadRequestException({
          code: 'INVALID_REQUEST',
          message: 'asOfTime must be an ISO-8601 instant',
        });
      }
      return this.travel({ untilSimulatedTime: query.asOfTime });
    }
    return this.projector.readModels;
  }

  /** When to diagnose `readModels` (got by `at(query)`): the time the api would decide a command at (R20, R21). */
  timeOf(readModels: ReadModels, query: AsOf): DiagnosisTime {
    return diagnosisTime(readModels, this.clock, query);
  }

  /** A full rebuild from the first event (POST /rebuild compares it with the live read models). */
  async replay(limit: { untilPosition?: bigint; untilSimulatedTime?: string } = {}): Promise<ReadModels> {
    return this.failingAs500(() =>
      replay(this.store, this.projector.projections, {
        streamPrefixes: this.projector.streamPrefixes,
        parkFailedEvents: this.projector.parkFailedEvents,
        ...limit,
      }),
    );
  }

  private travel(limit: { untilPosition?: bigint; untilSimulatedTime?: string }): Promise<ReadModels> {
    return this.failingAs500(() => this.timeMachine.at(limit));
  }

  /** A replay that meets an event it cannot apply answers 500 naming it, like the live projector's health. */
  private async failingAs500(run: () => Promise<ReadModels>): Promise<ReadModels> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof ProjectionFailure)) throw error;
      throw new InternalServerErrorException({
        code: 'PROJECTION_FAILED',
        message: error.message,
        failure: error.toJSON(),
      });
    }
  }
}
