import { ConfigModule } from '@nestjs/config';
import type { DynamicModule } from '@nestjs/common';
import type { ClockSettings } from '#events';
import type { LogSettings } from './logging.js';
import type { RequestPolicy } from './request-policy.js';

/** Environment variables as an app receives them: every read of them goes through its configuration. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Every invalid variable of an app's environment, each named, found in one pass. */
export class ConfigurationError extends Error {
  constructor(
    readonly app: string,
    readonly problems: readonly string[],
  ) {
    super(`${app}: invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * Reads settings and collects the problems instead of stopping at the first one, so a user fixes every
 * variable in one go. `read` runs a parser and keeps its result, or records its error's message (each
 * parser names its variable) and answers undefined; `done` returns the settings or throws them all.
 */
export class SettingsReader {
  private readonly problems: string[] = [];

  constructor(readonly env: Env) {}

  read<T>(parse: (env: Env) => T): T {
    try {
      return parse(this.env);
    } catch (error) {
      this.problems.push((error as Error).message);
      return undefined as T;
    }
  }

  done<T>(app: string, settings: T): T {
    if (this.problems.length > 0) throw new ConfigurationError(app, this.problems);
    return settings;
  }
}

/** A variable's value; a name like `constructor` is looked up in the environment only. */
const variable = (env: Env, name: string): string | undefined =>
  Object.hasOwn(env, name) ? env[name]?.trim() : undefined;

/** A TCP port to listen on; 0 asks the system for a free one. */
export const portFrom = (env: Env, name: string, fallback: number): number => {
  const raw = variable(env, name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65_535) {
    throw new Error(`${name} must be a port number from 0 to 65535, not "${raw}"`);
  }
  return Number(raw);
};

/** An on/off switch: `1` on, `0` or unset off; anything else is a mistake, not "off". */
export const flagFrom = (env: Env, name: string): boolean => {
  const raw = variable(env, name);
  if (raw === undefined || raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  throw new Error(`${name} must be 1 (on) or 0 (off), not "${raw}"`);
};

/** A non-empty text setting, its default when unset or blank. */
export const textFrom = (env: Env, name: string, fallback: string): string => variable(env, name) || fallback;

/** What both served apps, the api and the projector, take from their environment alike. */
export interface ServedAppSettings {
  readonly port: number;
  readonly host: string;
  readonly eventStoreConnectionString: string;
  /** The clock mode (R21): the api decides at the clock's time, the projector's R20 diagnoses too. */
  readonly clock: ClockSettings;
  readonly requestPolicy: RequestPolicy;
  readonly log: LogSettings;
}

/** Where a served app listens: `<APP>_PORT`, else its default port, and `<APP>_HOST`, else loopback. */
export const listenSettingsFrom = (
  reader: SettingsReader,
  app: 'API' | 'PROJECTOR',
  defaultPort: number,
): Pick<ServedAppSettings, 'port' | 'host'> => ({
  port: reader.read((env) => portFrom(env, `${app}_PORT`, defaultPort)),
  host: textFrom(reader.env, `${app}_HOST`, '127.0.0.1'),
});

/** The key under which an app's validated settings sit in @nestjs/config's ConfigService. */
export const SETTINGS_KEY = 'settings';

/** What `ConfigService<AppSettings<T>, true>` holds: the app's validated settings, one typed object. */
export type AppSettings<T> = { readonly [SETTINGS_KEY]: T };

export interface Configuration<T> {
  /** The validated settings, for what runs before Nest does (the projector's engine, the listen address). */
  readonly settings: T;
  /** @nestjs/config's global module serving the same settings through ConfigService. */
  readonly module: DynamicModule;
}

/**
 * The app's environment read once, through @nestjs/config (no .env file: the process environment is
 * the only source, as the README documents), validated by `validate`. An invalid value rejects with a
 * ConfigurationError naming each variable; the settings are an object, so nothing is written back to
 * process.env.
 */
export const configuration = async <T extends object>(
  validate: (env: Env) => T,
): Promise<Configuration<T>> => {
  let settings: T | undefined;
  const module = await ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    validate: (env): AppSettings<T> => {
      settings = validate(env as Env);
      return { [SETTINGS_KEY]: settings };
    },
  });
  return { settings: settings!, module };
};

/** What a main does with a configuration that failed: say every problem, without a stack, and stop. */
export const stopOnConfigurationError = (error: unknown): never => {
  if (!(error instanceof ConfigurationError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
};

/**
 * What a main does when its port is taken (most often by a stack already running): say which address,
 * and which setting moves it, in one sentence instead of Node's stack trace, and stop.
 */
export const stopOnAddressInUse =
  (app: string, address: string, portSetting: string) =>
  (error: unknown): never => {
    if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') throw error;
    process.stderr.write(
      `${app}: cannot listen on ${address}: another process is using it; stop that process, or choose ` +
        `another port (${portSetting})\n`,
    );
    process.exit(1);
  };
