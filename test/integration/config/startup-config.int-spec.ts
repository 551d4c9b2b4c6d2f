import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs an app's built main with `env` added, until it exits (a bad configuration must stop it). */
const start = (app: 'api' | 'projector' | 'eventstore', env: Record<string, string>, args: string[] = []) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [`dist/apps/${app}/src/main.js`, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });

describe('an app started with an invalid environment', () => {
  it('the api stops before listening, naming each variable to fix', async () => {
    const result = await start('api', {
      API_PORT: 'abc',
      CLOCK_MODE: 'sometimes',
      IDEMPOTENCY_WINDOW_SECONDS: '-1',
      SWITCHBOARD_ALLOWED_HOSTS: 'localhost,http://x',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('listening');
    expect(result.stderr).toBe(
      [
        'api: invalid configuration:',
        '  - API_PORT must be a port number from 0 to 65535, not "abc"',
        '  - CLOCK_MODE must be "realtime" or "virtual", not "sometimes"',
        '  - IDEMPOTENCY_WINDOW_SECONDS must be a whole number of seconds (at least 1), not "-1"',
        '  - SWITCHBOARD_ALLOWED_HOSTS: "http://x" is not a host name with an optional port (name or name:port, comma-separated)',
        '',
      ].join('\n'),
    );
  });

  it('the projector stops before reading the store, naming each variable to fix', async () => {
    const result = await start('projector', {
      PROJECTOR_REBUILD: 'yes',
      SWITCHBOARD_ALLOWED_ORIGINS: 'ops.example',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('listening');
    expect(result.stderr).toContain('projector: invalid configuration:');
    expect(result.stderr).toContain('PROJECTOR_REBUILD must be 1 (on) or 0 (off), not "yes"');
    expect(result.stderr).toContain('SWITCHBOARD_ALLOWED_ORIGINS: "ops.example" is not an origin');
  });

  it('the projector whose data directory cannot be used stops with one sentence naming it, not a stack trace', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'projector-data-'));
    try {
      // A file where a directory should be: the snapshot can be neither read nor written.
      await writeFile(join(scratch, 'not-a-directory'), '');
      const dataDir = join(scratch, 'not-a-directory', 'projector');
      const result = await start('projector', {
        PROJECTOR_DATA_DIR: dataDir,
        PROJECTOR_PORT: '0',
        EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:1?tls=false',
      });
      expect(result.code).toBe(1);
      expect(result.stdout).not.toContain('listening');
      expect(result.stderr).toMatch(
        new RegExp(
          `^projector: cannot use its data directory ${dataDir.replaceAll('/', '\\/')} \\(PROJECTOR_DATA_DIR or --data\\): ENOTDIR`,
        ),
      );
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('an app started on a port another process holds', () => {
  let holder: Server;
  let port: number;
  let projectorData: string;

  beforeAll(async () => {
    projectorData = await mkdtemp(join(tmpdir(), 'projector-data-'));
    // Stands for a stack already running: the port is taken before the app starts.
    holder = createServer();
    await new Promise<void>((listening) => holder.listen(0, '127.0.0.1', listening));
    port = (holder.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((closed) => holder.close(() => closed()));
    await rm(projectorData, { recursive: true, force: true });
  });

  const stack = /^\s+at /m;
  const startOnTakenPort = {
    api: () => start('api', { API_PORT: String(port) }),
    projector: () => start('projector', { PROJECTOR_PORT: String(port), PROJECTOR_DATA_DIR: projectorData }),
    eventstore: () => start('eventstore', {}, ['--mem', '--port', String(port)]),
  };

  it.each([
    ['api', 'API_PORT, or npm start -- --api-port'],
    ['projector', 'PROJECTOR_PORT, or npm start -- --projector-port'],
    ['eventstore', '--port, or npm start -- --store-port'],
  ] as const)(
    'the %s stops with one sentence naming the address and the setting that moves it',
    async (app, setting) => {
      const result = await startOnTakenPort[app]();
      expect(result.code).toBe(1);
      expect(result.stdout).not.toContain('listening on');
      expect(result.stderr).toBe(
        `${app}: cannot listen on 127.0.0.1:${port}: another process is using it; stop that process, or ` +
          `choose another port (${setting})\n`,
      );
      expect(result.stderr).not.toMatch(stack);
    },
  );
});
