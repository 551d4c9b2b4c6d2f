import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { TimeTravelBusyError } from '#read-models';
import { codeOfStatus, unreadableBodyAnswer } from '#http';
import { TimeTravelBusyFilter } from './time-travel-busy.filter.js';

/** An error answer of the projector: a stable code to switch on, a sentence for people. */
interface ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
}

/**
 * Every failure the projector answers carries a `code` (docs/rules.md, "Answers that name no rule"):
 * its routes throw their refusals with one already and keep them as they are; what Nest and Fastify
 * answer on their own (no such route, a body that is not JSON or is too large) gets the code of its
 * status; anything else is our bug, a 500 that says so and is logged.
 */
@Catch()
export class ProjectorErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('projector');
  private readonly timeTravelBusy = new TimeTravelBusyFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof TimeTravelBusyError) return this.timeTravelBusy.catch(exception, host);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = answerTo(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    // A stream that has begun answering has nothing more to say.
    if (reply.sent) return;
    void reply.status(status).send(body);
  }
}

const answerTo = (exception: unknown): { status: number; body: object } => {
  const unreadableBody = unreadableBodyAnswer(exception);
  if (unreadableBody) return { status: unreadableBody.statusCode, body: unreadableBody };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    // A refusal thrown with its code keeps it, and says its status as every other answer does.
    if (typeof response === 'object' && typeof (response as { code?: unknown }).code === 'string')
      return { status, body: { statusCode: status, ...response } };
    return { status, body: coded(status, messageOf(response) ?? exception.message) };
  }
  // Fastify's own rejections (a body that is not JSON, or too large) carry a status below 500.
  const fastifyError = exception as { statusCode?: unknown; message?: unknown } | null;
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode < 500) {
    const status = fastifyError.statusCode;
    return { status, body: coded(status, messageOf(fastifyError) ?? 'bad request') };
  }
  return {
    status: 500,
    body: coded(
      500,
      "Switchboard's projector failed to handle the request; this is a bug, see the projector log",
    ),
  };
};

const messageOf = (response: unknown): string | undefined => {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown } | null)?.message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return undefined;
};

const coded = (status: number, message: string): ErrorBody => ({
  statusCode: status,
  code: codeOfStatus(status),
  message,
});
