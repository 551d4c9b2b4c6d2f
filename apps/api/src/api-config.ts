import { clockSettingsFromEnv, type ClockSettings } from '#events';
import { connectionStringFromEnv } from '#eventstore';
import { ConfigService } from '@nestjs/config';
import {
  DEFAULT_API_PORT,
  SETTINGS_KEY,
  type AppSettings,
  RequestPolicy,
  SettingsReader,
  configuration,
  portFrom,
  logSettingsFrom,
  textFrom,
  type LogSettings,
  type Configuration,
  type Env,
} from '#http';
import { idempotencyOptionsFromEnv } from './shared/idempotency.js';

/** Everything the api takes from its environment (README, "Configuration"), validated once at start. */
export interface ApiSettings {
  readonly port: number;
  readonly host: string;
  readonly eventStoreConnectionString: string;
  readonly clock: ClockSettings;
  readonly idempotencyWindowMs: number;
  readonly requestPolicy: RequestPolicy;
  readonly log: LogSettings;
}

export const apiSettingsFrom = (env: Env, stdoutIsTerminal = false): ApiSettings => {
  const reader = new SettingsReader(env);
  return reader.done('api', {
    port: reader.read((e) => portFrom(e, 'API_PORT', DEFAULT_API_PORT)),
    host: textFrom(env, 'API_HOST', '127.0.0.1'),
    eventStoreConnectionString: connectionStringFromEnv(env),
    clock: reader.read(clockSettingsFromEnv),
    idempotencyWindowMs: reader.read((e) => idempotencyOptionsFromEnv(e).idempotencyWindowMs),
    requestPolicy: reader.read(RequestPolicy.fromEnv),
    log: reader.read((e) => logSettingsFrom(e, stdoutIsTerminal)),
  });
};

/** The api's configuration, from the process environment through @nestjs/config. */
export const apiConfiguration = (): Promise<Configuration<ApiSettings>> =>
  configuration((env) => apiSettingsFrom(env, process.stdout.isTTY === true));

/** The validated settings, as the api's providers receive them. */
export const apiSettingsOf = (config: ConfigService): ApiSettings =>
  config.getOrThrow<AppSettings<ApiSettings>[typeof SETTINGS_KEY]>(SETTINGS_KEY);
