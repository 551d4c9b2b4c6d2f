#!/usr/bin/env node
import { resolve } from 'node:path';

import { Command, InvalidArgumentError } from 'commander';

import { createGrpcServer } from './grpc/server.js';
import { EventStore, FileLog, MemoryLog } from './storage/index.js';
import { writeStartupRecords } from './system-records.js';

const program = new Command()
  .name('eventstore')
  .description('Embedded EventStoreDB-compatible server (gRPC, insecure, single node)')
  .option('--port <port>', 'TCP port to listen on', parsePort, 2113)
  .option('--host <host>', 'interface to bind', '127.0.0.1')
  .option('--data <dir>', 'directory holding the log segments', './data/eventstore')
  .option('--mem', 'keep everything in memory; nothing is written to disk', false)
  .parse();

const options = program.opts<{ port: number; host: string; data: string; mem: boolean }>();

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('not a port number');
  return port;
}

async function main(): Promise<void> {
  const dataDir = resolve(options.data);
  const log = options.mem ? new MemoryLog() : new FileLog(dataDir);
  const { store, recovery } = await EventStore.open(log);
  if (recovery.truncatedBytes > 0) {
    console.warn(
      `eventstore recovered ${recovery.records} records; cut a torn tail of ${recovery.truncatedBytes} bytes`,
    );
  }
  // As a real node does on every start: the clients meet these `$`-records in `$all`.
  await writeStartupRecords(store);
  const server = createGrpcServer(store);
  const port = await server.listen(options.host, options.port);
  const where = options.mem ? 'in-memory' : `data: ${dataDir}`;
  console.log(`eventstore listening on esdb://${options.host}:${port}?tls=false (${where})`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`eventstore received ${signal}, shutting down`);
    await server.stop();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('eventstore failed to start:', error);
  process.exit(1);
});
