import type { OpenAPIObject } from '@nestjs/swagger';

type PathItemObject = OpenAPIObject['paths'][string];
type OperationObject = NonNullable<PathItemObject['get']>;
type Responses = OperationObject['responses'];

const BODY = '; body `{statusCode, code, message}`, and nothing behind the policy ran (nothing appended)';

/** One cause of an answer that comes before any route runs: its status and what the answer says. */
type Cause = readonly [status: string, description: string];

/** The answers of the request policy (`RequestPolicy`, `guardRequests`) to any request. */
const ANY_REQUEST: readonly Cause[] = [
  [
    '400',
    '`INVALID_REQUEST`: more than one `Host` header (RFC 9112 §3.2: they may name different servers)' + BODY,
  ],
  [
    '403',
    '`ORIGIN_NOT_ALLOWED`: the request came from a web page (`Origin`) that is neither this server ' +
      'nor an allowed origin (`null` included); preflights too' +
      BODY,
  ],
  [
    '421',
    '`HOST_NOT_ALLOWED`: the `Host` is not a name this server answers to (a foreign domain ' +
      're-pointed at 127.0.0.1, DNS rebinding)' +
      BODY,
  ],
];

/** And to a command, whose body must be JSON, and fit the app's body limit, before any route reads it. */
const COMMAND: readonly Cause[] = [
  ...ANY_REQUEST,
  ['400', '`INVALID_REQUEST`: a body that is not valid JSON' + BODY],
  ['413', "`PAYLOAD_TOO_LARGE`: a body over the app's limit" + BODY],
  [
    '415',
    '`UNSUPPORTED_MEDIA_TYPE`: a body that is not `application/json` (a form, `multipart/form-data`, ' +
      '`text/plain`, a JSON patch, a body without a type); `charset` and letter case do not matter' +
      BODY,
  ],
];

/** And to a request whose path has parameters, which Fastify's router reads before any route runs. */
const PATH_PARAMETERS: readonly Cause[] = [
  [
    '400',
    '`INVALID_REQUEST`: a path parameter whose percent-encoding is not UTF-8 (a lone `%`, `%E0%A4`)' + BODY,
  ],
  ['414', '`URI_TOO_LONG`: a path parameter over 100 characters (no id or number is that long)' + BODY],
];

const operationsOf = (item: PathItemObject): [OperationObject | undefined, readonly Cause[]][] => [
  [item.get, ANY_REQUEST],
  [item.head, ANY_REQUEST],
  [item.options, ANY_REQUEST],
  [item.trace, ANY_REQUEST],
  [item.post, COMMAND],
  [item.put, COMMAND],
  [item.patch, COMMAND],
  [item.delete, COMMAND],
];

/**
 * `responses` with every cause in `causes` of each status: a status the route documents keeps its own
 * description first (a 400 for its fields), and each cause of it is added after it.
 */
const withCauses = (responses: Responses, causes: readonly Cause[]): Responses => {
  const merged = new Map(Object.entries(responses) as [string, { description?: string }][]);
  for (const [status, description] of causes) {
    const documented = merged.get(status);
    const before = documented?.description;
    if (before === undefined) merged.set(status, { ...documented, description });
    else if (!before.includes(description))
      merged.set(status, { ...documented, description: `${before}; or ${description}` });
  }
  return Object.fromEntries(merged) as Responses;
};

/**
 * Adds the request policy's answers to every operation of an app's OpenAPI document: 421, 403 and 400
 * (two `Host` headers) on all, 415, 413 and 400 (a body that is not JSON) on commands too, and the
 * router's 400 and 414 on routes with path parameters. These refusals come before routing, for every
 * route alike, so they are documented here once, for every route, rather than by each route's
 * decorators, where a new route could forget them. A route's own description of those statuses, if
 * any, comes first.
 */
export function documentRequestPolicy(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    const router = path.includes('{') ? PATH_PARAMETERS : [];
    for (const [operation, causes] of operationsOf(item)) {
      if (operation) operation.responses = withCauses(operation.responses, [...router, ...causes]);
    }
  }
  return document;
}
