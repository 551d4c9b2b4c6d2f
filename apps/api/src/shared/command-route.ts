import { applyDecorators, HttpCode, HttpStatus, type Type } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { COMMAND_REASONS, type CommandType, type EdgeReasonCode, type ReasonCode } from '#domain';
import { ReasonResponses } from '#http';
import { CommandIdempotencyDocs } from './command-docs.js';

/** What every command route may answer besides its command's refusals. */
const EVERY_COMMAND: readonly EdgeReasonCode[] = [
  'INVALID_REQUEST',
  'INVALID_ID',
  'CONCURRENCY_CONFLICT',
  'COMMAND_ID_TAKEN',
  'IDEMPOTENCY_KEY_REUSED',
  'FOREIGN_EVENT_IN_STREAM',
  'STREAM_DELETED',
  'TOO_MANY_COMMANDS',
  'STORE_UNAVAILABLE',
  'STORE_CANNOT_WRITE',
];

/** A command's `at` is taken from the api's clock first (R21). */
const AT: readonly ReasonCode[] = ['AT_REQUIRES_VIRTUAL_CLOCK', 'CLOCK_CANNOT_GO_BACK', 'INVALID_TIME'];

export interface CommandRouteDocs {
  readonly summary: string;
  /** The command(s) the route sends: the catalogue lists what each may be refused with. */
  readonly commands: readonly CommandType[];
  /** 201 when the command creates something the client names afterwards; 200 otherwise. */
  readonly created?: boolean;
  /** The success body. */
  readonly answer: Type<unknown>;
  /** Answers of the route's own path parameters (e.g. a line number that is not one). */
  readonly edge?: readonly EdgeReasonCode[];
}

/**
 * A command route's status and OpenAPI from one declaration: the status it answers is the status it
 * documents, and its refusals are the catalogue's for its commands.
 */
export const CommandRoute = ({ summary, commands, created = false, answer, edge = [] }: CommandRouteDocs) =>
  applyDecorators(
    HttpCode(created ? HttpStatus.CREATED : HttpStatus.OK),
    ApiOperation({ summary }),
    created
      ? ApiCreatedResponse({ type: answer, description: 'Accepted; the appended events' })
      : ApiOkResponse({ type: answer, description: 'Accepted; the appended events (none: no change)' }),
    ReasonResponses({
      refusals: [...new Set([...commands.flatMap((command) => COMMAND_REASONS[command]), ...AT])],
      edge: [...EVERY_COMMAND, ...edge],
    }),
    CommandIdempotencyDocs(),
  );
