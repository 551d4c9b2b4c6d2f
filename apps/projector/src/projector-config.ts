import { ConfigService } from '@nestjs/config';
import { clockSettingsFromEnv } from '#events';
import { connectionStringFromEnv } from '#eventstore';
import {
  RequestPolicy,
  SETTINGS_KEY,
  SettingsReader,
  configuration,
  flagFrom,
  listenSettingsFrom,
  logSettingsFrom,
  textFrom,
  type AppSettings,
  type Configuration,
  type ServedAppSettings,
  type Env,
} from '#http';
import { DEFAULT_PROJECTOR_PORT, stackAddress, type StackAddress } from '#stack';

/** Everything the projector takes from its environment (README, "Configuration"), validated once at start. */
export interface ProjectorSettings extends ServedAppSettings {
  /** Where the read-model snapshot lives (`--data` overrides it). */
  readonly dataDir: string;
  /** Ignore the snapshot and rebuild from the first event (`--rebuild` too). */
  readonly rebuild: boolean;
  /** Park an event a projection cannot apply and go on (`--park-failed-events` too). */
  readonly parkFailedEvents: boolean;
  /**
   * Where the panel's commands are forwarded: the api where the CLI finds it too (SWITCHBOARD_API_URL,
   * else API_HOST and API_PORT), or why the environment names none (API_PORT=0): the panel's commands
   * then answer that reason, while everything else the projector serves works, so it still starts.
   */
  readonly api: StackAddress;
}

export const projectorSettingsFrom = (env: Env, stdoutIsTerminal = false): ProjectorSettings => {
  const reader = new SettingsReader(env);
  return reader.done('projector', {
    ...listenSettingsFrom(reader, 'PROJECTOR', DEFAULT_PROJECTOR_PORT),
    dataDir: textFrom(env, 'PROJECTOR_DATA_DIR', 'data/projector'),
    rebuild: reader.read((e) => flagFrom(e, 'PROJECTOR_REBUILD')),
    parkFailedEvents: reader.read((e) => flagFrom(e, 'PROJECTOR_PARK_FAILED_EVENTS')),
    eventStoreConnectionString: connectionStringFromEnv(env),
    clock: reader.read(clockSettingsFromEnv),
    requestPolicy: reader.read(RequestPolicy.fromEnv),
    api: stackAddress(env, 'api'),
    log: reader.read((e) => logSettingsFrom(e, stdoutIsTerminal)),
  });
};

/** The projector's configuration, from the process environment through @nestjs/config. */
export const projectorConfiguration = (): Promise<Configuration<ProjectorSettings>> =>
  configuration((env) => projectorSettingsFrom(env, process.stdout.isTTY === true));

/** The validated settings, as the projector's providers receive them. */
export const projectorSettingsOf = (config: ConfigService): ProjectorSettings =>
  config.getOrThrow<AppSettings<ProjectorSettings>[typeof SETTINGS_KEY]>(SETTINGS_KEY);
