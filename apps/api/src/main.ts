import 'reflect-metadata';
import { stopOnConfigurationError } from '#http';
import { apiConfiguration } from './api-config.js';
import { createApiApp } from './bootstrap.js';

const configuration = await apiConfiguration().catch(stopOnConfigurationError);
const app = await createApiApp({ configuration });
await app.listen(configuration.settings.port, configuration.settings.host);
console.log(`api listening on ${await app.getUrl()}`);
