import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createGrpcServer } from '../../../apps/eventstore/src/grpc/server.js';
import { FailingDisk } from '../../../apps/eventstore/src/storage/failing-disk.fixture.js';
import { FileLog, LogStore } from '../../../apps/eventstore/src/storage/index.js';
import { startedForSuite } from '../../support/for-suite.js';

/** The embedded server in this process, on a data directory whose disk a test makes fail. */
export interface StoreOnFailingDisk {
  readonly connectionString: string;
  /** Fails every write of the log on demand (`fail`), until `heal`: see FailingDisk. */
  readonly disk: FailingDisk;
  /** What the server printed about failed and resumed writes, as `eventstore` prints it. */
  readonly log: string[];
  /** TCP connections clients opened to the store so far: one more each time a client reconnects. */
  connectionsOpened(): number;
  /** Stops serving and closes the log, as a SIGTERM does. */
  stop(): Promise<void>;
}

/**
 * The server `eventstore` runs (its gRPC service and log store, the real files in `dataDir`), started in
 * the test's process so that the test holds the disk: a child process could not be made to meet a
 * full disk where CI cannot mount one.
 */
export async function startStoreOnFailingDisk(dataDir: string): Promise<StoreOnFailingDisk> {
  const disk = new FailingDisk();
  const log: string[] = [];
  const { store } = await LogStore.open(new FileLog(dataDir, { write: disk.write }), {
    onWriteFailed: ({ code, refusedAppends, resumes }) =>
      log.push(`write failed: ${code}, ${refusedAppends} refused, ${resumes ? 'resumes' : 'until restart'}`),
    onWritesResumed: ({ failedWrites }) => log.push(`writes resumed after ${failedWrites} failed`),
  });
  const server = createGrpcServer(store);
  const relay = await countingRelay(await server.listen('127.0.0.1', 0));
  return {
    connectionString: `esdb://127.0.0.1:${relay.port}?tls=false`,
    disk,
    log,
    connectionsOpened: () => relay.opened,
    stop: async () => {
      disk.heal();
      await server.stop();
      relay.close();
      await store.close();
    },
  };
}

/**
 * The suite's store on a failing disk, in a data directory of its own: started before its first test,
 * stopped and its files removed after its last. Called inside a `describe`.
 */
export function storeOnFailingDiskForSuite(name: string): StoreOnFailingDisk {
  const running = startedForSuite(
    'store on a failing disk',
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), `eventstore-${name}-`));
      return { dataDir, store: await startStoreOnFailingDisk(dataDir) };
    },
    async ({ dataDir, store }) => {
      await store.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  );
  return {
    get connectionString() {
      return running().store.connectionString;
    },
    get disk() {
      return running().store.disk;
    },
    get log() {
      return running().store.log;
    },
    connectionsOpened: () => running().store.connectionsOpened(),
    stop: () => running().store.stop(),
  };
}

/** A TCP relay to the server that counts the connections clients open through it. */
async function countingRelay(serverPort: number): Promise<{ port: number; opened: number; close(): void }> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const relay = { port: 0, opened: 0, close: () => {} };
  const listener = createServer((client) => {
    relay.opened += 1;
    const upstream = connect(serverPort, '127.0.0.1');
    track(client);
    track(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((listening) => listener.listen(0, '127.0.0.1', listening));
  relay.port = (listener.address() as { port: number }).port;
  relay.close = () => {
    listener.close();
    for (const socket of sockets) socket.destroy();
  };
  return relay;
}
