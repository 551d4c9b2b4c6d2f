import { ArgumentsHost, Catch, HttpStatus, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { TimeTravelBusyError } from '#read-models';

/**
 * Too many as-of queries at once (see TimeMachine): 429 `TIME_TRAVEL_BUSY` with `Retry-After`, so a
 * client (the panel's time control) backs off instead of piling up whole-state replays.
 */
@Catch(TimeTravelBusyError)
export class TimeTravelBusyFilter implements ExceptionFilter<TimeTravelBusyError> {
  catch(exception: TimeTravelBusyError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply
      .header('retry-after', String(exception.retryAfterSeconds))
      .status(HttpStatus.TOO_MANY_REQUESTS)
      .send({
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        code: 'TIME_TRAVEL_BUSY',
        message: exception.message,
        details: { running: exception.running, waiting: exception.waiting },
      });
  }
}
