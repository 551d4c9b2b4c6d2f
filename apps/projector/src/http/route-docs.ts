import { applyDecorators } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  type ApiQueryOptions,
  type SchemaObject,
} from '@nestjs/swagger';
import type { EdgeReasonCode } from '#domain';
import { ReasonResponses, type RouteReasons } from '#http';

/**
 * An answer "as of" a position or a simulated time: 400 for a malformed one, 422 for a time the stack
 * has not reached, 500 when its replay fails, 429 when too many wait.
 */
const AS_OF: readonly EdgeReasonCode[] = [
  'INVALID_REQUEST',
  'AS_OF_TIME_NOT_REACHED',
  'PROJECTION_FAILED',
  'TIME_TRAVEL_BUSY',
];

/** A line in the path: its account, its number as the api takes it, a party's direct number (R10). */
const ON_A_LINE: readonly EdgeReasonCode[] = ['INVALID_REQUEST', 'ACCOUNT_NOT_FOUND', 'INVALID_NUMBER'];

export interface QueryReasons extends RouteReasons {
  /** The route takes `asOf` / `asOfTime`. */
  readonly asOf?: boolean;
  /** The route names a line by `:accountId/:number`. */
  readonly line?: boolean;
}

/**
 * The optional `asOf` and `asOfTime` queries of a route that answers as of a point (read with AsOfQuery).
 * `answered`, when given, says what is answered as of them ("answer", "the seat"), and `timeDefault`
 * what time it is answered at without `asOfTime`.
 */
export const AsOfQueries = (answered?: string, timeDefault = '') =>
  applyDecorators(
    ApiQuery({
      name: 'asOf',
      type: String,
      required: false,
      ...(answered === undefined ? {} : { description: `${answered} as of this $all commit position` }),
    }),
    ApiQuery({
      name: 'asOfTime',
      type: String,
      required: false,
      ...(answered === undefined
        ? {}
        : { description: `${answered} as of this simulated time (ISO-8601)${timeDefault}` }),
    }),
  );

/**
 * A projector route's refusals, from the catalogue (EDGE_REASONS, and the domain's LINE_NOT_FOUND for a
 * number that is nobody's direct number): what OpenAPI documents is what the route answers, in the
 * same words as the api's routes and docs/reason-codes.md.
 */
export const QueryRefusals = ({ asOf = false, line = false, refusals = [], edge = [] }: QueryReasons) =>
  ReasonResponses({
    refusals: [...(line ? (['LINE_NOT_FOUND'] as const) : []), ...refusals],
    edge: [...new Set([...(asOf ? AS_OF : []), ...(line ? ON_A_LINE : []), ...edge])],
  });

/**
 * R20: a route saying why, as of a point: whether, and the rule that decides it, in a sentence. It
 * answers an unknown line or party itself, naming the rule; only an unknown account or a malformed
 * number is refused. Applied in the order written: the queries naming what is diagnosed come before
 * the time it is diagnosed at, as the document has always listed them.
 */
export const DiagnosisRoute = (doc: {
  readonly summary: string;
  readonly queries?: readonly ApiQueryOptions[];
  readonly asOf: Parameters<typeof AsOfQueries>;
  readonly answer: string;
  readonly example: unknown;
}) =>
  applyDecorators(
    ApiOperation({ summary: doc.summary }),
    ...(doc.queries ?? []).map((query) => ApiQuery(query)),
    AsOfQueries(...doc.asOf),
    QueryAnswer(doc.answer, doc.example),
    QueryRefusals({ asOf: true, edge: ['ACCOUNT_NOT_FOUND', 'INVALID_NUMBER'] }),
  );

/**
 * The schema an example answer has: its types all the way down, and every top-level field required
 * (nested objects vary with what they describe, so only their fields' types are documented). A field
 * that is null in the example is documented as nullable.
 */
export const schemaOf = (example: unknown, top = true): SchemaObject => {
  if (example === null) return { nullable: true };
  if (Array.isArray(example))
    return { type: 'array', items: example.length ? schemaOf(example[0], false) : {} };
  if (typeof example === 'object') {
    const fields = Object.entries(example as Record<string, unknown>);
    return {
      type: 'object',
      ...(top ? { required: fields.map(([name]) => name) } : {}),
      properties: Object.fromEntries(fields.map(([name, value]) => [name, schemaOf(value, false)])),
    };
  }
  return { type: typeof example === 'number' ? 'number' : typeof example };
};

/** A read route's 200: its schema, derived from a real answer (answer-examples.ts), and that answer as example. */
export const QueryAnswer = (description: string, example: unknown) =>
  ApiOkResponse({ description, schema: { ...schemaOf(example), example } });

/** A server-sent event stream's 200. */
export const EventStreamAnswer = (description: string) =>
  applyDecorators(ApiProduces('text/event-stream'), ApiOkResponse({ description }));
