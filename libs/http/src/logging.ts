import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import type { Env } from './configuration.js';

/** `json`: one JSON object a line, for collectors; `text`: one readable line, never coloured. */
export type LogFormat = 'json' | 'text';

export interface LogSettings {
  readonly level: Level;
  readonly format: LogFormat;
}

const LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/**
 * `LOG_LEVEL` (default `info`, `warn` under jest's NODE_ENV=test) and `LOG_FORMAT` (default `json`
 * when stdout is not a terminal, else `text`).
 */
export const logSettingsFrom = (env: Env, stdoutIsTerminal: boolean): LogSettings => {
  const level =
    (Object.hasOwn(env, 'LOG_LEVEL') && env.LOG_LEVEL?.trim()) || (env.NODE_ENV === 'test' ? 'warn' : 'info');
  const format =
    (Object.hasOwn(env, 'LOG_FORMAT') && env.LOG_FORMAT?.trim()) || (stdoutIsTerminal ? 'text' : 'json');
  const problems: string[] = [];
  if (!LEVELS.includes(level as Level))
    problems.push(`LOG_LEVEL must be one of ${LEVELS.join(', ')}, not "${level}"`);
  if (format !== 'json' && format !== 'text')
    problems.push(`LOG_FORMAT must be "json" or "text", not "${format}"`);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return { level: level as Level, format: format as LogFormat };
};

const LEVEL_NAMES: ReadonlyMap<number, string> = new Map([
  [10, 'TRACE'],
  [20, 'DEBUG'],
  [30, 'INFO'],
  [40, 'WARN'],
  [50, 'ERROR'],
  [60, 'FATAL'],
]);

/** A pino record as one line for people: time, level, app, context, message, then key=value pairs. */
export const textLine = (json: string): string => {
  const {
    time,
    level,
    app,
    context,
    msg,
    pid: _pid,
    hostname: _hostname,
    ...rest
  } = JSON.parse(json) as Record<string, unknown>;
  const fields = Object.entries(rest).map(
    ([key, value]) =>
      `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`,
  );
  return (
    [
      String(time),
      (LEVEL_NAMES.get(level as number) ?? String(level)).padEnd(5),
      String(app),
      ...(context === undefined ? [] : [`[${String(context)}]`]),
      String(msg ?? ''),
      ...fields,
    ].join(' ') + '\n'
  );
};

/** The app's logger: pino records to `destination` (stdout by default), as JSON or as readable text. */
export const createLogger = (
  app: string,
  settings: LogSettings,
  destination: DestinationStream = process.stdout,
): Logger =>
  pino(
    { level: settings.level, base: { app }, timestamp: pino.stdTimeFunctions.isoTime },
    settings.format === 'json' ? destination : { write: (json: string) => destination.write(textLine(json)) },
  );

/** Nest's start-up chatter (one line per module and route): worth reading only when debugging. */
const CHATTY_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Nest's own messages (start, errors) through the app's pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = this.contextOf(rest);
    this.write(context !== undefined && CHATTY_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }

  error(message: unknown, ...rest: unknown[]): void {
    const context = this.contextOf(rest);
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    this.write('error', message, context, stack);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, this.contextOf(rest));
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, this.contextOf(rest));
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, this.contextOf(rest));
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, this.contextOf(rest));
  }

  /** Nest passes the context last: `log(message, context)`, `error(message, stack, context)`. */
  private contextOf(rest: unknown[]): string | undefined {
    const last = rest.at(-1);
    if (typeof last !== 'string') return undefined;
    rest.pop();
    return last;
  }

  private write(level: Level, message: unknown, context?: string, stack?: string): void {
    const fields = {
      ...(context === undefined ? {} : { context }),
      ...(stack === undefined ? {} : { stack }),
    };
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else this.logger[level](fields, typeof message === 'string' ? message : JSON.stringify(message));
  }
}

const correlationIds = new WeakMap<FastifyRequest, string>();

/** The correlation id a command took (given or defaulted), for the request's log line. */
export const noteCorrelationId = (request: FastifyRequest, correlationId: string): void => {
  correlationIds.set(request, correlationId);
};

/** Polled by monitors every few seconds: a line each would bury everything else. */
const POLLED = /^\/(health|metrics)(?:[/?]|$)/;

/**
 * One info line per request when its answer is sent (errors from 500 up at error level), carrying
 * the correlation id of the command it ran, or the `X-Correlation-Id` it came with; none for health
 * and metrics polling.
 */
export const logRequests = (app: NestFastifyApplication, logger: Logger): void => {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', async (request, reply) => {
      if (POLLED.test(request.url)) return;
      const header = request.headers['x-correlation-id'];
      const correlationId = correlationIds.get(request) ?? (typeof header === 'string' ? header : undefined);
      logger[reply.statusCode >= 500 ? 'error' : 'info'](
        {
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
          ...(correlationId === undefined ? {} : { correlationId }),
        },
        'request',
      );
    });
};
