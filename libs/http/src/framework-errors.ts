import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { codeOfStatus, type ErrorAnswer } from './status-codes.js';

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
  const refusal: ErrorAnswer =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? {
          statusCode: 414,
          code: 'URI_TOO_LONG',
          message: `a segment of the path ${path} is over 100 characters: no id or number is that long`,
        }
      : error.code === 'FST_ERR_BAD_URL'
        ? {
            statusCode: 400,
            code: 'INVALID_REQUEST',
            message: `the path ${path} is not valid: ${BAD_PERCENT_ENCODING}`,
            // A malformed request names what is at fault, here the path, as validation names fields.
            errors: [{ field: 'path', messages: [BAD_PERCENT_ENCODING] }],
          }
        : {
            statusCode: error.statusCode ?? 500,
            code: codeOfStatus(error.statusCode ?? 500),
            message: error.message,
          };
  void reply.code(refusal.statusCode).send(refusal);
}

const BAD_PERCENT_ENCODING = 'each "%" must begin a percent-encoded UTF-8 byte';

/**
 * The answer to a request Node's HTTP parser refuses before Fastify sees a request at all (a chunk
 * size that is not hex, both Content-Length and Transfer-Encoding, headers over Node's 16 KiB, a
 * request that did not arrive in time). Fastify's own answer is `{"error":"Bad Request","message":
 * "Client Error"}`, with no `code` to switch on; here it is every other refusal's shape. The
 * connection is closed after it, as Node and Fastify do: what follows on it cannot be framed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [statusCode, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', "the request's headers are over the 16 KiB this server reads"]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'the request did not arrive whole in time: send it again']
        : [
            400,
            'INVALID_REQUEST',
            `the request is not valid HTTP/1.1 (${error.code ?? 'unreadable'}): check its chunks, ` +
              'Content-Length and Transfer-Encoding',
          ];
  const body = JSON.stringify({ statusCode, code, message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${statusCode} ${STATUS_TEXT[statusCode]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};
