import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import canonicalize from 'canonicalize';
import type { FastifyRequest } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import { ID_PATTERN, ID_RULE, TIMER_COMMAND_ID_PREFIX } from '#events';
import { type CommandMetadata } from '#eventstore';
import { noteCorrelationId } from '#http';

/** Where a command came from: the ids that tie its events to the request and to each other. */
export interface CommandOrigin {
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** The request the command came in (requestDigestOf); none for commands no client sent. */
  readonly requestDigest?: string;
  /** The client chose `commandId` (body or Idempotency-Key), so it may send it again. */
  readonly clientCommandId?: boolean;
}

/**
 * What the timers' command ids start with (`timerCommandId`). A client's command id may not: the
 * store would take a timer that fires later for a resend of the client's command, answer it as a
 * duplicate and never decide it (a ring that never times out, a transfer never recalled).
 */
export { TIMER_COMMAND_ID_PREFIX };
/** A client's command id: anything but the timers' prefix. */
export const NOT_A_TIMER_ID = /^(?!timer-)/;
export const NOT_A_TIMER_ID_RULE = `must not start with "${TIMER_COMMAND_ID_PREFIX}", which names the timers' own commands`;

const header = (
  request: FastifyRequest,
  name: 'idempotency-key' | 'x-correlation-id',
): string | undefined => {
  const value = request.headers[name];
  if (value === undefined) return undefined;
  const single = Array.isArray(value) ? value[0] : value;
  if (single === undefined || !ID_PATTERN.test(single) || single.length > 64) {
    throw new BadRequestException({
      code: 'INVALID_REQUEST',
      message: `header ${name} ${ID_RULE}`,
      errors: [{ field: name, messages: [ID_RULE] }],
    });
  }
  if (name === 'idempotency-key' && !NOT_A_TIMER_ID.test(single)) {
    throw new BadRequestException({
      code: 'INVALID_REQUEST',
      message: `header ${name} ${NOT_A_TIMER_ID_RULE}`,
      errors: [{ field: name, messages: [NOT_A_TIMER_ID_RULE] }],
    });
  }
  return single;
};

/**
 * The command's origin from the request: the body's `commandId` or an `Idempotency-Key` header (both,
 * if they name the same id) makes it idempotent; without one a fresh id is generated. `X-Correlation-Id` ties a conversation
 * of commands together (a load-test call flow, a scenario); by default a command starts its own.
 * Commands from clients are caused by themselves; process managers set the causing event instead.
 */
export const Origin = createParamDecorator((_data: unknown, context: ExecutionContext): CommandOrigin => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const body = (request.body ?? {}) as { commandId?: unknown };
  const inBody = typeof body.commandId === 'string' ? body.commandId : undefined;
  const inHeader = header(request, 'idempotency-key');
  // Two different ids for one request: taking either would make the client's resend under the other
  // a new command, decided twice.
  if (inBody !== undefined && inHeader !== undefined && inBody !== inHeader) {
    const message = `is ${inHeader}, but the body's commandId is ${inBody}: send one id, or the same in both`;
    throw new BadRequestException({
      code: 'INVALID_REQUEST',
      message: `header idempotency-key ${message}`,
      errors: [{ field: 'idempotency-key', messages: [message] }],
    });
  }
  const commandId = inBody ?? inHeader ?? randomUUID();
  const correlationId = header(request, 'x-correlation-id') ?? commandId;
  noteCorrelationId(request, correlationId);
  const requestDigest = requestDigestOf(request);
  return {
    commandId,
    correlationId,
    causationId: commandId,
    ...(requestDigest === undefined ? {} : { requestDigest }),
    clientCommandId: inBody !== undefined || inHeader !== undefined,
  };
});

/**
 * What a command's request was, as the repository compares a resend with it (Stripe's idempotency
 * keys): its method, its path and its body without the command id (moving the id between body and
 * `Idempotency-Key` is the same request), as RFC 8785 canonical JSON so that key order and spacing
 * do not count. A SHA-256 in hex: it goes into every event's metadata, so a check made after an api
 * restart, or by another api instance, reads it from the store. None for a body canonical JSON cannot
 * write (see below).
 */
export const requestDigestOf = (
  request: Pick<FastifyRequest, 'method' | 'url' | 'body'>,
): string | undefined => {
  // Commands take JSON objects only (anything else is refused before a handler runs).
  const asked: Record<string, unknown> = { ...(request.body ?? {}) };
  delete asked.commandId;
  const [path] = request.url.split('?');
  let text: string;
  try {
    text = canonicalize({ method: request.method, path, body: asked }) ?? '';
  } catch {
    // Canonical JSON cannot write every body JSON.parse makes: one nested thousands of levels deep
    // (still under the body limit) overflows its recursive walk, and it refuses half a surrogate pair
    // and a number parsed as Infinity (1e999). The validation pipe, which runs after this decorator,
    // refuses each of them with a 400 before any command runs, so such a body needs no digest.
    return undefined;
  }
  return createHash('sha256').update(text).digest('hex');
};

/**
 * The metadata of a command's events. Who acted for whom with which permission (SPEC §2) is the
 * decision's to say: the repository sets it from the accepted decision's authority.
 */
export const commandMetadata = (
  origin: CommandOrigin,
  actor: string,
  simulatedTime: Date,
): CommandMetadata => ({
  $correlationId: origin.correlationId,
  $causationId: origin.causationId,
  commandId: origin.commandId,
  actor,
  onBehalfOf: null,
  permission: null,
  simulatedTime: simulatedTime.toISOString(),
  ...(origin.requestDigest === undefined ? {} : { requestDigest: origin.requestDigest }),
});
