/**
 * The code of an answer that Nest or Fastify gave on their own (no such route, a body that is not
 * JSON or too large, a wrong content type), by its status: the api and the projector answer every
 * failure with a `code` to switch on, these included.
 */
export const codeOfStatus = (status: number): string => CODE_OF_STATUS.get(status) ?? `HTTP_${status}`;

const CODE_OF_STATUS: ReadonlyMap<number, string> = new Map([
  [400, 'INVALID_REQUEST'],
  [404, 'NOT_FOUND'],
  [405, 'METHOD_NOT_ALLOWED'],
  [409, 'CONFLICT'],
  [413, 'PAYLOAD_TOO_LARGE'],
  [414, 'URI_TOO_LONG'],
  [415, 'UNSUPPORTED_MEDIA_TYPE'],
  [500, 'INTERNAL_ERROR'],
]);

/** An error answer's body as the api and the projector give one; a malformed request's names its fields. */
export interface ErrorAnswer {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  readonly errors?: readonly { field: string; messages: string[] }[];
}

/**
 * Fastify's refusal of a body its parser could not read (not JSON, or empty under a JSON content
 * type), however it reaches an exception filter (Nest hands it over as the cause of an HttpException),
 * as a malformed request's answer: the body named as the field at fault, as validation names fields.
 * Undefined for any other exception.
 */
export const unreadableBodyAnswer = (exception: unknown): ErrorAnswer | undefined => {
  const error = exception instanceof Error && exception.cause instanceof Error ? exception.cause : exception;
  const { statusCode, code, message } = (error ?? {}) as {
    statusCode?: unknown;
    code?: unknown;
    message?: unknown;
  };
  if (statusCode !== 400 || typeof code !== 'string' || !code.startsWith('FST_ERR_CTP_')) return undefined;
  if (typeof message !== 'string') return undefined;
  return {
    statusCode,
    code: codeOfStatus(statusCode),
    message,
    errors: [{ field: 'body', messages: [message] }],
  };
};
