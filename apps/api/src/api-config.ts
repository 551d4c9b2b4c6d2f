import { clockSettingsFromEnv } from '#events';
import { connectionStringFromEnv } from '#eventstore';
import { ConfigService } from '@nestjs/config';
import {
  SETTINGS_KEY,
  type AppSettings,
  RequestPolicy,
  SettingsReader,
  configuration,
  listenSettingsFrom,
  logSettingsFrom,
  type Configuration,
  type ServedAppSettings,
  type Env,
} from '#http';
import { DEFAULT_API_PORT } from '#stack';
import { idempotencyOptionsFromEnv } from './shared/idempotency.js';

/** Everything the api takes from its environment (README, "Configuration"), validated once at start. */
export interface ApiSettings extends ServedAppSettings {
  readonly idempotencyWindowMs: number;
}

export const apiSettingsFrom = (env: Env, stdoutIsTerminal = false): ApiSettings => {
  const reader = new SettingsReader(env);
  return reader.done('api', {
    ...listenSettingsFrom(reader, 'API', DEFAULT_API_PORT),
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
