import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { DEFAULT_API_PORT, DEFAULT_PROJECTOR_PORT } from '#stack';

/**
 * `npm start`: the embedded event store, then the api and the projector, as separate processes with
 * prefixed logs. Ctrl-C stops the apps first and the store last, so nothing is cut mid-append.
 */
// This file runs from dist/tools/start.js: the repository root is two levels up.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const program = new Command('start')
  .description('Start Switchboard on the embedded EventStoreDB-compatible server')
  .option('--data <dir>', 'data directory of the embedded store', resolve(root, 'data/eventstore'))
  .option('--mem', 'keep the embedded store in memory (nothing survives a restart)', false)
  .option('--store-port <port>', 'port of the embedded store (0: any free port)', '2113')
  .option('--api-port <port>', 'port of the api', process.env.API_PORT ?? String(DEFAULT_API_PORT))
  .option(
    '--projector-port <port>',
    'port of the projector',
    process.env.PROJECTOR_PORT ?? String(DEFAULT_PROJECTOR_PORT),
  )
  .option(
    '--projector-data <dir>',
    'where the projector keeps its snapshot',
    process.env.PROJECTOR_DATA_DIR ?? resolve(root, 'data/projector'),
  )
  .parse();
const options = program.opts<{
  data: string;
  mem: boolean;
  storePort: string;
  apiPort: string;
  projectorPort: string;
  projectorData: string;
}>();

const colours = { eventstore: 35, api: 36, projector: 33 } as const;
type Name = keyof typeof colours;
const children = new Map<Name, ChildProcess>();
let stopping = false;

const prefix = (name: Name): string =>
  process.stdout.isTTY ? `\x1b[${colours[name]}m[${name}]\x1b[0m ` : `[${name}] `;

function run(name: Name, script: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, [resolve(root, 'dist', script), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) =>
      process.stdout.write(`${prefix(name)}${line}\n`),
    );
  }
  child.once('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      process.stdout.write(`${prefix(name)}exited unexpectedly (${signal ?? code}); stopping the others\n`);
      void stop(1);
    }
  });
  children.set(name, child);
  return child;
}

/** The first line of `child`'s output that holds `text`. */
const waitForLine = (child: ChildProcess, text: string): Promise<string> =>
  new Promise((ready, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.includes(text)) {
        lines.close();
        ready(line);
      }
    });
    child.once('exit', () => fail(new Error(`process exited before printing "${text}"`)));
  });

const stopChild = (name: Name): Promise<void> =>
  new Promise((done) => {
    const child = children.get(name);
    if (!child) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });

async function stop(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all([stopChild('api'), stopChild('projector')]);
  await stopChild('eventstore');
  process.exit(exitCode);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

const store = run('eventstore', 'apps/eventstore/src/main.js', [
  '--port',
  options.storePort,
  ...(options.mem ? ['--mem'] : ['--data', options.data]),
]);
// The apps connect where the store says it listens: with --store-port 0 only its ready line knows the port.
const storeReady = await waitForLine(store, 'listening on');
const storeAddress = /listening on (esdb:\/\/\S+)/.exec(storeReady)![1]!;
// Both apps get both ports: each allows pages from the other's origin (SWITCHBOARD_ALLOWED_ORIGINS).
const env = {
  EVENTSTORE_CONNECTION_STRING: storeAddress,
  API_PORT: options.apiPort,
  PROJECTOR_PORT: options.projectorPort,
  // The apps write JSON logs to a pipe; a person at this terminal reads their text lines instead.
  LOG_FORMAT: process.env.LOG_FORMAT ?? (process.stdout.isTTY ? 'text' : 'json'),
};
run('api', 'apps/api/src/main.js', [], env);
run('projector', 'apps/projector/src/main.js', [], { ...env, PROJECTOR_DATA_DIR: options.projectorData });
