import { ConfigService } from '@nestjs/config';
import { clockSettingsFromEnv, type ClockSettings } from '#events';
import { connectionStringFromEnv } from '#eventstore';
import {
  DEFAULT_PROJECTOR_PORT,
  RequestPolicy,
  SETTINGS_KEY,
  SettingsReader,
  configuration,
  flagFrom,
  portFrom,
  logSettingsFrom,
  textFrom,
  type LogSettings,
  type AppSettings,
  type Configuration,
  type Env,
} from '#http';

/** Everything the projector takes from its environment (README, "Configuration"), validated once at start. */
export interface ProjectorSettings {
  readonly port: number;
  readonly host: string;
  /** Where the read-model snapshot lives (`--data` overrides it). */
  readonly dataDir: string;
  /** Ignore the snapshot and rebuild from the first event (`--rebuild` too). */
  readonly rebuild: boolean;
  /** Park an event a projection cannot apply and go on (`--park-failed-events` too). */
  readonly parkFailedEvents: boolean;
  readonly eventStoreConnectionString: string;
  /** The api's clock mode (R21): the projector's R20 diagnoses are made at the clock's time. */
  readonly clock: ClockSettings;
  readonly requestPolicy: RequestPolicy;
  /** Where the panel's commands are forwarded: the api (SWITCHBOARD_API_URL, else the api's port here). */
  readonly apiUrl: string;
  readonly log: LogSettings;
}

export const projectorSettingsFrom = (env: Env, stdoutIsTerminal = false): ProjectorSettings => {
  const reader = new SettingsReader(env);
  return reader.done('projector', {
    port: reader.read((e) => portFrom(e, 'PROJECTOR_PORT', DEFAULT_PROJECTOR_PORT)),
    host: textFrom(env, 'PROJECTOR_HOST', '127.0.0.1'),
    dataDir: textFrom(env, 'PROJECTOR_DATA_DIR', 'data/projector'),
    rebuild: reader.read((e) => flagFrom(e, 'PROJECTOR_REBUILD')),
    parkFailedEvents: reader.read((e) => flagFrom(e, 'PROJECTOR_PARK_FAILED_EVENTS')),
    eventStoreConnectionString: connectionStringFromEnv(env),
    clock: reader.read(clockSettingsFromEnv),
    requestPolicy: reader.read(RequestPolicy.fromEnv),
    apiUrl: textFrom(env, 'SWITCHBOARD_API_URL', `http://127.0.0.1:${textFrom(env, 'API_PORT', '3000')}`),
    log: reader.read((e) => logSettingsFrom(e, stdoutIsTerminal)),
  });
};

/** The projector's configuration, from the process environment through @nestjs/config. */
export const projectorConfiguration = (): Promise<Configuration<ProjectorSettings>> =>
  configuration((env) => projectorSettingsFrom(env, process.stdout.isTTY === true));

/** The validated settings, as the projector's providers receive them. */
export const projectorSettingsOf = (config: ConfigService): ProjectorSettings =>
  config.getOrThrow<AppSettings<ProjectorSettings>[typeof SETTINGS_KEY]>(SETTINGS_KEY);
