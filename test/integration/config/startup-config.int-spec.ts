import { spawn } from 'node:child_process';

/** Runs an app's built main with `env` added, until it exits (a bad configuration must stop it). */
const start = (app: 'api' | 'projector', env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [`dist/apps/${app}/src/main.js`], {
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
});
