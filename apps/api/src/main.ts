import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { stopOnAddressInUse, stopOnConfigurationError } from '#http';
import { apiConfiguration } from './api-config.js';
import { createApiApp } from './bootstrap.js';

const configuration = await apiConfiguration().catch(stopOnConfigurationError);

// A stop (SIGTERM from a process manager, Ctrl-C) closes the server, so that requests in flight are
// answered and the timers and subscriptions end, then exits 0, as the store and the projector do.
// Nest's own shutdown hooks re-raise the signal once closed (exit 143 or 130, which a process manager
// counts as a failed stop). Set before the start: a stop while the api waits for the store (the
// virtual clock reads its time from it) exits at once, as nothing can have been acknowledged yet.
let listening: NestFastifyApplication | undefined = undefined;
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await listening?.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const app = await createApiApp({ configuration });
const { port, host } = configuration.settings;
await app
  .listen(port, host)
  .catch(stopOnAddressInUse('api', `${host}:${port}`, 'API_PORT, or npm start -- --api-port'));
listening = app;
console.log(`api listening on ${await app.getUrl()}`);
