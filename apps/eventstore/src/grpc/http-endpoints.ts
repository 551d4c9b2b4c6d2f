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
 * older tools `/ping` and `/info`. Anything else EventStoreDB routes is a feature this server leaves
 * out: 501 with a JSON body naming it, and the same sentence as the status line's reason, which the
 * client turns into its error's message. A path EventStoreDB has no route for is 404, as there.
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
  if (!EVENTSTOREDB_ROUTES.has(path.split('/')[1]!)) return NOT_FOUND;
  const feature = featureOf(path);
  const message = notImplementedMessage(feature, `${method} ${path}`);
  const reason = `Not Implemented: ${message}`.replace(/[^\x20-\x7e]/g, '?');
  return json(501, reason, { error: 'not-implemented', feature, method, path, message });
}

/**
 * The first segments of the paths EventStoreDB routes on its HTTP port, from its controllers: `/streams`
 * (Atom), `/subscriptions` (persistent subscriptions), `/projections` and `/projection`, `/users`,
 * `/admin`, `/stats`, `/gossip`, `/elections`, `/histogram`, `/info`, `/ping`, `/metrics`, the web UI
 * under `/web` and the root that redirects to it (the empty segment).
 */
const EVENTSTOREDB_ROUTES: ReadonlySet<string> = new Set([
  '',
  'admin',
  'elections',
  'gossip',
  'histogram',
  'info',
  'metrics',
  'ping',
  'projection',
  'projections',
  'stats',
  'streams',
  'subscriptions',
  'users',
  'web',
]);

/** What EventStoreDB answers a path it has no route for (the client's own suite checks the reason). */
const NOT_FOUND: HttpAnswer = { status: 404, reason: 'Not Found', headers: {}, body: '' };

/** The GET probes, with the body EventStoreDB's controller of that path answers. */
const PROBES: ReadonlyMap<string, (info: NodeInfo) => unknown> = new Map<string, (info: NodeInfo) => unknown>(
  [
    // PingController: a TextMessage, which EventStoreDB's JSON codec writes with the properties of
    // every message, its type id (`msgTypeId`) and `text`. EventStoreDB numbers its message types as
    // it starts, so the id differs between versions; clients check only that it is a number. This
    // server has no message types: 0 stands for the id.
    ['/ping', () => ({ msgTypeId: 0, text: 'Ping request successfully handled' })],
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
