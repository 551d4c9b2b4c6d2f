import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem, platform, release, hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/libs/stack/src or libs/stack/src alike. */
export const repoRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'switchboard') return dir;
    } catch {
      // not here; keep climbing
    }
    dir = dirname(dir);
  }
  return process.cwd();
};

const packageVersion = (): string => {
  const pkg = JSON.parse(readFileSync(resolve(repoRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
};

const gitCommit = (): string | null => {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: repoRoot(),
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        cwd: repoRoot(),
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim().length > 0;
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return null;
  }
};

/** Enough to tell later what ran, with which inputs, on what: a figure without this is hearsay. */
export interface RunManifest {
  readonly tool: 'switchboard';
  readonly version: string;
  readonly command: string;
  readonly argv: readonly string[];
  readonly options: Record<string, unknown>;
  readonly seed?: string;
  readonly runId?: string;
  readonly startedAt: string;
  readonly machine: {
    readonly hostname: string;
    readonly platform: string;
    readonly release: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryBytes: number;
    readonly node: string;
  };
  readonly gitCommit: string | null;
}

export const buildManifest = (
  command: string,
  options: Record<string, unknown>,
  extra: { seed?: string; runId?: string } = {},
): RunManifest => ({
  tool: 'switchboard',
  version: packageVersion(),
  command,
  argv: process.argv.slice(2),
  options,
  ...extra,
  startedAt: new Date().toISOString(),
  machine: {
    hostname: hostname(),
    platform: platform(),
    release: release(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
  },
  gitCommit: gitCommit(),
});
