import 'reflect-metadata';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { EventStore, createEventStoreClient } from '#eventstore';
import { eventSchemas } from '#events';
import { stopOnConfigurationError } from '#http';
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
const projector = new Projector(store, PROJECTIONS, {
  streamPrefixes: PROJECTED_STREAM_PREFIXES,
  dataDir: resolve(options.data),
  rebuild: options.rebuild || settings.rebuild,
  parkFailedEvents: options.parkFailedEvents || settings.parkFailedEvents,
});
await projector.start();
const app = await createProjectorApp(projector, store, { configuration });

// The final snapshot is written after the HTTP server closes and before the client goes away, so a
// restart resumes from exactly where this process stopped.
let stopping = false;
const shutdown = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await app.close();
  await projector.stop();
  await client.dispose();
  process.exit(projector.status === 'failed' ? 1 : 0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

await app.listen(settings.port, settings.host);
console.log(`projector listening on ${await app.getUrl()}`);
