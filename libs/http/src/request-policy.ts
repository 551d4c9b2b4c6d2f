import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_API_PORT, DEFAULT_PROJECTOR_PORT } from '#stack';

/**
 * Who may talk to the api and the projector over HTTP. Both serve people on the same machine (the CLI,
 * the load generator, a browser on the panel or /docs), and a browser also runs pages from anywhere:
 *
 * - a page on another site can send a form (`application/x-www-form-urlencoded`, `multipart/form-data`,
 *   `text/plain`) or a body-less `fetch` cross-site without asking first (no CORS preflight), so a
 *   command must declare the one body type such a page cannot send unasked: `application/json`;
 * - browsers name the page that sent a request in `Origin`: a page that is neither this server nor one
 *   of the allowed origins gets nothing, whatever the method;
 * - a page on a domain the attacker re-points at 127.0.0.1 (DNS rebinding) is same-origin to the
 *   browser, but its requests carry the attacker's name in `Host`: only configured names are served.
 *
 * Requests without `Origin` (curl, the CLI, the load generator, a link followed) are not from a foreign
 * page's script and pass the origin check. `actor` stays self-asserted: this is no authentication.
 */

/** A host name with an optional port, as in `Host` or in the allow-list (`localhost`, `[::1]:3000`). */
export interface Authority {
  /** Lower-case; IPv6 addresses keep their brackets, as in `Host`. */
  readonly name: string;
  /** Undefined in the allow-list: any port. */
  readonly port?: number;
}

export interface Refusal {
  readonly statusCode: 400 | 403 | 415 | 421;
  readonly code: 'INVALID_REQUEST' | 'HOST_NOT_ALLOWED' | 'ORIGIN_NOT_ALLOWED' | 'UNSUPPORTED_MEDIA_TYPE';
  readonly message: string;
  /** What is at fault in a malformed request, as validation names fields. */
  readonly errors?: readonly { readonly field: string; readonly messages: readonly string[] }[];
}

export type Verdict =
  | {
      readonly allowed: true;
      /** The `Origin` of an allowed page served elsewhere: the response must let it read the answer. */
      readonly crossOrigin?: string;
    }
  | { readonly allowed: false; readonly refusal: Refusal };

export const DEFAULT_ALLOWED_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;

/** The only body type a command accepts (media types compare case-insensitively, parameters aside). */
export const COMMAND_MEDIA_TYPE = 'application/json';

/** Methods that read: they change nothing, so their body (if any) is never a command. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `name[:port]`: a DNS name or IPv4 address, or an IPv6 address in brackets. */
const AUTHORITY = /^(\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)(?::(\d{1,5}))?$/;
/** A serialized origin: `scheme://host[:port]`, no path, query, fragment or credentials. */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\\]+$/;
const DEFAULT_PORTS: ReadonlyMap<string, string> = new Map([
  ['http:', '80'],
  ['https:', '443'],
]);

export function parseAuthority(value: string): Authority | undefined {
  const match = AUTHORITY.exec(value.toLowerCase());
  if (!match) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65_535) return undefined;
  return port === undefined ? { name: match[1]! } : { name: match[1]!, port };
}

/** The origin as browsers serialize it in `Origin`: lower-case, without the scheme's default port. */
export function normalizeOrigin(value: string): string | undefined {
  if (!ORIGIN.test(value.toLowerCase())) return undefined;
  try {
    const url = new URL(value);
    return url.host ? `${url.protocol}//${url.host}` : undefined;
  } catch {
    return undefined;
  }
}

/** A comma-separated list from the environment; unset or blank means "use the default". */
const listFrom = (value: string | undefined): string[] | undefined => {
  const items = (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items.length > 0 ? items : undefined;
};

/** A port from API_PORT / PROJECTOR_PORT; 0 (pick a free one) names no origin in advance. */
const configuredPort = (value: string | undefined, fallback: number): number | undefined => {
  const port = value === undefined || value.trim() === '' ? fallback : Number(value);
  return Number.isInteger(port) && port > 0 && port <= 65_535 ? port : undefined;
};

/** Bind addresses that are not a name anyone sends in `Host`. */
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]']);

/** One header's value; a repeated header is joined, so it never equals an allowed value (fails closed). */
const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(', ') : value;

const ONE_HOST = 'must be sent once (RFC 9112 §3.2)';

/**
 * A request with more than one `Host` header, which HTTP/1.1 (RFC 9112 §3.2) says a server must answer
 * 400: the two may name different servers, and a proxy in front may have routed on the other one.
 * Node keeps only the first in `headers` (it drops repeated Host headers), so `rawHeaders` is counted.
 */
export const duplicateHost = (rawHeaders: readonly string[]): Refusal | undefined => {
  let hosts = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === 'host') hosts++;
  return hosts > 1
    ? {
        statusCode: 400,
        code: 'INVALID_REQUEST',
        message: `the request has ${hosts} Host headers: HTTP/1.1 takes exactly one`,
        errors: [{ field: 'host', messages: [ONE_HOST] }],
      }
    : undefined;
};

export class RequestPolicy {
  readonly hosts: readonly Authority[];
  readonly origins: ReadonlySet<string>;

  constructor(options: { readonly hosts: readonly string[]; readonly origins: readonly string[] }) {
    this.hosts = options.hosts.map((host) => {
      const authority = parseAuthority(host);
      if (!authority) throw new Error(`allowed host "${host}" is not a host name with an optional port`);
      return authority;
    });
    this.origins = new Set(
      options.origins.map((origin) => {
        const normalized = normalizeOrigin(origin);
        if (!normalized) throw new Error(`allowed origin "${origin}" is not scheme://host[:port]`);
        return normalized;
      }),
    );
  }

  /**
   * The policy configured by the environment:
   * - `SWITCHBOARD_ALLOWED_HOSTS`: names (any port) or `name:port`, comma-separated; by default
   *   localhost, 127.0.0.1 and [::1], plus API_HOST / PROJECTOR_HOST when they name one address;
   * - `SWITCHBOARD_ALLOWED_ORIGINS`: origins whose pages may call, comma-separated; by default the
   *   stack's own: `http://` + each allowed name + `:` the api's and the projector's port.
   * A server always accepts pages it served itself (an `Origin` equal to `Host`).
   */
  static fromEnv(env: Readonly<Record<string, string | undefined>>): RequestPolicy {
    const ownAddresses = [env.API_HOST, env.PROJECTOR_HOST]
      .map((address) => address?.trim().toLowerCase())
      .filter((address): address is string => !!address && !WILDCARD_ADDRESSES.has(address))
      .map((address) => (address.includes(':') && !address.startsWith('[') ? `[${address}]` : address));
    const hosts = listFrom(env.SWITCHBOARD_ALLOWED_HOSTS) ?? [
      ...new Set<string>([...DEFAULT_ALLOWED_HOSTS, ...ownAddresses]),
    ];
    const ports = [
      configuredPort(env.API_PORT, DEFAULT_API_PORT),
      configuredPort(env.PROJECTOR_PORT, DEFAULT_PROJECTOR_PORT),
    ].filter((port): port is number => port !== undefined);
    const stackOrigins = hosts.flatMap((host) => {
      const authority = parseAuthority(host);
      if (!authority) return [];
      return (authority.port === undefined ? ports : [authority.port]).map(
        (port) => `http://${authority.name}:${port}`,
      );
    });
    const origins = listFrom(env.SWITCHBOARD_ALLOWED_ORIGINS);
    // A malformed list stops the start, naming the variable to fix (the constructor cannot know it).
    const badHost = listFrom(env.SWITCHBOARD_ALLOWED_HOSTS)?.find((host) => !parseAuthority(host));
    if (badHost !== undefined) {
      throw new Error(
        `SWITCHBOARD_ALLOWED_HOSTS: "${badHost}" is not a host name with an optional port (name or name:port, comma-separated)`,
      );
    }
    const badOrigin = origins?.find((origin) => !normalizeOrigin(origin));
    if (badOrigin !== undefined) {
      throw new Error(
        `SWITCHBOARD_ALLOWED_ORIGINS: "${badOrigin}" is not an origin (scheme://host[:port], comma-separated)`,
      );
    }
    return new RequestPolicy({ hosts, origins: origins ?? stackOrigins });
  }

  /** Host first (a rebinding page is same-origin), then Origin, then a command's body type. */
  check(method: string, headers: IncomingHttpHeaders): Verdict {
    const host = single(headers.host);
    const authority = host === undefined ? undefined : parseAuthority(host);
    if (!authority || !this.allowsHost(authority)) {
      return refuse(
        421,
        'HOST_NOT_ALLOWED',
        `this server does not answer to the name ${JSON.stringify(host ?? '')}: add it to ` +
          'SWITCHBOARD_ALLOWED_HOSTS if it is really this server',
      );
    }
    const origin = single(headers.origin);
    let crossOrigin: string | undefined;
    if (origin !== undefined && !sameOrigin(origin, host!)) {
      if (!this.origins.has(origin)) {
        return refuse(
          403,
          'ORIGIN_NOT_ALLOWED',
          `pages from ${JSON.stringify(origin)} may not call this server: add the origin to ` +
            'SWITCHBOARD_ALLOWED_ORIGINS if they should',
        );
      }
      crossOrigin = origin;
    }
    if (!SAFE_METHODS.has(method)) {
      const refusal = refuseBodyType(headers);
      if (refusal) return { allowed: false, refusal };
    }
    return crossOrigin === undefined ? { allowed: true } : { allowed: true, crossOrigin };
  }

  private allowsHost({ name, port }: Authority): boolean {
    return this.hosts.some((allowed) => allowed.name === name && (allowed.port ?? port) === port);
  }
}

const refuse = (statusCode: Refusal['statusCode'], code: Refusal['code'], message: string): Verdict => ({
  allowed: false,
  refusal: { statusCode, code, message },
});

/** A page this server served: the browser's `Origin` names the same host and port the request went to. */
function sameOrigin(origin: string, host: string): boolean {
  const normalized = normalizeOrigin(origin);
  if (!normalized) return false;
  const url = new URL(normalized);
  const authority = host.toLowerCase();
  return (
    url.host === authority ||
    (!url.port && `${url.hostname}:${DEFAULT_PORTS.get(url.protocol)}` === authority)
  );
}

/**
 * A command's body must be JSON. A request without a body needs no type (`POST /rebuild` from the CLI);
 * one with a body and no type is refused too, since the server would have to guess.
 */
function refuseBodyType(headers: IncomingHttpHeaders): Refusal | undefined {
  const contentType = headers['content-type'];
  if (contentType === undefined) {
    const hasBody =
      headers['transfer-encoding'] !== undefined ||
      (headers['content-length'] !== undefined && headers['content-length'] !== '0');
    if (!hasBody) return undefined;
  } else if (contentType.split(';')[0]!.trim().toLowerCase() === COMMAND_MEDIA_TYPE) {
    return undefined;
  }
  return {
    statusCode: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message:
      `commands take a JSON body: send Content-Type: ${COMMAND_MEDIA_TYPE}` +
      (contentType === undefined ? ' (the request had none)' : ` (not ${JSON.stringify(contentType)})`),
  };
}
