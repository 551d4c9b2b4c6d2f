import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { EventStore } from '#eventstore';
import { createHttpApp, type HttpAppOptions } from '#http';
import { ProjectorModule } from './app.module.js';
import type { Projector } from '#read-models';
import { projectorConfiguration, type ProjectorSettings } from './projector-config.js';

/**
 * Builds the projector's HTTP app exactly as `main` runs it, so tests exercise the real pipeline. Its
 * configuration is read from the environment unless given (main reads it first: the engine needs it);
 * the request policy (allowed Host names and page origins, JSON commands) is the configuration's
 * unless given.
 */
export const createProjectorApp = (
  projector: Projector,
  store: EventStore,
  options: HttpAppOptions<ProjectorSettings> = {},
): Promise<NestFastifyApplication> =>
  createHttpApp(
    {
      name: 'projector',
      module: (configModule) => ProjectorModule.forProjector(projector, store, configModule),
      // A panel page holds its live stream (/panel/stream) open for as long as it is open: closing the
      // app ends those connections too, or a stop would wait for every panel tab to close (the page
      // reconnects by itself to the next projector).
      server: { forceCloseConnections: true },
      // The panel's commands reach the api as the page sent them (/panel/api/…), not as parsed here.
      rawBody: true,
      title: 'Switchboard projector',
      description:
        'Read models of shared lines: busy lamps per viewer, shared voicemail, labelled history, audit trails, ' +
        'delegation roster, recordings and R20 diagnostics. Every query takes `asOf` (a $all position) or ' +
        '`asOfTime` (a simulated time) to answer from the past.',
    },
    projectorConfiguration,
    options,
  );
