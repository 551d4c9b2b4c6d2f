import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { DestinationStream } from 'pino';
import type { Configuration } from './configuration.js';
import { answerClientError, answerFrameworkError } from './framework-errors.js';
import { guardRequests } from './guard-requests.js';
import { answerWrongMethods } from './wrong-methods.js';
import { PinoNestLogger, createLogger, logRequests, type LogSettings } from './logging.js';
import { documentRequestPolicy } from './openapi.js';
import type { RequestPolicy } from './request-policy.js';

/** The settings every Switchboard HTTP app has: how it logs and which requests it takes. */
export interface HttpSettings {
  readonly log: LogSettings;
  readonly requestPolicy: RequestPolicy;
}

/** What a test (or main) may give an app's bootstrap instead of reading the environment. */
export interface HttpAppOptions<S extends HttpSettings> {
  readonly configuration?: Configuration<S>;
  readonly requestPolicy?: RequestPolicy;
  /** Where the logs go: stdout unless given. */
  readonly logDestination?: DestinationStream;
}

/** What tells one app from the other: its name in the logs, its module, its parser and its docs. */
export interface HttpAppShape {
  readonly name: string;
  /** The app's root module, importing the configuration's module. */
  readonly module: (configModule: DynamicModule) => DynamicModule;
  /** Fastify's options for this app (body limit, connection handling). */
  readonly server?: FastifyServerOptions;
  /** Keep each body as it was sent (`request.rawBody`), for an app that passes bodies on. */
  readonly rawBody?: boolean;
  /** What only this app adds (pipes, filters) before its OpenAPI document is built. */
  readonly configure?: (app: NestFastifyApplication) => void;
  readonly title: string;
  readonly description: string;
}

/**
 * A Switchboard HTTP app built as its `main` runs it, so tests exercise the real pipeline: pino logs
 * with each request's correlation id, the request policy (allowed Host names and page origins, JSON
 * commands) in front of every route, and OpenAPI at /docs with the policy's refusals
 * documented. The configuration is `load`ed from the environment unless given; the request policy is
 * the configuration's unless given.
 */
export async function createHttpApp<S extends HttpSettings>(
  shape: HttpAppShape,
  load: () => Promise<Configuration<S>>,
  options: HttpAppOptions<S>,
): Promise<NestFastifyApplication> {
  const { settings, module: configModule } = options.configuration ?? (await load());
  const logger = createLogger(shape.name, settings.log, options.logDestination);
  const app = await NestFactory.create<NestFastifyApplication>(
    shape.module(configModule),
    new FastifyAdapter({
      ...shape.server,
      frameworkErrors: answerFrameworkError,
      clientErrorHandler: answerClientError,
      // Node answers an HTTP/1.1 request without Host itself, with an empty 400 and no code; left to
      // the request policy, it is refused as any name this server does not answer to (421).
      http: { requireHostHeader: false },
    }),
    { logger: new PinoNestLogger(logger), rawBody: shape.rawBody ?? false },
  );
  logRequests(app, logger);
  guardRequests(app, options.requestPolicy ?? settings.requestPolicy);
  answerWrongMethods(app);
  shape.configure?.(app);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(shape.title).setDescription(shape.description).setVersion('0.1.0').build(),
  );
  SwaggerModule.setup('docs', app, documentRequestPolicy(document));
  return app;
}
