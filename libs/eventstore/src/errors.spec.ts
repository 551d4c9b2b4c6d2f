import { Metadata, status } from '@grpc/grpc-js';
import { UnavailableError, UnknownError } from '@eventstore/db-client';

import { logWriteFailureCode } from './errors.js';

/** A gRPC status as the client receives one, with its trailers. */
const grpcStatus = (code: status, trailers: Record<string, string> = {}) => {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error('14 UNAVAILABLE: the log could not be written'), {
    code,
    details: 'the log could not be written',
    metadata,
  });
};

describe('logWriteFailureCode', () => {
  it('reads the code from a BatchAppend reply as the client keeps it, behind "Could not recognize "', () => {
    const refusal = new UnknownError(
      undefined,
      'Could not recognize log-write-failed EDQUOT: the log could not be written (EDQUOT: disk quota exceeded, write)',
    );

    expect(logWriteFailureCode(refusal)).toBe('EDQUOT');
  });

  it("reads the code from the legacy Append's UNAVAILABLE trailer", () => {
    expect(
      logWriteFailureCode(
        new UnavailableError(grpcStatus(status.UNAVAILABLE, { 'log-write-failed': 'ENOSPC' })),
      ),
    ).toBe('ENOSPC');
  });

  it('finds none in a store that is down, nor in another unknown error', () => {
    expect(logWriteFailureCode(new UnavailableError(grpcStatus(status.UNAVAILABLE)))).toBeUndefined();
    expect(
      logWriteFailureCode(new UnknownError(undefined, 'Could not recognize something else')),
    ).toBeUndefined();
    expect(logWriteFailureCode(new UnknownError())).toBeUndefined();
    expect(logWriteFailureCode(new Error('log-write-failed ENOSPC: from elsewhere'))).toBeUndefined();
  });
});
