import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Integration tests talk to an event store through the official client. Unless
 * EVENTSTORE_CONNECTION_STRING points at one (a real EventStoreDB, say), start the embedded
 * server from the build, in memory, on a port it picks, for the whole run.
 *
 * Jest loads this file with Node's own ESM loader, without moduleNameMapper, so it cannot import
 * other TypeScript files (`./embedded-eventstore.js` does not exist on disk): it spawns the server
 * itself and reads the bound address from the server's ready line.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.EVENTSTORE_CONNECTION_STRING) return;
  const entry = resolve(process.cwd(), 'dist/apps/eventstore/src/main.js');
  const child = spawn(process.execPath, [entry, '--port', '0', '--mem'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const connectionString = await new Promise<string>((ready, fail) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const address = /listening on (esdb:\/\/\S+)/.exec(output);
      if (address) ready(address[1]!);
    });
    child.once('exit', (code) => fail(new Error(`embedded event store exited (${code}): ${output}`)));
  });
  child.removeAllListeners('exit');
  process.env.EVENTSTORE_CONNECTION_STRING = connectionString;
  (globalThis as { __EMBEDDED_STORE__?: { stop(): Promise<void> } }).__EMBEDDED_STORE__ = {
    stop: () =>
      new Promise<void>((stopped) => {
        if (child.exitCode !== null) return stopped();
        child.once('exit', () => stopped());
        child.kill('SIGTERM');
      }),
  };
}
