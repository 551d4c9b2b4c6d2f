import type { OpenAPIObject } from '@nestjs/swagger';

type PathItemObject = OpenAPIObject['paths'][string];
type OperationObject = NonNullable<PathItemObject['get']>;
type Responses = OperationObject['responses'];

const BODY = '; body `{statusCode, code, message}`, and nothing behind the policy ran (nothing appended)';

/** The answers of the request policy (`RequestPolicy`, `guardRequests`) to any request. */
const ANY_REQUEST: Responses = {
  '403': {
    description:
      '`ORIGIN_NOT_ALLOWED`: the request came from a web page (`Origin`) that is neither this server ' +
      'nor an allowed origin (`null` included); preflights too' +
      BODY,
  },
  '421': {
    description:
      '`HOST_NOT_ALLOWED`: the `Host` is not a name this server answers to (a foreign domain ' +
      're-pointed at 127.0.0.1, DNS rebinding)' +
      BODY,
  },
};

/** And to a command, whose body must be JSON, and fit the app's body limit, before any route reads it. */
const COMMAND: Responses = {
  ...ANY_REQUEST,
  '400': { description: '`INVALID_REQUEST`: a body that is not valid JSON' + BODY },
  '413': { description: "`PAYLOAD_TOO_LARGE`: a body over the app's limit" + BODY },
  '415': {
    description:
      '`UNSUPPORTED_MEDIA_TYPE`: a body that is not `application/json` (a form, `multipart/form-data`, ' +
      '`text/plain`, a JSON patch, a body without a type); `charset` and letter case do not matter' +
      BODY,
  },
};

/** And to a request whose path has parameters, which Fastify's router reads before any route runs. */
const PATH_PARAMETERS: Responses = {
  '400': {
    description:
      '`INVALID_REQUEST`: a path parameter whose percent-encoding is not UTF-8 (a lone `%`, `%E0%A4`)' + BODY,
  },
  '414': {
    description: '`URI_TOO_LONG`: a path parameter over 100 characters (no id or number is that long)' + BODY,
  },
};

const operationsOf = (item: PathItemObject): [OperationObject | undefined, Responses][] => [
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
 * Adds the request policy's answers to every operation of an app's OpenAPI document: 421 and 403 on
 * all, 415, 413 and 400 (a body that is not JSON) on commands too, and the router's 400 and 414 on
 * routes with path parameters. These
 * refusals come before routing, for every route alike, so they are documented here once, for every
 * route, rather than by each route's decorators, where a new route could forget them. A route's own
 * description of those statuses, if any, is kept.
 */
export function documentRequestPolicy(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    const router = path.includes('{') ? PATH_PARAMETERS : {};
    for (const [operation, answers] of operationsOf(item)) {
      if (operation) operation.responses = { ...router, ...answers, ...operation.responses };
    }
  }
  return document;
}
