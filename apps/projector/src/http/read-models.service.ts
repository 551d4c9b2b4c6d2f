import {
  BadRequestException,
  Injectable,
  InternalServerErrorException,
  UnprocessableEntityException,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { join } from 'node:path';
import { ConfigService } from '@nestjs/config';
import { edgeSentenceOf } from '#domain';
import {
  type ClockSettings,
  isIsoInstant,
  isLogPosition,
  LOG_POSITION_RULE,
  lineKey,
  splitLineKey,
} from '#events';
import { EventStore } from '#eventstore';
import {
  callsProjection,
  diagnosisTime,
  type DiagnosisTime,
  LINE_ROWS,
  LogIndex,
  parseInstant,
  ProjectionFailure,
  Projector,
  type ReadModels,
  replay,
  SCOPE_CHECKPOINT_DIR,
  ScopeCheckpoints,
  TimeMachine,
  type TimeTravelScope,
} from '#read-models';
import { projectorSettingsOf } from '../projector-config.js';

export interface AsOf {
  readonly asOf?: string;
  readonly asOfTime?: string;
}

const AS_OF_TIME_RULE =
  'an ISO-8601 instant with its zone, on a day the calendar has, e.g. 2026-01-05T09:00:00Z';

/**
 * A query value as a refusal quotes it: a repeated query is a list, and a value may be of any length (a
 * URL holds thousands of characters), of which a sentence quotes the start.
 */
const givenAs = (value: unknown): string => {
  if (Array.isArray(value)) return `${value.length} values (give it once)`;
  const text = String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
};

/**
 * The live read models, or (with `asOf` / `asOfTime`) read models as of that `$all` position or
 * simulated time: the time machine architects use to look at the past. A query about an account (or
 * one of its lines) names that scope and is folded from the scope's own streams up to the point, in
 * the cost of its events rather than the log's (TimeMachine.scoped, with the LogIndex this service
 * keeps following the log), from the account's nearest scope checkpoint at or before the point
 * (ScopeCheckpoints, built in the background under the data directory; a line's query takes only its
 * line's rows of it) plus the distance; a
 * query about the whole log (the digest) is answered from the nearest
 * whole-state checkpoint before the point plus the events after it. At most 2 at once, 8 waiting,
 * more are answered 429 TIME_TRAVEL_BUSY.
 */
@Injectable()
export class ReadModelsService implements OnModuleInit, OnModuleDestroy {
  /** The api's clock mode (R21): a bad CLOCK_MODE stops the projector at start, as it stops the api. */
  private readonly clock: ClockSettings;
  readonly timeMachine: TimeMachine;
  readonly logIndex = new LogIndex();
  /** Each account's scope checkpoints (with a data directory). */
  readonly scopeCheckpoints: ScopeCheckpoints | undefined;

  constructor(
    readonly projector: Projector,
    readonly store: EventStore,
    config: ConfigService,
  ) {
    this.clock = projectorSettingsOf(config).clock;
    this.scopeCheckpoints = projector.dataDir
      ? new ScopeCheckpoints(
          join(projector.dataDir, SCOPE_CHECKPOINT_DIR),
          projector.projections,
          store,
          this.logIndex,
          { parkFailedEvents: projector.parkFailedEvents, lineRows: LINE_ROWS },
        )
      : undefined;
    this.timeMachine = new TimeMachine(store, projector.projections, projector.checkpoints, {
      streamPrefixes: projector.streamPrefixes,
      parkFailedEvents: projector.parkFailedEvents,
      index: this.logIndex,
      ...(this.scopeCheckpoints ? { scopeCheckpoints: this.scopeCheckpoints } : {}),
    });
  }

  /**
   * What time travel stands on, for `/health`: the log index (scoped queries need it caught up), the
   * whole-state and per-account checkpoints on disk (null without a data directory), and the as-of
   * queries running and waiting against their bounds.
   */
  get timeTravel() {
    return {
      index: { caughtUp: this.logIndex.caughtUp, records: this.logIndex.records },
      checkpoints: this.projector.checkpoints?.stats ?? null,
      scopeCheckpoints: this.scopeCheckpoints?.stats ?? null,
      queries: this.timeMachine.queries,
    };
  }

  async onModuleInit(): Promise<void> {
    this.logIndex.follow(
      this.store,
      this.projector.streamPrefixes,
      (line) => console.log(line),
      this.projector,
    );
    try {
      await this.scopeCheckpoints?.open();
      this.scopeCheckpoints?.start();
    } catch (error) {
      // Without them an account's query folds from the account's first event: slower, as right.
      console.log(`time travel: scope checkpoints unavailable (${String(error)})`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.scopeCheckpoints?.stop();
    await this.logIndex.stop();
  }

  /**
   * The read models as of the query's point, or the live ones. With `scope`, right only for the rows
   * of that scope (the accounts, or one line, the query reads; see TimeMachine.scoped).
   */
  async at(query: AsOf, scope?: TimeTravelScope): Promise<ReadModels> {
    if (query.asOf !== undefined && query.asOfTime !== undefined) {
      throw new BadRequestException({
        code: 'INVALID_REQUEST',
        message: 'invalid request: give asOf or asOfTime, not both',
        errors: [{ field: 'asOfTime', messages: ['not with asOf: one point of time travel at a time'] }],
      });
    }
    if (query.asOf !== undefined) {
      if (typeof query.asOf !== 'string' || !isLogPosition(query.asOf)) {
        throw new BadRequestException({
          code: 'INVALID_REQUEST',
          message: `invalid request: asOf must be ${LOG_POSITION_RULE}, not ${givenAs(query.asOf)}`,
          errors: [{ field: 'asOf', messages: [LOG_POSITION_RULE] }],
        });
      }
      return this.travel({ untilPosition: BigInt(query.asOf) }, scope);
    }
    if (query.asOfTime !== undefined) {
      // Date.parse alone takes far more than instants: "1" (2001), "1,2", a time without a zone
      // (read in the projector's own time zone), a day past its month's end (read as the next
      // month's), or the list a repeated `asOfTime` becomes.
      const instant = typeof query.asOfTime === 'string' && isIsoInstant(query.asOfTime);
      try {
        if (!instant) throw new RangeError('not an instant');
        parseInstant(query.asOfTime);
      } catch {
        throw new BadRequestException({
          code: 'INVALID_REQUEST',
          message: `invalid request: asOfTime must be ${AS_OF_TIME_RULE}, not ${givenAs(query.asOfTime)}`,
          errors: [{ field: 'asOfTime', messages: [AS_OF_TIME_RULE] }],
        });
      }
      this.refuseTimeNotReached(query.asOfTime);
      return this.travel({ untilSimulatedTime: query.asOfTime }, scope);
    }
    return this.projector.readModels;
  }

  /**
   * Nothing has happened after the stack's clock: read models "as of" a later time would be today's
   * state dated then, a call busy for hours no one saw. The clock is the api's as the projector knows
   * it (R21: the virtual clock's time, or the wall clock's in realtime mode), or the last event's time
   * when that is later, so every time the log holds can be asked for.
   */
  private refuseTimeNotReached(asOfTime: string): void {
    const live = this.projector.readModels;
    const clock = diagnosisTime(live, this.clock, {}).at;
    const last = live.lastSimulatedTime;
    const stackTime = last !== undefined && Date.parse(last) > Date.parse(clock) ? last : clock;
    const asked = parseInstant(asOfTime);
    if (asked <= Date.parse(stackTime)) return;
    throw new UnprocessableEntityException({
      code: 'AS_OF_TIME_NOT_REACHED',
      message: edgeSentenceOf('AS_OF_TIME_NOT_REACHED', {
        asked: new Date(asked).toISOString(),
        stackTime,
      }),
      stackTime,
    });
  }

  /** What a query about an account reads; with a line number (either spelling), about that line. */
  scopeOf(accountId: string, number?: string): TimeTravelScope {
    return number === undefined
      ? { accountIds: [accountId] }
      : { accountIds: [accountId], lineKey: lineKey(accountId, number.replace(/^\+/, '')) };
  }

  /**
   * What a query about a call id without its line reads: every account with a line that used the id.
   * The live read models know them all (a line joins an id's list, never leaves it), so as of any
   * past point the id's lines are among them.
   */
  callIdScope(callId: string): TimeTravelScope {
    const lines = this.projector.readModels.state(callsProjection).callIdLines.get(callId) ?? [];
    return { accountIds: [...new Set(lines.map((line) => splitLineKey(line).accountId))] };
  }

  /** When to diagnose `readModels` (got by `at(query)`): the time the api would decide a command at (R20, R21). */
  timeOf(readModels: ReadModels, query: AsOf): DiagnosisTime {
    return diagnosisTime(readModels, this.clock, query);
  }

  /**
   * A full rebuild from the first event (POST /rebuild compares it with the live read models), in turn
   * with the as-of queries: each holds a whole state, and a burst of rebuilds is refused past the
   * bound (429 TIME_TRAVEL_BUSY) rather than holding a state per request until memory runs out.
   */
  async replay(limit: { untilPosition?: bigint; untilSimulatedTime?: string } = {}): Promise<ReadModels> {
    return this.failingAs500(() =>
      this.timeMachine.inTurn(() =>
        replay(this.store, this.projector.projections, {
          streamPrefixes: this.projector.streamPrefixes,
          parkFailedEvents: this.projector.parkFailedEvents,
          ...limit,
        }),
      ),
    );
  }

  private travel(
    limit: { untilPosition?: bigint; untilSimulatedTime?: string },
    scope: TimeTravelScope | undefined,
  ): Promise<ReadModels> {
    return this.failingAs500(() =>
      scope ? this.timeMachine.scoped(limit, scope) : this.timeMachine.at(limit),
    );
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
