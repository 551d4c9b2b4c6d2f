import { HttpStatus } from '@nestjs/common';
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

/** The idempotency key every command route takes; its answers come from the catalogue (`CommandRoute`). */
export const CommandIdempotencyDocs = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'The command id, when the body has no `commandId` (a body with a different one is a 400). A resend of the same request (method, path, ' +
      'body) with the same id within 15 minutes of the first append (`IDEMPOTENCY_WINDOW_SECONDS`), ' +
      'also after an api restart, appends nothing and answers the first result with `duplicate: true`; ' +
      'a different request under it is refused (`IDEMPOTENCY_KEY_REUSED`); later it is decided anew. ' +
      'A rejected command appended nothing: its resend is decided again. A command that changed ' +
      'nothing (no events) appended nothing either: its resend is decided again, and a different ' +
      'request under its id is refused only by the api instance that answered it, which remembers ' +
      'the id in memory (not after a restart, nor on another instance)',
  });
