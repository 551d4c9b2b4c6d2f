import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { duplicateHost, type RequestPolicy } from './request-policy.js';

/** What an allowed page elsewhere may send: the methods of the routes and the headers the api reads. */
const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const CORS_HEADERS = ['content-type', 'idempotency-key', 'x-correlation-id'];
/** How long a browser may reuse a preflight answer, in seconds. */
const CORS_MAX_AGE = 600;

/**
 * Applies the policy to every request the app receives, before routing, body parsing, guards and
 * handlers: routes, /docs, server-sent event streams and 404s alike. A refusal is answered with the
 * api's error shape (`statusCode`, `code`, `message`) and nothing behind it runs. A request with more
 * than one `Host` is malformed (see `duplicateHost`) and answered 400 before the policy reads its Host.
 *
 * Pages from an allowed origin elsewhere get CORS through Nest's `enableCors` (so a JSON command's
 * preflight is answered); the same policy decides, so a preflight from any other origin, or under a
 * name this server does not answer to, is refused like the request it announces.
 */
export function guardRequests(app: NestFastifyApplication, policy: RequestPolicy): void {
  app.enableCors({
    delegator: (request, callback) => {
      // Without Origin there is no page to answer (the CLI, the load generator): skip the check here.
      const verdict =
        request.headers.origin === undefined ? undefined : policy.check(request.method, request.headers);
      callback(null, {
        origin: verdict?.allowed && verdict.crossOrigin !== undefined ? verdict.crossOrigin : false,
        methods: CORS_METHODS,
        allowedHeaders: CORS_HEADERS,
        maxAge: CORS_MAX_AGE,
      });
    },
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const malformed = duplicateHost(request.raw.rawHeaders);
      if (malformed) return reply.code(malformed.statusCode).send(malformed);
      const verdict = policy.check(request.method, request.headers);
      if (!verdict.allowed) return reply.code(verdict.refusal.statusCode).send(verdict.refusal);
    });
}
