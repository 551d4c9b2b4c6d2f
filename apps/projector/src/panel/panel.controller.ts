import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
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
  type MessageEvent,
} from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { ConfigService } from '@nestjs/config';
import { VIRTUAL_CLOCK_STREAM } from '#events';
import { ACCOUNT_STREAM_PREFIX, LINE_STREAM_PREFIX, type ReadModels } from '#read-models';
import { validId } from '../http/params.js';
import { ReadModelsService, type AsOf } from '../http/read-models.service.js';
import { projectorSettingsOf, type ProjectorSettings } from '../projector-config.js';
import type { Directory, Seat } from './seat-contract.js';
import { SeatRefusal, directory, seatOf } from './seat.js';

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

/** Only the api's command routes are forwarded: the page never reaches its other routes this way. */
const FORWARDED = /^(accounts\/[^?#]+|clock\/advance)$/;

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

@ApiTags('panel')
@Controller('panel')
export class PanelController {
  private readonly settings: ProjectorSettings;

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
  @ApiNotFoundResponse({ description: 'not one of the built assets' })
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
  directory(): Directory {
    return directory(this.readModels.projector.readModels);
  }

  @Get('seat')
  @ApiOperation({
    summary:
      "One viewer's seat: lines with lamps, R20 availability of answer / pick up / place a call / join, " +
      'shared voicemail and history, running recordings, delegations both ways',
  })
  @ApiQuery({ name: 'account', description: 'account id' })
  @ApiQuery({ name: 'viewer', description: 'party id of whoever uses the seat' })
  @ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND or PARTY_NOT_FOUND, with a sentence' })
  @ApiQuery({ name: 'asOf', required: false, description: 'the seat as of this $all commit position' })
  @ApiQuery({
    name: 'asOfTime',
    required: false,
    description: 'the seat as of this simulated time (ISO-8601)',
  })
  async seat(
    @Query('account') account: string | undefined,
    @Query('viewer') viewer: string | undefined,
    @Query('asOf') asOf?: string,
    @Query('asOfTime') asOfTime?: string,
  ): Promise<Seat> {
    const accountId = validId(account, 'account');
    const partyId = validId(viewer, 'viewer');
    if (asOf === undefined && asOfTime === undefined) return this.seatNow(accountId, partyId);
    const readModels = await this.readModels.at({ asOf, asOfTime });
    return this.seatFrom(readModels, accountId, partyId, { asOf, asOfTime });
  }

  @Sse('stream')
  @ApiOperation({
    summary:
      "Server-sent events: the viewer's whole seat (every line, its voicemail and history, the roster) " +
      'after each change to any of them. One connection per page whatever the number of lines.',
  })
  @ApiQuery({ name: 'account', description: 'account id' })
  @ApiQuery({ name: 'viewer', description: 'party id of whoever uses the seat' })
  stream(
    @Query('account') account: string | undefined,
    @Query('viewer') viewer: string | undefined,
  ): Observable<MessageEvent> {
    const accountId = validId(account, 'account');
    const partyId = validId(viewer, 'viewer');
    this.seatNow(accountId, partyId);
    return new Observable<MessageEvent>((subscriber) => {
      let last = '';
      let timer: NodeJS.Timeout | undefined;
      const send = (): void => {
        timer = undefined;
        const seat = this.seatNow(accountId, partyId);
        const json = JSON.stringify(seat);
        if (json === last) return;
        last = json;
        subscriber.next({ type: 'seat', id: seat.position, data: json });
      };
      send();
      // The seat reads the account's stream, its lines' streams and the virtual clock's; nothing else.
      const relevant = (stream: string): boolean =>
        stream === `${ACCOUNT_STREAM_PREFIX}${accountId}` ||
        stream.startsWith(`${LINE_STREAM_PREFIX}${accountId}.`) ||
        stream === VIRTUAL_CLOCK_STREAM;
      const unsubscribe = this.readModels.projector.onChange((change) => {
        if (relevant(change.stream)) timer ??= setTimeout(send, COALESCE_MS);
      });
      return () => {
        unsubscribe();
        clearTimeout(timer);
      };
    });
  }

  // The api's command methods only: a GET reads nothing through here, and no other method is documented.
  @Post('api/*')
  @Put('api/*')
  @Patch('api/*')
  @Delete('api/*')
  @ApiOperation({
    summary:
      "The page's commands, forwarded to the api unchanged (same origin for the page; the api decides and " +
      'answers, its status and body are passed back). Only /accounts/… and /clock/advance.',
  })
  async forward(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const path = request.url.replace(/^\/panel\/api\//, '');
    if (!FORWARDED.test(path)) {
      void reply.status(404).send({ code: 'NOT_FOUND', message: `the panel forwards no ${path}` });
      return;
    }
    try {
      const answer = await fetch(`${this.settings.apiUrl}/${path}`, {
        method: request.method,
        headers: {
          ...originHeaders(request),
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(request.body ?? {}),
      });
      void reply
        .status(answer.status)
        .header('content-type', answer.headers.get('content-type') ?? 'application/json')
        .send(await answer.text());
    } catch {
      void reply.status(502).send({
        code: 'API_UNAVAILABLE',
        message: `The api at ${this.settings.apiUrl} is not answering: is the stack running (npm start)?`,
      });
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
