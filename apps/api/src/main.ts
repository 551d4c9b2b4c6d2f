import 'reflect-metadata';
import { stopOnAddressInUse, stopOnConfigurationError } from '#http';
import { apiConfiguration } from './api-config.js';
import { createApiApp } from './bootstrap.js';

const configuration = await apiConfiguration().catch(stopOnConfigurationError);
const app = await createApiApp({ configuration });
const { port, host } = configuration.settings;
await app
  .listen(port, host)
  .catch(stopOnAddressInUse('api', `${host}:${port}`, 'API_PORT, or npm start -- --api-port'));
console.log(`api listening on ${await app.getUrl()}`);
