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
