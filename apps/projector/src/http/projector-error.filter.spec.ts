import { ForbiddenException, NotFoundException } from '@nestjs/common';
import { TimeTravelBusyError } from '#read-models';
import { answerOf } from '../../../../libs/http/src/filter-answer.fixture.js';
import { ProjectorErrorFilter } from './projector-error.filter.js';

/** What the filter sends for an exception: status, headers and body, through a stand-in reply. */
const answerTo = (exception: unknown, sent = false) => answerOf(new ProjectorErrorFilter(), exception, sent);

describe('the projector answers every failure with a code', () => {
  it('keeps a refusal that has its code, as the route wrote it, and says its status', () => {
    const refusal = { code: 'NOT_VISIBLE_TO_VIEWER', rule: 'R17', message: 'not yours' };
    expect(answerTo(new ForbiddenException(refusal))).toEqual({
      status: 403,
      headers: {},
      body: { statusCode: 403, ...refusal },
    });
  });

  it("gives Nest's own answers (no such route) the code of their status", () => {
    expect(answerTo(new NotFoundException('Cannot GET /nope'))).toMatchObject({
      status: 404,
      body: { statusCode: 404, code: 'NOT_FOUND', message: 'Cannot GET /nope' },
    });
  });

  it("gives Fastify's own rejections (a body that is not JSON, or too large) the code of their status", () => {
    const notJson = Object.assign(new Error('Body is not valid JSON'), { statusCode: 400 });
    expect(answerTo(notJson).body).toEqual({
      statusCode: 400,
      code: 'INVALID_REQUEST',
      message: 'Body is not valid JSON',
    });
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(answerTo(tooLarge)).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('answers too many as-of queries with 429 TIME_TRAVEL_BUSY and Retry-After', () => {
    expect(answerTo(new TimeTravelBusyError(2, 8, 1))).toMatchObject({
      status: 429,
      headers: { 'retry-after': '1' },
      body: { code: 'TIME_TRAVEL_BUSY', details: { running: 2, waiting: 8 } },
    });
  });

  it('answers a bug with 500 INTERNAL_ERROR, and nothing once a stream has begun answering', () => {
    expect(answerTo(new TypeError('x.split is not a function'))).toMatchObject({
      status: 500,
      body: { statusCode: 500, code: 'INTERNAL_ERROR' },
    });
    expect(answerTo(new TypeError('late'), true)).toEqual({ headers: {} });
  });
});
