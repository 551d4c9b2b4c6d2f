import 'reflect-metadata';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { EventStore, createEventStoreClient } from '#eventstore';
import { eventSchemas } from '#events';
import { createProjectorApp } from './bootstrap.js';
import { PROJECTED_STREAM_PREFIXES, PROJECTIONS, Projector } from '#read-models';

const options = new Command('projector')
  .description('Switchboard projector: read models from $all, served over HTTP')
  .option(
    '--data <dir>',
    'where the read-model snapshot lives',
    process.env.PROJECTOR_DATA_DIR ?? 'data/projector',
  )
  .option('--rebuild', 'ignore the snapshot and rebuild every read model from the first event', false)
  .option(
    '--park-failed-events',
    'park an event a projection cannot apply (listed on /parked, /health, /metrics) and go on, instead of ' +
      'stopping; also PROJECTOR_PARK_FAILED_EVENTS=1',
    false,
  )
  .parse()
  .opts<{ data: string; rebuild: boolean; parkFailedEvents: boolean }>();

const client = createEventStoreClient();
const store = new EventStore(client, eventSchemas);
const projector = new Projector(store, PROJECTIONS, {
  streamPrefixes: PROJECTED_STREAM_PREFIXES,
  dataDir: resolve(options.data),
  rebuild: options.rebuild || process.env.PROJECTOR_REBUILD === '1',
  parkFailedEvents: options.parkFailedEvents || process.env.PROJECTOR_PARK_FAILED_EVENTS === '1',
});
await projector.start();
const app = await createProjectorApp(projector, store);

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

await app.listen(Number(process.env.PROJECTOR_PORT ?? 3001), process.env.PROJECTOR_HOST ?? '127.0.0.1');
console.log(`projector listening on ${await app.getUrl()}`);
