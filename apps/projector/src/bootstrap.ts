import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { EventStore } from '#eventstore';
import { RequestPolicy, guardRequests } from '#http';
import { ProjectorModule } from './app.module.js';
import type { Projector } from '#read-models';

/**
 * Builds the projector's HTTP app exactly as `main` runs it, so tests exercise the real pipeline. The
 * request policy (allowed Host names and page origins, JSON commands) comes from the environment
 * unless given.
 */
export async function createProjectorApp(
  projector: Projector,
  store: EventStore,
  requestPolicy: RequestPolicy = RequestPolicy.fromEnv(),
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ProjectorModule.forProjector(projector, store),
    new FastifyAdapter(),
    { logger: ['error', 'warn', 'log'] },
  );
  guardRequests(app, requestPolicy);
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
  SwaggerModule.setup('docs', app, document);
  return app;
}
