import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import serverFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import { credentials } from '@grpc/grpc-js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { storeAddress } from '../support/embedded-eventstore.js';

/**
 * The embedded server as a local emulator for another project: that project installs Switchboard
 * (here from this folder, as `npm install -D /path/to/switchboard` does), runs the
 * `switchboard-eventstore` bin with `npx`, and talks to it with the official client.
 */
const repo = resolve(process.cwd());

const exec = (command: string, args: readonly string[], cwd: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(command, args, { cwd, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

/**
 * Starts the installed bin (the link `npx switchboard-eventstore` runs; started directly so that its
 * stop signal reaches the server itself, not npm) and waits for its ready line.
 */
const start = (cwd: string, args: readonly string[]): Promise<{ child: ChildProcess; url: string }> => {
  const child = spawn(join(cwd, 'node_modules/.bin/switchboard-eventstore'), args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((ready, fail) => {
    let output = '';
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const address = /listening on (esdb:\/\/\S+)/.exec(output);
      if (address) ready({ child, url: address[1]! });
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => fail(new Error(`switchboard-eventstore exited (${code}): ${output}`)));
  });
};

const stop = (child: ChildProcess): Promise<number | null> =>
  new Promise((stopped) => {
    child.removeAllListeners('exit');
    if (child.exitCode !== null) return stopped(child.exitCode);
    child.once('exit', (code) => stopped(code));
    child.kill('SIGTERM');
  });

describe('switchboard-eventstore, the embedded server on its own', () => {
  let project: string;
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'switchboard-emulator-user-'));
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'emulator-user', private: true }));
    // A folder installs as a link with its bins: no registry is asked.
    const installed = await exec(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '-D', repo],
      project,
    );
    expect(installed.stderr).not.toMatch(/ERR/);
    expect(installed.code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    for (const child of running) await stop(child);
    await rm(project, { recursive: true, force: true });
  }, 60_000);

  it('says its version and the EventStoreDB version it answers as', async () => {
    const { version } = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { version: string };
    const result = await exec('npx', ['--offline', 'switchboard-eventstore', '--version'], project);
    expect(result.stdout).toBe(
      `switchboard-eventstore ${version}\n` +
        'EventStoreDB-compatible gRPC server (insecure single node); ServerFeatures answers version 23.10.0, ' +
        'Streams methods: append, batchappend, read, delete, tombstone\n',
    );
    expect(result.code).toBe(0);
  }, 60_000);

  it('serves the official client in memory on a port it picks, and answers ServerFeatures', async () => {
    const server = await start(project, ['--node-port', '0', '--mem-db', '--insecure']);
    running.push(server.child);
    expect(server.url).toMatch(/^esdb:\/\/127\.0\.0\.1:\d+\?tls=false$/);
    // The version/feature answer, through the client's own generated ServerFeatures stub
    const address = storeAddress(server.url).host;
    const features = new serverFeaturesGrpc.ServerFeaturesClient(address, credentials.createInsecure());
    const supported = await new Promise<{ version: string; methods: string[] }>((answered, fail) =>
      features.getSupportedMethods(new sharedPb.Empty(), (error, reply) =>
        error
          ? fail(error)
          : answered({
              version: reply.getEventStoreServerVersion(),
              methods: reply.getMethodsList().map((m) => `${m.getServiceName()}.${m.getMethodName()}`),
            }),
      ),
    );
    features.close();
    expect(supported.version).toBe('23.10.0');
    expect(supported.methods).toEqual(
      expect.arrayContaining([
        'event_store.client.streams.streams.batchappend',
        'event_store.client.streams.streams.read',
      ]),
    );

    const client = EventStoreDBClient.connectionString(server.url);
    try {
      const appended = await client.appendToStream('emulator-1', [
        jsonEvent({ type: 'Tried', data: { by: 'another project' } }),
        jsonEvent({ type: 'Tried', data: { by: 'another project', again: true } }),
      ]);
      expect(appended.nextExpectedRevision).toBe(1n);
      const read = [];
      for await (const resolved of client.readStream('emulator-1')) read.push(resolved.event?.data);
      expect(read).toEqual([{ by: 'another project' }, { by: 'another project', again: true }]);
    } finally {
      await client.dispose();
    }
    expect(await stop(server.child)).toBe(0);
  }, 60_000);

  it('keeps what it was sent in its data directory across a restart (--db), and nothing with --mem', async () => {
    const data = join(project, 'data');
    await mkdir(data);
    const append = async (url: string) => {
      const client = EventStoreDBClient.connectionString(url);
      await client.appendToStream('kept-1', jsonEvent({ type: 'Kept', data: { n: 1 } }));
      await client.dispose();
    };
    const readBack = async (url: string) => {
      const client = EventStoreDBClient.connectionString(url);
      try {
        const events = [];
        for await (const resolved of client.readStream('kept-1')) events.push(resolved.event?.type);
        return events;
      } finally {
        await client.dispose();
      }
    };
    /** A new run on the directory finds the one event the first run kept, and stops cleanly. */
    const expectKeptOnRestart = async () => {
      const next = await start(project, ['--port', '0', '--data', data]);
      running.push(next.child);
      expect(await readBack(next.url)).toEqual(['Kept']);
      expect(await stop(next.child)).toBe(0);
    };
    const first = await start(project, ['--port', '0', '--db', data]);
    running.push(first.child);
    expect(first.url).toMatch(/^esdb:\/\/127\.0\.0\.1:\d+\?tls=false$/);
    await append(first.url);
    expect(await stop(first.child)).toBe(0);
    await expectKeptOnRestart();

    const memory = await start(project, ['--port', '0', '--mem', '--data', data]);
    running.push(memory.child);
    await append(memory.url);
    expect(await stop(memory.child)).toBe(0);
    // The directory still holds the one event of the first run: --mem wrote nothing to it
    await expectKeptOnRestart();
  }, 90_000);
});
