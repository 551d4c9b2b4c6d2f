import { jest } from '@jest/globals';
import { HttpException, Logger } from '@nestjs/common';
import { UnavailableError } from '@eventstore/db-client';
import { EDGE_REASONS } from '#domain';
import { StoreCannotWriteError } from '#eventstore';
import { answerOf } from '../../../../libs/http/src/filter-answer.fixture.js';
import { ApiErrorFilter, type ApiErrorBody } from './api-error.filter.js';

/** What the filter answers for `exception`: status, headers and body, as the reply was given them. */
const answerTo = (exception: unknown) => answerOf<ApiErrorBody>(new ApiErrorFilter(), exception);

describe('the api error filter', () => {
  it('answers a command met by a stopped or unreachable event store with STORE_UNAVAILABLE (503), not as a bug', () => {
    const { status, body } = answerTo(
      new UnavailableError(undefined, '14 UNAVAILABLE: No connection established'),
    );
    expect(status).toBe(503);
    expect(status).toBe(EDGE_REASONS.STORE_UNAVAILABLE.status);
    expect(body?.code).toBe('STORE_UNAVAILABLE');
    expect(body?.message).toMatch(/event store is not answering.*again/);
  });

  it('answers a command the event store could not write with STORE_CANNOT_WRITE (503), naming the cause', () => {
    const { status, body } = answerTo(new StoreCannotWriteError('account-a', 'ENOSPC'));
    expect(status).toBe(EDGE_REASONS.STORE_CANNOT_WRITE.status);
    expect(body).toMatchObject({
      statusCode: 503,
      code: 'STORE_CANNOT_WRITE',
      message: expect.stringMatching(/cannot write its log.*nothing was appended/),
      details: { cause: 'ENOSPC' },
    });
  });

  it('still answers anything it does not know as INTERNAL_ERROR (500)', () => {
    const { status, body } = answerTo(new Error('boom'));
    expect(status).toBe(500);
    expect(body?.code).toBe('INTERNAL_ERROR');
  });

  describe('what it logs', () => {
    const logged = (exception: unknown) => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        answerTo(exception);
        return {
          warnings: warn.mock.calls.map(([line]) => line),
          errors: error.mock.calls.map(([line]) => line),
        };
      } finally {
        warn.mockRestore();
        error.mockRestore();
      }
    };

    it('a store that cannot write or is not answering: one warning naming the cause, no stack, as every command meets it while it lasts', () => {
      expect(logged(new StoreCannotWriteError('account-a', 'ENOSPC'))).toEqual({
        warnings: [expect.stringMatching(/^STORE_CANNOT_WRITE: .*\(ENOSPC\)/)],
        errors: [],
      });
      expect(logged(new UnavailableError(undefined, '14 UNAVAILABLE: No connection established'))).toEqual({
        warnings: [expect.stringMatching(/^STORE_UNAVAILABLE: /)],
        errors: [],
      });
    });

    it('a bug: an error with its stack', () => {
      const bug = new Error('boom');
      expect(logged(bug)).toEqual({ warnings: [], errors: [bug.stack] });
    });

    it('a refusal of the request: nothing', () => {
      expect(logged(new HttpException('no', 404))).toEqual({ warnings: [], errors: [] });
    });
  });
});
