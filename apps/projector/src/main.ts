import 'reflect-metadata';
import { resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Command } from 'commander';
import { EventStore, createEventStoreClient } from '#eventstore';
import { eventSchemas } from '#events';
import { stopOnAddressInUse, stopOnConfigurationError } from '#http';
import { createProjectorApp } from './bootstrap.js';
import { PROJECTED_STREAM_PREFIXES, PROJECTIONS, Projector } from '#read-models';
import { projectorConfiguration } from './projector-config.js';

const configuration = await projectorConfiguration().catch(stopOnConfigurationError);
const { settings } = configuration;

const options = new Command('projector')
  .description('Switchboard projector: read models from $all, served over HTTP')
  .option('--data <dir>', 'where the read-model snapshot lives (PROJECTOR_DATA_DIR)', settings.dataDir)
  .option(
    '--rebuild',
    'ignore the snapshot and rebuild every read model from the first event; also PROJECTOR_REBUILD=1',
    false,
  )
  .option(
    '--park-failed-events',
    'park an event a projection cannot apply (listed on /parked, /health, /metrics) and go on, instead of ' +
      'stopping; also PROJECTOR_PARK_FAILED_EVENTS=1',
    false,
  )
  .parse()
  .opts<{ data: string; rebuild: boolean; parkFailedEvents: boolean }>();

const client = createEventStoreClient(settings.eventStoreConnectionString);
const store = new EventStore(client, eventSchemas);
const dataDir = resolve(options.data);
const projector = new Projector(store, PROJECTIONS, {
  streamPrefixes: PROJECTED_STREAM_PREFIXES,
  dataDir,
  rebuild: options.rebuild || settings.rebuild,
  parkFailedEvents: options.parkFailedEvents || settings.parkFailedEvents,
});
// A stop asked for while the projector starts (reading a snapshot or rebuilding, building the app:
// seconds on a large snapshot) waits for the start and then stops as any stop does, exiting 0. Before
// the handlers were set this early, such a signal killed the process (exit 143 or 130, which a process
// manager counts as a failed stop).
let stopping = false;
const started = start();
// The final snapshot is written after the HTTP server closes and before the client goes away, so a
// restart resumes from exactly where this process stopped.
const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
  if (stopping) return;
  stopping = true;
  // Said at once, as the store says it: a stop asked for during a long start is seen to be taken.
  console.log(`projector received ${signal}, shutting down`);
  const app = await started;
  await app.close();
  await projector.stop();
  await client.dispose();
  process.exit(projector.status === 'failed' ? 1 : 0);
};
process.on('SIGINT', (signal) => void shutdown(signal));
process.on('SIGTERM', (signal) => void shutdown(signal));
await started;

async function start(): Promise<NestFastifyApplication> {
  // Starting reads the snapshot and opens the checkpoint directories (the store is read later, in the
  // background): a file system error here is the data directory's, said in one sentence, not a stack.
  await projector.start().catch(async (error: unknown) => {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (!(error instanceof Error) || typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw error;
    process.stderr.write(
      `projector: cannot use its data directory ${dataDir} (PROJECTOR_DATA_DIR or --data): ${error.message}\n`,
    );
    await client.dispose();
    process.exit(1);
  });
  const app = await createProjectorApp(projector, store, { configuration });
  // Stopped while starting: it closes without ever listening, so nothing takes it for ready.
  if (stopping) return app;
  await app
    .listen(settings.port, settings.host)
    .catch(
      stopOnAddressInUse(
        'projector',
        `${settings.host}:${settings.port}`,
        'PROJECTOR_PORT, or npm start -- --projector-port',
      ),
    );
  console.log(`projector listening on ${await app.getUrl()}`);
  return app;
}
