import { BadRequestException, Injectable } from '@nestjs/common';
import { EventStore } from '#eventstore';
import { Projector } from '../engine/projector.js';
import type { ReadModels } from '../engine/read-models.js';
import { parseInstant, replay } from '../engine/replay.js';
import { PROJECTED_STREAM_PREFIXES, PROJECTIONS } from '../projections/index.js';

export interface AsOf {
  readonly asOf?: string;
  readonly asOfTime?: string;
}

/**
 * The live read models, or (with `asOf` / `asOfTime`) read models replayed into a fresh instance up to
 * that `$all` position or simulated time: the time machine architects use to look at the past.
 */
@Injectable()
export class ReadModelsService {
  constructor(
    readonly projector: Projector,
    readonly store: EventStore,
  ) {}

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
      return this.replay({ untilPosition: BigInt(query.asOf) });
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
      return this.replay({ untilSimulatedTime: query.asOfTime });
    }
    return this.projector.readModels;
  }

  replay(limit: { untilPosition?: bigint; untilSimulatedTime?: string } = {}): Promise<ReadModels> {
    return replay(this.store, PROJECTIONS, { streamPrefixes: PROJECTED_STREAM_PREFIXES, ...limit });
  }
}
