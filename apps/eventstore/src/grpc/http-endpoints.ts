import { notImplementedMessage } from './unimplemented.js';

/** An HTTP/1.1 answer, before it is written on the socket. */
export interface HttpAnswer {
  readonly status: number;
  readonly reason: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What `/info` tells, as an insecure single EventStoreDB node (`InfoController`) tells it. */
export interface NodeInfo {
  /** The EventStoreDB version this server answers as. */
  readonly esVersion: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

const json = (status: number, reason: string, value: unknown, headers: Record<string, string> = {}) => ({
  status,
  reason,
  headers: { 'Content-Type': JSON_TYPE, ...headers },
  body: JSON.stringify(value),
});

/**
 * EventStoreDB's `/health` branch takes GET and HEAD (a HEAD is read as a GET) and answers any other
 * method 405 with no body (`ClusterVNodeStartup.StatusCheck`).
 */
const HEALTH_METHODS = new Set(['GET', 'HEAD']);

/**
 * The answers EventStoreDB gives on its HTTP port to what tools probe, by path and method: docker
 * and Kubernetes health checks ask `/health/live` (204 while the node is up, no body), scripts and
 * older tools `/ping` and `/info`. Anything else is a feature this server leaves out: 501 with a JSON
 * body naming it, and the same sentence as the status line's reason, which the client turns into its
 * error's message.
 */
export function answerHttpRequest(method: string, path: string, info: NodeInfo): HttpAnswer {
  if (path === '/health/live') {
    return HEALTH_METHODS.has(method)
      ? { status: 204, reason: 'No Content', headers: {}, body: '' }
      : { status: 405, reason: 'Method Not Allowed', headers: { Allow: 'GET, HEAD' }, body: '' };
  }
  const probe = PROBES.get(path);
  if (probe) {
    return method === 'GET'
      ? json(200, 'OK', probe(info))
      : json(405, 'Method Not Allowed', { error: 'method-not-allowed', method, path }, { Allow: 'GET' });
  }
  const feature = featureOf(path);
  const message = notImplementedMessage(feature, `${method} ${path}`);
  const reason = `Not Implemented: ${message}`.replace(/[^\x20-\x7e]/g, '?');
  return json(501, reason, { error: 'not-implemented', feature, method, path, message });
}

/** The GET probes, with the body EventStoreDB's controller of that path answers. */
const PROBES: ReadonlyMap<string, (info: NodeInfo) => unknown> = new Map<string, (info: NodeInfo) => unknown>(
  [
    // PingController: a TextMessage, which EventStoreDB's JSON codec writes with its camel-cased `text`.
    ['/ping', () => ({ text: 'Ping request successfully handled' })],
    [
      '/info',
      (info: NodeInfo) => ({
        esVersion: info.esVersion,
        // A single node is always the leader (gossip says so too).
        state: 'leader',
        // What EventStoreDB reports with projections off and no license: none of these is served here.
        features: { projections: false, userManagement: false, atomPub: false },
        // `--insecure` runs the passthrough authentication provider, whose name is "insecure".
        authentication: { type: 'insecure', properties: {} },
      }),
    ],
  ],
);

/** What the client or a tool reaches over HTTP/1.1, by path, for the 501 of what is left out. */
function featureOf(path: string): string {
  if (path.startsWith('/subscriptions')) return 'persistent subscriptions';
  if (path.startsWith('/projections')) return 'projections';
  if (path === '/stats' || path.startsWith('/stats/')) return 'monitoring';
  return 'the HTTP API';
}
