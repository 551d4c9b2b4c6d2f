import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from '#domain';
import {
  ContentionError,
  DeletedStreamError,
  ForeignEventInStreamError,
  InvalidStreamIdError,
  TooManyCommandsError,
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

const statusOfDomainError: Record<DomainError['kind'], number> = {
  conflict: HttpStatus.CONFLICT,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  not_found: HttpStatus.NOT_FOUND,
};

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
    if (body.statusCode >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (exception instanceof TooManyCommandsError)
      void reply.header('retry-after', String(exception.retryAfterSeconds));
    void reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown): ApiErrorBody {
    if (exception instanceof DomainError) {
      return {
        statusCode: statusOfDomainError[exception.kind],
        code: exception.code,
        message: exception.message,
        ...(exception.rule ? { rule: exception.rule } : {}),
        ...(Object.keys(exception.details).length > 0 ? { details: exception.details } : {}),
      };
    }
    if (exception instanceof InvalidStreamIdError) {
      return { statusCode: HttpStatus.BAD_REQUEST, code: 'INVALID_ID', message: exception.message };
    }
    if (exception instanceof ForeignEventInStreamError) {
      // The stream, not the request, is at fault: nothing is decided on a fold that cannot be trusted.
      const { foreign } = exception;
      return {
        statusCode: HttpStatus.UNPROCESSABLE_ENTITY,
        code: 'FOREIGN_EVENT_IN_STREAM',
        message: exception.message,
        details: {
          stream: foreign.stream,
          revision: String(foreign.revision),
          position: foreign.position === undefined ? null : String(foreign.position),
          eventId: foreign.id,
          eventType: foreign.type,
          reason: foreign.reason,
        },
      };
    }
    if (exception instanceof DeletedStreamError) {
      return {
        statusCode: HttpStatus.GONE,
        code: 'STREAM_DELETED',
        message: exception.message,
        details: { stream: exception.stream, deletion: exception.deletion },
      };
    }
    if (exception instanceof TooManyCommandsError) {
      return {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        code: 'TOO_MANY_COMMANDS',
        message: exception.message,
        details: { stream: exception.stream, retryAfterSeconds: exception.retryAfterSeconds },
      };
    }
    if (exception instanceof ContentionError) {
      return { statusCode: HttpStatus.CONFLICT, code: 'CONCURRENCY_CONFLICT', message: exception.message };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const existing = typeof response === 'object' ? (response as Partial<ApiErrorBody>) : {};
      return {
        statusCode: status,
        code: existing.code ?? codeForStatus(status),
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
        code: codeForStatus(fastifyError.statusCode),
        message: fastifyError.message ?? 'bad request',
      };
    }
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'INTERNAL_ERROR',
      message: 'Switchboard failed to handle the request; this is a bug, see the api log',
    };
  }
}

const codeForStatus = (status: number): string =>
  ({
    400: 'INVALID_REQUEST',
    404: 'NOT_FOUND',
    405: 'METHOD_NOT_ALLOWED',
    409: 'CONFLICT',
    413: 'PAYLOAD_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
  })[status] ?? `HTTP_${status}`;
