import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * `npm start` as the README tells a newcomer to run it away from the default ports: the store's
 * port by flag, the api's and projector's ports and the projector's snapshot directory by the
 * variables of the README's table.
 */
/**
 * `count` distinct ports nothing listens on, each held until all are found: a port released before
 * the next is picked may be picked again, and the api and the projector given the same one.
 */
const freePorts = async (count: number): Promise<number[]> => {
  const held = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((listening, fail) => {
          const server = createServer();
          server.once('error', fail);
          server.listen(0, '127.0.0.1', () => listening(server));
        }),
    ),
  );
  const ports = held.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(held.map((server) => new Promise((closed) => server.close(closed))));
  return ports;
};

/** Waits until every one of `texts` has appeared in the output, which it gives back. */
const outputUntil = (child: ChildProcess, texts: readonly string[]): Promise<string> =>
  new Promise((ready, fail) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (texts.every((text) => output.includes(text))) ready(output);
    });
    child.once('exit', (code) =>
      fail(new Error(`npm start exited (${code}) before it was ready:\n${output}`)),
    );
  });

describe('npm start (dist/tools/start.js)', () => {
  let dir: string;
  let start: ChildProcess | undefined;
  /** The variables that placed the stack, which `npm run demo` finds it through, as the README says. */
  let stackPlace: { API_PORT: string; PROJECTOR_PORT: string } | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-start-'));
  });

  afterAll(async () => {
    if (start && start.exitCode === null) {
      const stopped = new Promise((done) => start!.once('exit', done));
      start.kill('SIGINT');
      await stopped;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('runs on the ports and snapshot directory it is given, the store on any free port with --store-port 0', async () => {
    // Given ports other than the defaults, and PROJECTOR_DATA_DIR
    const [apiPort, projectorPort] = await freePorts(2);
    const projectorData = join(dir, 'projector');
    stackPlace = { API_PORT: String(apiPort), PROJECTOR_PORT: String(projectorPort) };
    start = spawn(process.execPath, [resolve('dist/tools/start.js'), '--mem', '--store-port', '0'], {
      env: {
        ...process.env,
        ...stackPlace,
        PROJECTOR_DATA_DIR: projectorData,
        LOG_FORMAT: 'text',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // When the stack is up
    const output = await outputUntil(start, [
      `api listening on http://127.0.0.1:${apiPort}`,
      `projector listening on http://127.0.0.1:${projectorPort}`,
    ]);
    expect(output).toMatch(
      /\[eventstore\] eventstore listening on esdb:\/\/127\.0\.0\.1:(?!0\?)\d+\?tls=false/,
    );
    // Then the api reaches the store, and the projector keeps its snapshot where it was told
    const health = (await (await fetch(`http://127.0.0.1:${apiPort}/health`)).json()) as {
      eventStore: { status: string };
    };
    expect(health.eventStore.status).toBe('up');
    expect((await fetch(`http://127.0.0.1:${projectorPort}/health`)).status).toBe(200);
    expect(await readdir(projectorData)).toEqual(expect.arrayContaining(['checkpoints']));
  }, 60_000);

  it('npm run demo prints panel addresses that open, fills the account docs/data-path.md calls on, and prints them again when it is already there', async () => {
    // Given the stack above, found through the variables that placed it
    const demo = async (): Promise<string> =>
      (
        await promisify(execFile)(process.execPath, [resolve('dist/tools/demo.js')], {
          env: { ...process.env, ...stackPlace! },
        })
      ).stdout;
    const addresses = (output: string): string[] => output.match(/http:\/\/\S+/g) ?? [];
    // When the demo fills its account
    const first = await demo();
    // Then it prints a seat, a room and the landing page, each of which the projector serves
    expect(first).toContain('Demo account "demo" is ready.');
    const panel = `http://127.0.0.1:${stackPlace!.PROJECTOR_PORT}/panel`;
    expect(addresses(first)).toEqual([
      `${panel}?account=demo&viewer=assistant1`,
      `${panel}?account=demo&viewer=exec1&viewer=assistant1`,
      panel,
    ]);
    for (const address of addresses(first)) expect((await fetch(address)).status).toBe(200);
    // And docs/data-path.md's example works on it: a call rings exec1's line, assistant1 answers it
    const line = `http://127.0.0.1:${stackPlace!.API_PORT}/accounts/demo/lines/15553700000`;
    const post = (path: string, headers: Record<string, string>, body: object): Promise<Response> =>
      fetch(`${line}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    expect((await post('/incoming-calls', {}, { from: '+15550100', callId: 'c1' })).status).toBe(201);
    const answered = await post(
      '/calls/c1/answer',
      { 'Idempotency-Key': 'answer-c1-assistant1' },
      { actor: 'assistant1' },
    );
    expect(await answered.json()).toMatchObject({
      events: [
        {
          type: 'CallAnswered',
          data: { by: 'assistant1', onBehalfOf: 'exec1', permission: 'answerCalls' },
        },
      ],
    });
    // When it runs again on the same stack (npm start keeps the log across restarts)
    const again = await demo();
    // Then it says the account is there, adds nothing, and prints the same addresses
    expect(again).toContain('Account "demo" is already on this stack');
    expect(addresses(again)).toEqual(addresses(first));
  }, 60_000);
});
