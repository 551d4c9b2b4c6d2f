import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError, EDGE_REASONS, STATUS_OF_KIND, type EdgeReasonCode } from '#domain';
import { InvalidStreamIdError } from '#events';
import { codeOfStatus, unreadableBodyAnswer } from '#http';
import {
  CommandIdTakenError,
  ContentionError,
  DeletedStreamError,
  ForeignEventInStreamError,
  IdempotencyKeyReusedError,
  StoreCannotWriteError,
  TooManyCommandsError,
  isStoreUnavailable,
} from '#eventstore';

/** The body of every error answer: a stable code to switch on, a sentence for people. */
export interface ApiErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  readonly rule?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly errors?: readonly { field: string; messages: string[] }[];
}

/** An answer the catalogue lists among those that name no rule, with the status it gives it. */
const edgeAnswer = (
  code: EdgeReasonCode,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): ApiErrorBody => ({
  statusCode: EDGE_REASONS[code].status,
  code,
  message,
  ...(details ? { details } : {}),
});

/**
 * 503s that say the event store is down or cannot write: the operator's to fix, not our bug, and while
 * it lasts every command meets one. A line each, without a stack, that names the cause; a stack per
 * command would bury the log and say nothing more.
 */
const STORE_OUTAGES: ReadonlySet<string> = new Set<EdgeReasonCode>([
  'STORE_UNAVAILABLE',
  'STORE_CANNOT_WRITE',
]);

const errorMessage = (exception: unknown): string =>
  exception instanceof Error ? exception.message : String(exception);

/**
 * Maps every failure to a clear answer: domain rejections keep their reason code and rule, malformed
 * input is a 400, contention a retryable 409. Anything else is our bug: a 500 that says so and is logged.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = this.toBody(exception);
    if (STORE_OUTAGES.has(body.code)) this.logger.warn(`${body.code}: ${errorMessage(exception)}`);
    else if (body.statusCode >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (exception instanceof TooManyCommandsError)
      void reply.header('retry-after', String(exception.retryAfterSeconds));
    void reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown): ApiErrorBody {
    const unreadableBody = unreadableBodyAnswer(exception);
    if (unreadableBody) return unreadableBody;
    if (exception instanceof DomainError) {
      return {
        statusCode: STATUS_OF_KIND[exception.kind],
        code: exception.code,
        message: exception.message,
        ...(exception.rule ? { rule: exception.rule } : {}),
        ...(Object.keys(exception.details).length > 0 ? { details: exception.details } : {}),
      };
    }
    if (exception instanceof InvalidStreamIdError) {
      return edgeAnswer('INVALID_ID', exception.message);
    }
    if (exception instanceof ForeignEventInStreamError) {
      // The stream, not the request, is at fault: nothing is decided on a fold that cannot be trusted.
      const { foreign } = exception;
      return edgeAnswer('FOREIGN_EVENT_IN_STREAM', exception.message, {
        stream: foreign.stream,
        revision: String(foreign.revision),
        position: foreign.position === undefined ? null : String(foreign.position),
        eventId: foreign.id,
        eventType: foreign.type,
        reason: foreign.reason,
      });
    }
    if (exception instanceof DeletedStreamError) {
      return edgeAnswer('STREAM_DELETED', exception.message, {
        stream: exception.stream,
        deletion: exception.deletion,
      });
    }
    if (exception instanceof TooManyCommandsError) {
      return edgeAnswer('TOO_MANY_COMMANDS', exception.message, {
        stream: exception.stream,
        retryAfterSeconds: exception.retryAfterSeconds,
      });
    }
    if (exception instanceof CommandIdTakenError) {
      return edgeAnswer('COMMAND_ID_TAKEN', exception.message, { commandId: exception.commandId });
    }
    if (exception instanceof IdempotencyKeyReusedError) {
      return edgeAnswer('IDEMPOTENCY_KEY_REUSED', exception.message, { commandId: exception.commandId });
    }
    if (exception instanceof StoreCannotWriteError) {
      return edgeAnswer(
        'STORE_CANNOT_WRITE',
        'The event store cannot write its log (its disk is full or failing): nothing was appended. Send the command again once it can; with the same command id it is applied at most once.',
        { cause: exception.errorCode },
      );
    }
    if (exception instanceof ContentionError) {
      return edgeAnswer('CONCURRENCY_CONFLICT', exception.message);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const existing = typeof response === 'object' ? (response as Partial<ApiErrorBody>) : {};
      return {
        statusCode: status,
        code: existing.code ?? codeOfStatus(status),
        message:
          existing.message && typeof existing.message === 'string' ? existing.message : exception.message,
        ...(existing.errors ? { errors: existing.errors } : {}),
      };
    }
    // Fastify's own rejections (body too large, bad JSON, wrong content type) carry a statusCode.
    const fastifyError = exception as { statusCode?: number; message?: string; code?: string };
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode < 500) {
      return {
        statusCode: fastifyError.statusCode,
        code: codeOfStatus(fastifyError.statusCode),
        message: fastifyError.message ?? 'bad request',
      };
    }
    // The store stopped, restarting or unreachable: the client's gRPC status 14, no bug of ours.
    if (isStoreUnavailable(exception)) {
      return edgeAnswer(
        'STORE_UNAVAILABLE',
        'The event store is not answering (stopped, restarting or unreachable): send the command again once it is back; with the same command id it is applied at most once.',
      );
    }
    return edgeAnswer(
      'INTERNAL_ERROR',
      'Switchboard failed to handle the request; this is a bug, see the api log',
    );
  }
}
