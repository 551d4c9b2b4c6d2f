import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { EventStore } from '#eventstore';
import type { DestinationStream } from 'pino';
import {
  PinoNestLogger,
  createLogger,
  documentRequestPolicy,
  guardRequests,
  logRequests,
  type Configuration,
  type RequestPolicy,
} from '#http';
import { ProjectorModule } from './app.module.js';
import type { Projector } from '#read-models';
import { projectorConfiguration, type ProjectorSettings } from './projector-config.js';

/**
 * Builds the projector's HTTP app exactly as `main` runs it, so tests exercise the real pipeline. Its
 * configuration is read from the environment unless given (main reads it first: the engine needs it);
 * the request policy (allowed Host names and page origins, JSON commands) is the configuration's
 * unless given.
 */
export async function createProjectorApp(
  projector: Projector,
  store: EventStore,
  options: {
    readonly configuration?: Configuration<ProjectorSettings>;
    readonly requestPolicy?: RequestPolicy;
    /** Where the logs go: stdout unless given. */
    readonly logDestination?: DestinationStream;
  } = {},
): Promise<NestFastifyApplication> {
  const { settings, module: configModule } = options.configuration ?? (await projectorConfiguration());
  const logger = createLogger('projector', settings.log, options.logDestination);
  const app = await NestFactory.create<NestFastifyApplication>(
    ProjectorModule.forProjector(projector, store, configModule),
    new FastifyAdapter(),
    { logger: new PinoNestLogger(logger) },
  );
  logRequests(app, logger);
  guardRequests(app, options.requestPolicy ?? settings.requestPolicy);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Switchboard projector')
      .setDescription(
        'Read models of shared lines: busy lamps per viewer, shared voicemail, labelled history, audit trails, ' +
          'delegation roster, recordings and R20 diagnostics. Every query takes `asOf` (a $all position) or ' +
          '`asOfTime` (a simulated time) to answer from the past.',
      )
      .setVersion('0.1.0')
      .build(),
  );
  SwaggerModule.setup('docs', app, documentRequestPolicy(document));
  return app;
}
