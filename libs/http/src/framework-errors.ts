import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { codeOfStatus } from './status-codes.js';

/** How much of a refused path an answer quotes: enough to recognise it, never the whole of a long one. */
const QUOTED_PATH_CHARS = 80;

const quote = (url: string): string => {
  const path = url.split('?')[0] ?? url;
  return JSON.stringify(path.length > QUOTED_PATH_CHARS ? `${path.slice(0, QUOTED_PATH_CHARS)}…` : path);
};

/**
 * The answers to what Fastify's router refuses before any route, hook or Nest filter runs: a path whose
 * percent-encoding is not UTF-8, and a path segment longer than the router's `maxParamLength` (100
 * characters; Switchboard's ids are at most 64, its line numbers 16). Left to Fastify, these answer in
 * its own format, with its internal code (`FST_ERR_BAD_URL`) and the whole path quoted back; here they
 * answer as every other refusal: a code from the catalogue and one sentence.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const path = quote(request.raw.url ?? '');
  const [statusCode, code, message] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [
          414,
          'URI_TOO_LONG',
          `a segment of the path ${path} is over 100 characters: no id or number is that long`,
        ]
      : error.code === 'FST_ERR_BAD_URL'
        ? [
            400,
            'INVALID_REQUEST',
            `the path ${path} is not valid: each "%" must begin a percent-encoded UTF-8 byte`,
          ]
        : [error.statusCode ?? 500, codeOfStatus(error.statusCode ?? 500), error.message];
  void reply.code(statusCode).send({ statusCode, code, message });
}
