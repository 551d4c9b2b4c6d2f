import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  applyDecorators,
  BadRequestException,
  Controller,
  Delete,
  Patch,
  Post,
  Put,
  Get,
  Header,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
  Sse,
  type BeforeApplicationShutdown,
  type MessageEvent,
  type RawBodyRequest,
} from '@nestjs/common';
import {
  ApiDefaultResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, Subject, takeUntil } from 'rxjs';
import { ConfigService } from '@nestjs/config';
import { VIRTUAL_CLOCK_STREAM, isAccountsStream, isLogPosition, LOG_POSITION_RULE } from '#events';
import { accountParty, type ReadModels } from '#read-models';
import { AsOfQuery, knownAccount, notAPartySentence, validId } from '../http/params.js';
import { ReadModelsService, type AsOf } from '../http/read-models.service.js';
import { ANSWER_EXAMPLES } from '../http/answer-examples.js';
import { AsOfQueries, EventStreamAnswer, QueryAnswer, QueryRefusals } from '../http/route-docs.js';
import { projectorSettingsOf, type ProjectorSettings } from '../projector-config.js';
import type { ApiStatus, Directory, PendingTimers, Seat, SeatsStart, Steps } from './seat-contract.js';
import { SeatRefusal, directory, seatOf } from './seat.js';
import { seatsStartOf, stepsAround, stepsWithinSeats } from './steps.js';

/**
 * Where `vite build` put the web app (apps/web): dist/web at the repository root. Run from dist this
 * file is dist/apps/projector/src/panel; run from source (ts-jest) it is apps/projector/src/panel.
 */
const here = dirname(fileURLToPath(import.meta.url));
const up = resolve(here, '..', '..', '..', '..');
const webDir = basename(up) === 'dist' ? resolve(up, 'web') : resolve(up, 'dist', 'web');

const CONTENT_TYPES: ReadonlyMap<string, string> = new Map([
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
]);
const ASSET_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.(js|css|svg)$/;

/**
 * Changes arrive an event at a time; a burst (a scenario, a load) is sent as one seat once it settles
 * for this long, so a 40-line seat is not recomputed per event.
 */
const COALESCE_MS = 30;

/** A seat reads its account's stream, its lines' streams and the virtual clock's; nothing else. */
const seatReads = (accountId: string, stream: string): boolean =>
  stream === VIRTUAL_CLOCK_STREAM || isAccountsStream(stream, accountId);

/** Seats one stream carries at most: a room, or every tab of one browser (one connection for all). */
const MAX_STREAMED_SEATS = 64;

interface StreamedSeat {
  readonly accountId: string;
  readonly partyId: string;
}

/**
 * The distinct items of a list query parameter, `field`: `field=…&field=…` reaches here as a list,
 * refused as malformed, as one comma-separated `field` is the only form.
 */
const commaList = (value: string | string[], field: string, item: string): readonly string[] => {
  if (typeof value !== 'string') {
    throw new BadRequestException({
      code: 'INVALID_REQUEST',
      message: `invalid request: ${field} is given more than once; list every ${item} in one, comma-separated`,
      errors: [{ field, messages: ['given more than once'] }],
    });
  }
  return [...new Set(value.split(','))];
};

/** The seats a stream asks for: `account` and `viewer`, or `seats=account.viewer,…` (ids hold no `.`). */
const streamedSeats = (
  account: string | undefined,
  viewer: string | undefined,
  seats: string | string[] | undefined,
): readonly StreamedSeat[] => {
  if (seats === undefined)
    return [{ accountId: validId(account, 'account'), partyId: validId(viewer, 'viewer') }];
  const listed = commaList(seats, 'seats', 'seat');
  if (listed.length > MAX_STREAMED_SEATS) {
    throw new BadRequestException({
      code: 'INVALID_REQUEST',
      message: `invalid request: seats lists ${listed.length} seats, at most ${MAX_STREAMED_SEATS}`,
      errors: [{ field: 'seats', messages: [`at most ${MAX_STREAMED_SEATS} seats`] }],
    });
  }
  return listed.map((seat) => {
    const [accountId, partyId, ...rest] = seat.split('.');
    if (rest.length > 0) validId(seat, 'seats');
    return { accountId: validId(accountId, 'seats'), partyId: validId(partyId, 'seats') };
  });
};

/** Only the api's command routes are forwarded: the page never reaches its other routes this way. */
const FORWARDED = /^(accounts\/[^?#]+|clock\/advance|clock\/advance-to-next-timer)$/;

/**
 * The headers that say where a command comes from, passed on as the page sent them: its flow
 * (`X-Correlation-Id`, the events' `$correlationId`) and its idempotency key. The api validates them.
 */
const ORIGIN_HEADERS = ['x-correlation-id', 'idempotency-key'] as const;
const originHeaders = (request: FastifyRequest): Record<string, string> => {
  const passed: Record<string, string> = {};
  for (const name of ORIGIN_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') passed[name] = value;
  }
  return passed;
};

const ForwardDocs = () =>
  applyDecorators(
    ApiOperation({
      summary:
        "The page's commands, forwarded to the api unchanged (same origin for the page; the api decides and " +
        'answers, its status and body are passed back). Only /accounts/…, /clock/advance and /clock/advance-to-next-timer.',
    }),
    ApiDefaultResponse({
      description: "The api's answer to the command, its status and body as the api gave them",
    }),
    QueryRefusals({ edge: ['NOT_FOUND', 'API_UNAVAILABLE', 'API_ADDRESS_NOT_SET'] }),
  );

/** What a projector without a usable api address is to be given, whichever way it lacks one. */
const SET_THE_API_ADDRESS =
  "set SWITCHBOARD_API_URL (or API_HOST and API_PORT) to the api's address, and start the projector again.";

/** How long the api's /health (or /clock) may take to answer: the page asks again every 3 s. */
const API_STATUS_TIMEOUT_MS = 3_000;

/** What /panel/timers answers when it could not ask the api: no timer known, which is not none. */
const TIMERS_UNKNOWN: PendingTimers = { answering: false, pendingTimers: [] };

/** How long a forwarded command may take at the api: its slowest answers are a few seconds. */
const FORWARD_TIMEOUT_MS = 10_000;

@ApiTags('panel')
@Controller('panel')
export class PanelController implements BeforeApplicationShutdown {
  private readonly settings: ProjectorSettings;
  /** Ends every live stream when the app stops, so none holds the stop up and each ends cleanly. */
  private readonly stopping = new Subject<void>();

  constructor(
    private readonly readModels: ReadModelsService,
    config: ConfigService,
  ) {
    this.settings = projectorSettingsOf(config);
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @ApiOperation({
    summary:
      'The web app (HTML): without a query, the accounts and their parties; with ?account=…&viewer=…, that ' +
      "party's seat: its lines with live lamps and the actions its permissions allow",
  })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The page' })
  @QueryRefusals({ edge: ['NOT_BUILT'] })
  page(): Promise<string> {
    return this.webFile('index.html').catch(() => {
      throw new NotFoundException({
        code: 'NOT_BUILT',
        message: 'The web app is not built: run `npm run build` (npm start and npm test do).',
      });
    });
  }

  @Get('assets/:file')
  @ApiOperation({ summary: "The web app's bundled scripts and styles" })
  @ApiOkResponse({ description: 'The file, cached for good: its name carries a hash of its content' })
  @QueryRefusals({ edge: ['NOT_FOUND'] })
  async asset(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    const missing = (): NotFoundException =>
      new NotFoundException({ code: 'NOT_FOUND', message: `no panel asset ${file}` });
    if (!ASSET_NAME.test(file)) throw missing();
    const body = await this.webFile(`assets/${file}`).catch(() => {
      throw missing();
    });
    // Asset names carry a hash of their content: a name never changes meaning.
    void reply
      .header('content-type', CONTENT_TYPES.get(extname(file))!)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(body);
  }

  @Get('directory')
  @ApiOperation({
    summary: 'Every account with its parties and how many lines each can use (the landing page)',
  })
  @QueryAnswer('The accounts and their parties', ANSWER_EXAMPLES.directory)
  directory(): Directory {
    return directory(this.readModels.projector.readModels);
  }

  @Get('seat')
  @ApiOperation({
    summary:
      "One viewer's seat: lines with lamps, R20 availability of answer / pick up / place a call / join / merge " +
      'and of decline / hold / resume / lock / transfer / record / hang up on the call on each, ' +
      'shared voicemail and history, running recordings, delegations both ways',
  })
  @ApiQuery({ name: 'account', description: 'account id' })
  @ApiQuery({ name: 'viewer', description: 'party id of whoever uses the seat' })
  @QueryAnswer('The seat: its lines, voicemail, history, roster and what it may do', ANSWER_EXAMPLES.seat)
  @QueryRefusals({ asOf: true, edge: ['ACCOUNT_NOT_FOUND', 'PARTY_NOT_FOUND'] })
  @AsOfQueries('the seat')
  async seat(
    @Query('account') account: string | undefined,
    @Query('viewer') viewer: string | undefined,
    @AsOfQuery() query: AsOf,
  ): Promise<Seat> {
    const accountId = validId(account, 'account');
    const partyId = validId(viewer, 'viewer');
    if (query.asOf === undefined && query.asOfTime === undefined) return this.seatNow(accountId, partyId);
    // The seat reads its account's rows only: its stream, its lines and the clock (see seatReads).
    const readModels = await this.readModels.at(query, this.readModels.scopeOf(accountId));
    return this.seatFrom(readModels, accountId, partyId, query);
  }

  @Get('api-status')
  @ApiOperation({
    summary:
      "Whether the api answers where the panel's commands are forwarded (its /health answers, whatever " +
      'its status): the page asks while it shows a command refused for want of the api, to drop that ' +
      'refusal once it does. Always a 200, so a page asking while the api is away logs no error.',
  })
  @QueryAnswer('Whether the api answers', ANSWER_EXAMPLES.apiStatus)
  apiStatus(): Promise<ApiStatus> {
    return this.askApi<ApiStatus>(
      'health',
      async (answer) => {
        await answer.body?.cancel();
        return { answering: true };
      },
      { answering: false },
    );
  }

  @Get('timers')
  @ApiOperation({
    summary:
      "The api's pending timers (its GET /clock: ring timeouts, VIP escalations, transfer recalls, soonest " +
      'first), for the page\'s "To the next timer", disabled when none is pending. Always a 200: ' +
      '`answering` is false when the api does not answer, or not as a clock does.',
  })
  @QueryAnswer('The pending timers, or that the api could not be asked', ANSWER_EXAMPLES.timers)
  timers(): Promise<PendingTimers> {
    return this.askApi<PendingTimers>(
      'clock',
      async (answer) => {
        const clock = (await answer.json()) as { pendingTimers?: unknown };
        if (!answer.ok || !Array.isArray(clock.pendingTimers)) return TIMERS_UNKNOWN;
        const pendingTimers = clock.pendingTimers.flatMap((timer: unknown) => {
          const { key, dueAt } = (timer ?? {}) as { key?: unknown; dueAt?: unknown };
          return typeof key === 'string' && typeof dueAt === 'string' ? [{ key, dueAt }] : [];
        });
        return { answering: true, pendingTimers };
      },
      TIMERS_UNKNOWN,
    );
  }

  /**
   * The api's GET `path`, read by `read`; `unanswered` when the projector has no api address, or the
   * api does not answer (reading its answer included) within API_STATUS_TIMEOUT_MS: the page's polls
   * always get a 200.
   */
  private async askApi<T>(path: string, read: (answer: Response) => Promise<T>, unanswered: T): Promise<T> {
    const api = this.settings.api;
    if (!('url' in api)) return unanswered;
    try {
      return await read(
        await fetch(`${api.url}/${path}`, { signal: AbortSignal.timeout(API_STATUS_TIMEOUT_MS) }),
      );
    } catch {
      return unanswered;
    }
  }

  @Get('steps')
  @ApiOperation({
    summary:
      "Time travel event by event: around a view as of a $all position, the account's event it shows " +
      'last, the position one step back, and the next event (one step forward); the account is its own ' +
      'stream, its lines and the virtual clock',
  })
  @ApiQuery({ name: 'account', description: 'account id' })
  @ApiQuery({
    name: 'position',
    description: "the $all commit position the view is as of (a seat's `position`)",
  })
  @ApiQuery({
    name: 'viewers',
    required: false,
    description:
      'the seats shown, comma-separated party ids: no step back is offered from the event that made the last of them a party, before which none of their seats shows',
    example: 'exec1,assistant1',
  })
  @QueryAnswer(
    'The event at the position, and the positions one step back and forward',
    ANSWER_EXAMPLES.steps,
  )
  @QueryRefusals({ edge: ['INVALID_REQUEST', 'ACCOUNT_NOT_FOUND'] })
  async steps(
    @Query('account') account: string | undefined,
    @Query('position') position: string | undefined,
    @Query('viewers') viewers?: string | string[],
  ): Promise<Steps> {
    const accountId = validId(account, 'account');
    const parties =
      viewers === undefined
        ? undefined
        : commaList(viewers, 'viewers', 'viewer').map((viewer) => validId(viewer, 'viewers'));
    if (position === undefined || !isLogPosition(position)) {
      throw new BadRequestException({
        code: 'INVALID_REQUEST',
        message: `invalid request: position must be ${LOG_POSITION_RULE}`,
        errors: [{ field: 'position', messages: [LOG_POSITION_RULE] }],
      });
    }
    knownAccount(this.readModels.projector.readModels, accountId);
    const at = BigInt(position);
    // The log index knows records' positions; reading from one of them, never from the number given,
    // is what EventStoreDB accepts (see stepsAround).
    const start = this.readModels.logIndex.pointAt(at).position;
    const around = stepsAround(this.readModels.store, at, (stream) => seatReads(accountId, stream), start);
    if (parties === undefined) return around;
    const [steps, seatsStart] = await Promise.all([
      around,
      seatsStartOf(this.readModels.store, accountId, parties),
    ]);
    return stepsWithinSeats(steps, seatsStart);
  }

  @Get('seats-start')
  @ApiOperation({
    summary:
      "Where the seats of `viewers` start: the account's event that made the last of them a party, before " +
      'which none of their seats shows (GET /panel/seat answers PARTY_NOT_FOUND or ACCOUNT_NOT_FOUND as of an ' +
      'earlier point), and the earliest `asOfTime` that shows it. The page asks it before time travel, to show ' +
      "a point before the seats' history as of their first event instead of asking for a seat that was not",
  })
  @ApiQuery({ name: 'account', description: 'account id' })
  @ApiQuery({
    name: 'viewers',
    description: 'the seats shown, comma-separated party ids',
    example: 'exec1,assistant1',
  })
  @QueryAnswer(
    "The position of the seats' first event, and the earliest time showing it",
    ANSWER_EXAMPLES.seatsStart,
  )
  @QueryRefusals({ edge: ['INVALID_REQUEST', 'ACCOUNT_NOT_FOUND', 'PARTY_NOT_FOUND'] })
  async seatsStart(
    @Query('account') account: string | undefined,
    @Query('viewers') viewers: string | string[] | undefined,
  ): Promise<SeatsStart> {
    const accountId = validId(account, 'account');
    const parties = commaList(viewers ?? '', 'viewers', 'viewer').map((viewer) => validId(viewer, 'viewers'));
    const live = this.readModels.projector.readModels;
    const known = knownAccount(live, accountId);
    const start = await seatsStartOf(this.readModels.store, accountId, parties);
    if (start === undefined) {
      const party = parties.find((viewer) => !accountParty(live, accountId, viewer)) ?? parties.join(',');
      throw new NotFoundException({
        code: 'PARTY_NOT_FOUND',
        message: notAPartySentence(party, known),
      });
    }
    // A view as of a time takes the events up to the first one later than it (the log's running
    // maximum of simulated times): the start shows from the time that maximum reached at it.
    const indexed = this.readModels.logIndex.pointAt(start);
    return {
      position: String(start),
      time: indexed.position === start ? (indexed.maxSimulatedTime ?? null) : null,
    };
  }

  @Sse('stream')
  @ApiOperation({
    summary:
      "Server-sent events: each seat's whole state (every line, its voicemail and history, the roster) " +
      'after each change to any of them, as `seat` events. One connection per page whatever the number ' +
      'of lines or seats: `account` and `viewer` for one seat, or `seats` for several (a room, or every ' +
      'tab of a browser sharing one connection)',
  })
  @ApiQuery({ name: 'account', required: false, description: 'account id (one seat)' })
  @ApiQuery({ name: 'viewer', required: false, description: 'party id of whoever uses the seat (one seat)' })
  @ApiQuery({
    name: 'seats',
    required: false,
    description: `up to ${MAX_STREAMED_SEATS} seats, comma-separated, each \`account.viewer\``,
    example: 'demo.exec1,demo.assistant1',
  })
  @EventStreamAnswer('`seat` events: the body of GET /panel/seat for each seat, now and after each change')
  @QueryRefusals({ edge: ['INVALID_REQUEST', 'ACCOUNT_NOT_FOUND', 'PARTY_NOT_FOUND'] })
  stream(
    @Query('account') account: string | undefined,
    @Query('viewer') viewer: string | undefined,
    @Query('seats') seats?: string | string[],
  ): Observable<MessageEvent> {
    const wanted = streamedSeats(account, viewer, seats);
    // An unknown account or viewer is a 404 before the stream opens, not an empty stream.
    for (const seat of wanted) this.seatNow(seat.accountId, seat.partyId);
    const changes = new Observable<MessageEvent>((subscriber) => {
      const last = new Map<string, string>();
      const changed = new Set(wanted);
      let timer: NodeJS.Timeout | undefined;
      const send = (): void => {
        timer = undefined;
        for (const wantedSeat of changed) {
          const key = `${wantedSeat.accountId}.${wantedSeat.partyId}`;
          const seat = this.seatNow(wantedSeat.accountId, wantedSeat.partyId);
          const json = JSON.stringify(seat);
          if (json === last.get(key)) continue;
          last.set(key, json);
          subscriber.next({ type: 'seat', id: seat.position, data: json });
        }
        changed.clear();
      };
      send();
      const unsubscribe = this.readModels.projector.onChange((change) => {
        for (const seat of wanted) if (seatReads(seat.accountId, change.stream)) changed.add(seat);
        if (changed.size > 0) timer ??= setTimeout(send, COALESCE_MS);
      });
      return () => {
        unsubscribe();
        clearTimeout(timer);
      };
    });
    // The page's EventSource reconnects by itself, to the next projector.
    return changes.pipe(takeUntil(this.stopping));
  }

  beforeApplicationShutdown(): void {
    this.stopping.next();
    this.stopping.complete();
  }

  // The api's command methods only: a GET reads nothing through here. One handler per method, so that
  // OpenAPI lists each of them.
  @Post('api/*')
  @ForwardDocs()
  forwardPost(@Req() request: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply): Promise<void> {
    return this.forward(request, reply);
  }

  @Put('api/*')
  @ForwardDocs()
  forwardPut(@Req() request: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply): Promise<void> {
    return this.forward(request, reply);
  }

  @Patch('api/*')
  @ForwardDocs()
  forwardPatch(@Req() request: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply): Promise<void> {
    return this.forward(request, reply);
  }

  @Delete('api/*')
  @ForwardDocs()
  forwardDelete(@Req() request: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply): Promise<void> {
    return this.forward(request, reply);
  }

  private async forward(request: RawBodyRequest<FastifyRequest>, reply: FastifyReply): Promise<void> {
    const path = request.url.replace(/^\/panel\/api\//, '');
    if (!FORWARDED.test(path)) {
      void reply.status(404).send({
        statusCode: 404,
        code: 'NOT_FOUND',
        message: `the panel forwards commands to the api's accounts/… and clock/advance… routes, not "${path}"`,
      });
      return;
    }
    const api = this.settings.api;
    if (!('url' in api)) {
      void reply.status(502).send({
        statusCode: 502,
        code: 'API_ADDRESS_NOT_SET',
        message: `The projector does not know where the api is, as ${api.problem}: ${SET_THE_API_ADDRESS}`,
      });
      return;
    }
    try {
      const answer = await fetch(`${api.url}/${path}`, {
        method: request.method,
        headers: {
          ...originHeaders(request),
          'content-type': 'application/json',
          accept: 'application/json',
        },
        // The bytes the page sent, so the api judges what the page wrote: re-serialising turned `null`
        // into `{}` and 1e999 into `null`, which the api accepts where it refuses what was sent. No
        // body is `{}`, as the api reads a command sent without one.
        body: request.rawBody ?? '{}',
        // An api that takes the connection and never answers must not hold the panel's request (and
        // a browser connection) for fetch's own 300 s header timeout.
        signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
      });
      void reply
        .status(answer.status)
        .header('content-type', answer.headers.get('content-type') ?? 'application/json')
        .send(await answer.text());
    } catch {
      // With no address given the projector only guessed the default one: nothing answering there says
      // the address is missing at least as likely as the api being down, and setting it is what helps.
      void reply.status(502).send(
        api.byDefault
          ? {
              statusCode: 502,
              code: 'API_ADDRESS_NOT_SET',
              message: `The api's address is not set (no SWITCHBOARD_API_URL, API_HOST or API_PORT), and no api answers at the default, ${api.url}: ${SET_THE_API_ADDRESS}`,
            }
          : {
              statusCode: 502,
              code: 'API_UNAVAILABLE',
              message: `The api at ${api.url} is not answering (refused, or no answer within ${FORWARD_TIMEOUT_MS / 1000} s): is the stack running (npm start)?`,
            },
      );
    }
  }

  private seatNow(accountId: string, viewer: string): Seat {
    return this.seatFrom(this.readModels.projector.readModels, accountId, viewer, {});
  }

  private seatFrom(readModels: ReadModels, accountId: string, viewer: string, asked: AsOf): Seat {
    try {
      return seatOf(readModels, accountId, viewer, {
        ...this.readModels.timeOf(readModels, asked),
        mode: this.settings.clock.mode,
      });
    } catch (error) {
      if (error instanceof SeatRefusal) {
        throw new NotFoundException({ code: error.code, message: error.message });
      }
      throw error;
    }
  }

  private webFile(path: string): Promise<string> {
    return readFile(resolve(webDir, path), 'utf8');
  }
}
