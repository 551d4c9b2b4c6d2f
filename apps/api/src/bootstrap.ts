import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, type HttpAppOptions } from '#http';
import { apiConfiguration, type ApiSettings } from './api-config.js';
import { AppModule } from './app.module.js';
import { ApiErrorFilter } from './shared/api-error.filter.js';
import { validationPipe } from './shared/validation.js';

/** Commands are small; anything bigger is a mistake or an attack and gets a 413 before parsing. */
const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Builds the api exactly as `main` runs it, so tests exercise the real pipeline. Its configuration is
 * read from the environment unless given (main reads it first, to stop cleanly on a bad value); the
 * request policy (allowed Host names and page origins, JSON commands) is the configuration's unless given.
 */
export const createApiApp = (options: HttpAppOptions<ApiSettings> = {}): Promise<NestFastifyApplication> =>
  createHttpApp(
    {
      name: 'api',
      module: (configModule) => AppModule.configured(configModule),
      // JSON.parse keeps a `__proto__` or `constructor` key as a plain own property (it never sets a
      // prototype), so the body reaches validation, which refuses such keys with a 400 naming the field
      // like any other unknown key, instead of the parser answering "Body is not valid JSON".
      server: { bodyLimit: BODY_LIMIT_BYTES, onProtoPoisoning: 'ignore', onConstructorPoisoning: 'ignore' },
      configure: (app) => {
        app.useGlobalPipes(validationPipe());
        app.useGlobalFilters(new ApiErrorFilter());
      },
      title: 'Switchboard API',
      description:
        'Commands for call delegation on shared phone lines. Domain rejections answer 409/422 with ' +
        '`{code, message, rule}`; malformed input answers 400 with a message per field.',
    },
    apiConfiguration,
    options,
  );
