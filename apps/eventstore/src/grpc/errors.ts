import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

// `storage.` says whose: the store's refusals are named as the client's errors they become
// (StreamDeletedError, WrongExpectedVersionError…), and this module is where one turns into the other.
import * as storage from '../storage/index.js';

/**
 * The trailer of an UNAVAILABLE status refusing an append because the log could not be written, with
 * the write's error code (ENOSPC, EIO…). Ours, not EventStoreDB's: the client switches only on
 * `exception` and passes any other trailer through (libs/eventstore reads it).
 */
export const LOG_WRITE_FAILED_TRAILER = 'log-write-failed';

/**
 * What a BatchAppend reply refusing such an append says, so that its client can tell it from any other
 * refusal: the same word as the trailer, then the write's error code, then why. A reply carries no
 * trailers, and the official client keeps only the message of an error whose details it does not
 * know (as `Could not recognize <message>`), so the code travels in the message.
 */
export const logWriteFailedMessage = (error: storage.LogWriteFailedError): string =>
  `${LOG_WRITE_FAILED_TRAILER} ${error.code}: ${error.message}`;

/** A gRPC status with the `exception` trailer the client switches on (ESDB-PROTOCOL.md, "Errors"). */
export function serviceError(
  code: status,
  details: string,
  trailers: Record<string, string> = {},
): ServiceError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata });
}

function streamDeleted(stream: string): ServiceError {
  return serviceError(status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': stream,
  });
}

/**
 * EventStoreDB's reason for an event whose type is empty, as its `Event` constructor words it (.NET
 * appends the parameter); both appends refuse it.
 */
export const EMPTY_EVENT_TYPE = "Empty eventType provided. (Parameter 'eventType')";

/** EventStoreDB's RequiredMetadataPropertyMissing: the key it found missing first, then every one it requires. */
export function missingMetadata(key: 'type' | 'content-type'): ServiceError {
  return serviceError(status.INVALID_ARGUMENT, `Required Metadata Property '${key}' is missing`, {
    exception: 'missing-required-metadata-property',
    'required-metadata-properties': 'type,content-type',
  });
}

export function invalidArgument(details: string): ServiceError {
  return serviceError(status.INVALID_ARGUMENT, details);
}

const expectedVersionNumber = (expected: storage.ExpectedRevision): string =>
  expected === 'any'
    ? '-2'
    : expected === 'no_stream'
      ? '-1'
      : expected === 'stream_exists'
        ? '-4'
        : String(expected);
const currentVersionNumber = (current: storage.CurrentRevision): string =>
  current === 'no_stream' ? '-1' : String(current);

/** Maps storage errors to the exact statuses and trailers EventStoreDB sends. */
export function toServiceError(error: unknown): ServiceError {
  if (error instanceof Error && 'metadata' in error && error.metadata instanceof Metadata)
    return error as ServiceError;
  if (error instanceof storage.StreamDeletedError) return streamDeleted(error.stream);
  // Only deletes and tombstones throw it (an append's conflict is an answer, not an error), and
  // EventStoreDB's DeleteInternal names the operation "Delete" for both.
  if (error instanceof storage.WrongExpectedVersionError) {
    return serviceError(
      status.FAILED_PRECONDITION,
      `Delete failed due to WrongExpectedVersion. Stream: ${error.stream}, Expected version: ` +
        `${expectedVersionNumber(error.expected)}, Actual version: ${currentVersionNumber(error.current)}`,
      {
        exception: 'wrong-expected-version',
        'stream-name': error.stream,
        'expected-version': expectedVersionNumber(error.expected),
        'actual-version': currentVersionNumber(error.current),
      },
    );
  }
  if (error instanceof storage.MaxAppendSizeExceededError) {
    return serviceError(status.INVALID_ARGUMENT, `Maximum Append Size of ${error.maxAppendSize} Exceeded.`, {
      exception: 'maximum-append-size-exceeded',
      'maximum-append-size': String(error.maxAppendSize),
    });
  }
  if (error instanceof storage.InvalidEventIdError || error instanceof storage.InvalidNameError)
    return invalidArgument(error.message);
  // UNAVAILABLE, as a client meets an EventStoreDB whose writer failed (it stops the node): the client
  // reports an UnavailableError and reconnects. The trailer, which the client passes through, tells a
  // log that cannot be written from a store that is down.
  if (error instanceof storage.LogWriteFailedError)
    return serviceError(status.UNAVAILABLE, error.message, { [LOG_WRITE_FAILED_TRAILER]: error.code });
  if (error instanceof storage.StoreUnavailableError) return serviceError(status.UNAVAILABLE, error.message);
  return serviceError(status.INTERNAL, error instanceof Error ? error.message : String(error));
}
