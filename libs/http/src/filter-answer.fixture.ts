import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';

/** What an exception filter gave the reply: the status, headers and body it set, if any. */
export interface FilterAnswer<Body = unknown> {
  status?: number;
  headers: Record<string, string>;
  body?: Body;
}

/**
 * What `filter` answers for `exception`, through a stand-in for the Fastify reply it writes to.
 * `sent`: the reply had already begun (a stream answering), as Fastify's `reply.sent` says.
 */
export const answerOf = <Body = unknown>(
  filter: ExceptionFilter,
  exception: unknown,
  sent = false,
): FilterAnswer<Body> => {
  const answer: FilterAnswer<Body> = { headers: {} };
  const reply = {
    sent,
    status(code: number) {
      answer.status = code;
      return reply;
    },
    header(name: string, value: string) {
      answer.headers[name] = value;
      return reply;
    },
    send(body: Body) {
      answer.body = body;
      return reply;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;
  filter.catch(exception, host);
  return answer;
};
