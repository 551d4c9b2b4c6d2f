import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * docker-compose.yml, checked two ways. First by Compose itself, when this machine has it: the v2
 * plugin (`docker compose config` needs no engine), else the v1 `docker-compose config` (which also
 * needs none, but ignores profiles when it prints). Then its structure, on what Compose resolved or,
 * with neither installed, on the file parsed here: the test's title says which ran.
 */
const root = resolve(import.meta.dirname, '..');
const file = resolve(root, 'docker-compose.yml');

type Service = {
  image?: string;
  build?: string | { context: string };
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string | number | null>;
  healthcheck?: { test?: string[] | string };
  volumes?: (string | { type: string; source: string; target: string })[];
  ports?: (string | { published: string | number; host_ip?: string })[];
  networks?: Record<string, { ipv4_address?: string } | null> | string[];
  depends_on?: Record<string, { condition: string }>;
};
type ComposeFile = { services: Record<string, Service>; volumes?: Record<string, unknown> };

const text = readFileSync(file, 'utf8');
/** The variables the file reads, left unset: the checks are of its defaults. */
const variables = new Set([...text.matchAll(/\$\{(\w+)/g)].map((match) => match[1]!));
const defaultsEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !variables.has(name)));
/** Compose's interpolation of `${NAME:-default}` and `${NAME}` with every NAME unset. */
const interpolated = text.replace(/\$\{\w+(?::?-([^}]*))?\}/g, (_, fallback?: string) => fallback ?? '');

const works = (command: string, args: string[]): boolean => {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
};

const validator: { name: string; config: (profiles: string[]) => ComposeFile } | undefined = works('docker', [
  'compose',
  'version',
])
  ? {
      name: 'docker compose config (v2)',
      config: (profiles) =>
        parse(
          execFileSync(
            'docker',
            ['compose', '-f', file, ...profiles.flatMap((p) => ['--profile', p]), 'config'],
            {
              encoding: 'utf8',
              timeout: 60_000,
            },
          ),
        ) as ComposeFile,
    }
  : works('docker-compose', ['version'])
    ? {
        name: 'docker-compose config (v1)',
        config: (profiles) =>
          parse(
            execFileSync(
              'docker-compose',
              ['-f', file, ...profiles.flatMap((p) => ['--profile', p]), 'config'],
              { encoding: 'utf8', timeout: 60_000, env: defaultsEnv },
            ),
          ) as ComposeFile,
      }
    : undefined;

const parsedHere = (): ComposeFile => parse(interpolated, { merge: true }) as ComposeFile;
const compose: ComposeFile = validator ? validator.config(['cluster']) : parsedHere();
const services = compose.services;
const service = (name: string): Service => {
  expect(Object.keys(services)).toContain(name);
  return services[name]!;
};
const env = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, String(v)]));
const runsApp = (s: Service): boolean => (s.command ?? []).some((part) => part.startsWith('dist/apps/'));
const inCluster = (s: Service): boolean => (s.profiles ?? []).includes('cluster');
const SINGLE = ['eventstore', 'api', 'projector'];
const CLUSTER = ['esdb-1', 'esdb-2', 'esdb-3', 'api-a', 'api-b', 'projector-c', 'gateway'];

describe(`docker-compose.yml (validated by ${validator?.name ?? 'no Compose on this machine: parsed here only'})`, () => {
  it('is accepted by Compose, single node and cluster profile alike', () => {
    if (validator) {
      // A v2 plugin leaves profiled services out unless asked for: the default is the single node.
      const plain = validator.config([]);
      expect(Object.keys(plain.services)).toEqual(expect.arrayContaining(SINGLE));
      if (validator.name.includes('v2'))
        expect(Object.keys(plain.services).sort()).toEqual([...SINGLE].sort());
    }
    expect(Object.keys(services).sort()).toEqual([...SINGLE, ...CLUSTER].sort());
  });

  it('keeps the single-node stack out of every profile and the cluster in its own', () => {
    for (const name of SINGLE) expect(service(name).profiles ?? []).toEqual([]);
    for (const name of CLUSTER) expect(service(name).profiles).toEqual(['cluster']);
  });

  it('runs the api and the projector from one image, built by one service per stack', () => {
    const apps = Object.entries(services).filter(([, s]) => runsApp(s));
    expect(apps.map(([name]) => name).sort()).toEqual(['api', 'api-a', 'api-b', 'projector', 'projector-c']);
    expect(new Set(apps.map(([, s]) => s.image))).toEqual(new Set(['switchboard:local']));
    const builders = apps.filter(([, s]) => s.build !== undefined).map(([name]) => name);
    expect(builders.sort()).toEqual(['api', 'api-a']);
    for (const name of builders) {
      const build = service(name).build!;
      expect(resolve(root, typeof build === 'string' ? build : build.context)).toBe(root);
    }
    // The others start after the service that builds the image of their stack.
    for (const [name, s] of apps.filter(([, s]) => s.build === undefined)) {
      const builder = inCluster(s) ? 'api-a' : 'api';
      expect([name, Object.keys(s.depends_on ?? {})]).toEqual([name, expect.arrayContaining([builder])]);
    }
  });

  it('probes the health of every service, and starts each after the stores it needs are healthy', () => {
    for (const [name, s] of Object.entries(services))
      expect([name, s.healthcheck?.test]).toEqual([name, expect.anything()]);
    expect(service('api').depends_on?.eventstore).toEqual({ condition: 'service_healthy' });
    for (const name of ['api-a', 'api-b', 'projector-c'])
      for (const node of ['esdb-1', 'esdb-2', 'esdb-3'])
        expect([name, service(name).depends_on?.[node]]).toEqual([name, { condition: 'service_healthy' }]);
    for (const name of ['api-a', 'api-b', 'projector-c'])
      expect(service('gateway').depends_on?.[name]).toEqual({ condition: 'service_healthy' });
  });

  it("gives the projectors a named volume on the data directory the image creates for the app's user", () => {
    const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');
    const runStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    for (const name of ['projector', 'projector-c']) {
      const dataDir = env(name).PROJECTOR_DATA_DIR!;
      const mount = (service(name).volumes ?? [])
        .map((v) => (typeof v === 'string' ? { source: v.split(':')[0]!, target: v.split(':')[1]! } : v))
        .find((v) => v.target === dataDir);
      expect(mount).toBeDefined();
      expect(Object.keys(compose.volumes ?? {})).toContain(mount!.source);
      // Created and handed to `node` in the image's last stage, before it switches to that user
      const created = runStage.indexOf(`mkdir -p ${dataDir}`);
      expect(created).toBeGreaterThan(0);
      expect(runStage.slice(created)).toMatch(
        /chown -R node:node \/var\/lib\/switchboard\n(?:.*\n)*?USER node\n/,
      );
    }
  });

  it('forms a 3-node cluster that gossips on fixed addresses, and points the cluster apps at all three', () => {
    const nodes = ['esdb-1', 'esdb-2', 'esdb-3'];
    const ipOf = (name: string): string => {
      const networks = service(name).networks as Record<string, { ipv4_address?: string }>;
      return networks.cluster!.ipv4_address!;
    };
    for (const node of nodes) {
      const e = env(node);
      expect(e).toMatchObject({
        EVENTSTORE_CLUSTER_SIZE: '3',
        EVENTSTORE_INSECURE: 'true',
        EVENTSTORE_NODE_PORT: '2113',
      });
      expect(e.EVENTSTORE_REPLICATION_IP).toBe(ipOf(node));
      expect(e.EVENTSTORE_ADVERTISE_HOST_TO_CLIENT_AS).toBe(node);
      const others = nodes.filter((other) => other !== node).map((other) => `${ipOf(other)}:2113`);
      expect(e.EVENTSTORE_GOSSIP_SEED!.split(',').sort()).toEqual(others.sort());
    }
    for (const app of ['api-a', 'api-b', 'projector-c']) {
      const url = new URL(
        env(app)
          .EVENTSTORE_CONNECTION_STRING!.replace(/^esdb:/, 'http:')
          .replace(/,.*?(?=\?)/, ''),
      );
      expect(url.searchParams.get('tls')).toBe('false');
      expect(env(app).EVENTSTORE_CONNECTION_STRING).toMatch(
        /^esdb:\/\/esdb-1:2113,esdb-2:2113,esdb-3:2113\?/,
      );
      // A virtual clock is one instance's: the cluster keeps the wall clock
      expect(env(app).CLOCK_MODE).toBe('realtime');
    }
    expect(env('projector-c').SWITCHBOARD_API_URL).toBe('http://gateway:3000');
    expect(env('projector').SWITCHBOARD_API_URL).toBe('http://api:3000');
  });

  it('balances the two api instances behind the gateway, which passes the Host the apps check on', () => {
    const conf = readFileSync(resolve(root, 'docker/nginx-cluster.conf'), 'utf8');
    expect(conf).toMatch(/upstream switchboard_api \{[^}]*server api-a:3000;[^}]*server api-b:3000;/);
    expect(conf).toContain('proxy_set_header Host $http_host;');
    expect(conf).toMatch(/\n\s*proxy_next_upstream error timeout;\n/);
    const mounts = (service('gateway').volumes ?? []).map((v) =>
      typeof v === 'string' ? v : `${v.source}:${v.target}`,
    );
    expect(
      mounts.some((m) => resolve(root, m.split(':')[0]!) === resolve(root, 'docker/nginx-cluster.conf')),
    ).toBe(true);
    for (const name of ['api', 'api-a', 'api-b', 'projector', 'projector-c'])
      expect(env(name).SWITCHBOARD_ALLOWED_HOSTS!.split(',')).toEqual(
        expect.arrayContaining(['api', 'gateway', 'localhost']),
      );
  });

  it('publishes on loopback only by default, and the two stacks on different ports', () => {
    const published = (name: string): string[] =>
      (service(name).ports ?? []).map((p) =>
        typeof p === 'string' ? p.split(':').slice(0, -1).join(':') : `${p.host_ip}:${p.published}`,
      );
    const single = SINGLE.flatMap(published);
    const cluster = CLUSTER.flatMap(published);
    expect(single.sort()).toEqual(['127.0.0.1:2113', '127.0.0.1:3000', '127.0.0.1:3001']);
    expect(cluster.sort()).toEqual(['127.0.0.1:3100', '127.0.0.1:3101']);
  });
});
