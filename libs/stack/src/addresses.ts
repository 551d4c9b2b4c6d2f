/**
 * Where a client on this machine finds the api and the projector of a stack that `npm start` placed
 * with API_HOST / API_PORT and PROJECTOR_HOST / PROJECTOR_PORT, or that SWITCHBOARD_API_URL /
 * SWITCHBOARD_PROJECTOR_URL name outright: the CLI's and the demo's defaults, and where the
 * projector's panel forwards commands to the api, so that moving the stack with the variables the
 * README gives moves its clients too.
 */
import { DEFAULT_API_PORT, DEFAULT_PROJECTOR_PORT } from './default-ports.js';

export type StackApp = 'api' | 'projector';

/**
 * The base URL, or why the environment names none a client can know in advance. `byDefault`: no
 * variable places the app, so the URL is the default one, a guess that a client failing to reach it
 * should name as such rather than as the app being down.
 */
export type StackAddress = { readonly url: string; readonly byDefault?: true } | { readonly problem: string };

const VARIABLES: Record<StackApp, { url: string; host: string; port: string; defaultPort: number }> = {
  api: { url: 'SWITCHBOARD_API_URL', host: 'API_HOST', port: 'API_PORT', defaultPort: DEFAULT_API_PORT },
  projector: {
    url: 'SWITCHBOARD_PROJECTOR_URL',
    host: 'PROJECTOR_HOST',
    port: 'PROJECTOR_PORT',
    defaultPort: DEFAULT_PROJECTOR_PORT,
  },
};

/** The variables that place an app, in the order they are read, for a --help text. */
export const stackAddressVariables = (app: StackApp): string => {
  const names = VARIABLES[app];
  return `${names.url}, else ${names.host} and ${names.port}`;
};

/** A variable's value, blank read as unset, as the apps read theirs; only own names are looked up. */
const variable = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const value = Object.hasOwn(env, name) ? env[name]?.trim() : undefined;
  return value === '' ? undefined : value;
};

/**
 * The host to connect to for an app bound to `bound`: a wildcard bind (0.0.0.0, ::) listens on
 * loopback too, and an IPv6 literal needs brackets in a URL.
 */
const connectHost = (bound: string | undefined): string => {
  if (bound === undefined || bound === '0.0.0.0') return '127.0.0.1';
  if (bound === '::' || bound === '[::]') return '[::1]';
  return bound.includes(':') && !bound.startsWith('[') ? `[${bound}]` : bound;
};

export const stackAddress = (env: NodeJS.ProcessEnv, app: StackApp): StackAddress => {
  const names = VARIABLES[app];
  const url = variable(env, names.url);
  if (url !== undefined) {
    return /^https?:\/\/[^/]/.test(url) && URL.canParse(url)
      ? { url }
      : { problem: `${names.url} must be an http(s) URL, not "${url}"` };
  }
  const portText = variable(env, names.port);
  if (portText !== undefined && (!/^\d{1,5}$/.test(portText) || Number(portText) > 65_535)) {
    return { problem: `${names.port} must be a port number from 1 to 65535, not "${portText}"` };
  }
  const port = portText === undefined ? names.defaultPort : Number(portText);
  // The app then listens on a port it picks itself, which it prints when ready and no variable says.
  if (port === 0) return { problem: `${names.port} is 0, so the ${app} listens on a port it picks itself` };
  const host = variable(env, names.host);
  const placed = `http://${connectHost(host)}:${port}`;
  return host === undefined && portText === undefined ? { url: placed, byDefault: true } : { url: placed };
};
