import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';

/** OpenAPI for the answer to a read or a command on a stream deleted in the event store. */
export const StreamDeletedDocs = () =>
  ApiResponse({
    status: HttpStatus.GONE,
    description:
      '`STREAM_DELETED`: the account or line stream (or the account of the line) was tombstoned or ' +
      'soft deleted in the event store; `details.deletion` says which. Nothing is appended, and the id ' +
      'is not recreated',
  });

/** OpenAPI every command endpoint shares: its idempotency key, the window it holds for, and its refusals. */
export const CommandIdempotencyDocs = () =>
  applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'The command id, when the body has no `commandId`. A resend with the same id within 15 minutes ' +
        'of the first append (`IDEMPOTENCY_WINDOW_SECONDS`), also after an api restart, appends nothing ' +
        'and answers the first result with `duplicate: true`; later it is decided anew. A rejected ' +
        'command appended nothing: its resend is decided again',
    }),
    StreamDeletedDocs(),
    ApiResponse({
      status: HttpStatus.TOO_MANY_REQUESTS,
      description:
        '`TOO_MANY_COMMANDS`: the stream took 100,000 commands within the idempotency window, the most ' +
        'the api remembers per stream; retry after `Retry-After` seconds. Nothing appended',
    }),
  );
