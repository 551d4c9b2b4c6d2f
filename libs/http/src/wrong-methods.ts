import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

/** A route's path as Fastify declares it (`/accounts/:accountId`, `/panel/api/*`), as a pattern of paths. */
const pathPattern = (url: string): RegExp =>
  new RegExp(
    `^${url
      .split('/')
      .map((segment) =>
        segment.startsWith(':')
          ? '[^/]+'
          : segment === '*'
            ? '.*'
            : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/')}$`,
  );

/**
 * A request to a path some route takes, with a method none of them does (PUT where the command is a
 * POST), is answered 405 METHOD_NOT_ALLOWED with `Allow` naming the methods the path takes (RFC 9110
 * §15.5.6), not 404 "Cannot PUT …" as if nothing were there. OPTIONS keeps its answers (CORS preflight,
 * or 404 without an Origin). Call before the app's routes are registered (before `init`/`listen`).
 */
export function answerWrongMethods(app: NestFastifyApplication): void {
  const routes: { readonly method: string; readonly path: RegExp }[] = [];
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const path = pathPattern(route.url);
    // OPTIONS answers every path (CORS preflight): it says nothing of what a path takes.
    for (const method of [route.method].flat()) if (method !== 'OPTIONS') routes.push({ method, path });
  });
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.is404 || request.method === 'OPTIONS') return;
    const path = request.url.split('?')[0]!;
    const allowed = [...new Set(routes.filter((route) => route.path.test(path)).map(({ method }) => method))];
    if (allowed.length === 0) return;
    return reply
      .code(405)
      .header('allow', allowed.join(', '))
      .send({
        statusCode: 405,
        code: 'METHOD_NOT_ALLOWED',
        message: `${request.method} is not a method of ${JSON.stringify(path.slice(0, 80))}: send ${allowed.join(' or ')}`,
      });
  });
}
