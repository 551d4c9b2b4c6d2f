import { status, type ServerDuplexStream, type ServiceError } from '@grpc/grpc-js';

import {
  InvalidEventIdError,
  InvalidNameError,
  LogWriteFailedError,
  MaxAppendSizeExceededError,
  StoreUnavailableError,
  StreamDeletedError,
  type AppendOutcome,
  type ExpectedRevision,
  type LogStore,
  type ProposedEvent,
} from '../storage/index.js';
import { batchWrites } from './batch-writes.js';
import { EMPTY_EVENT_TYPE, logWriteFailedMessage, serviceError, toServiceError } from './errors.js';
import {
  encodeBadRequest,
  encodeMaximumAppendSizeExceeded,
  encodeStreamDeleted,
  encodeWrongExpectedVersion,
  type AppendOptions,
  type AppendSuccess,
  type BatchAppendRequest,
  type BatchAppendResponse,
  type CorrelationId,
  type ExpectedStreamPosition,
  type RpcStatus,
  uuidText,
} from './streams-codec.js';
import { contentTypeAsStored, expectedRevisionOf } from './write-handlers.js';

type BatchAppendCall = ServerDuplexStream<BatchAppendRequest, BatchAppendResponse>;

/** One append of the stream, from its first chunk to its reply. */
interface OpenAppend {
  /** The id exactly as the client sent it: the client looks its promise up by it. */
  readonly correlationId: CorrelationId;
  readonly stream: string;
  /** As the client sent it (undefined: none), for the reply. */
  readonly expected: ExpectedStreamPosition | undefined;
  /** ms since the Unix epoch; undefined when the client sent none. */
  readonly deadline: number | undefined;
  readonly events: ProposedEvent[];
  size: number;
  /** Answered before its final chunk (oversize, bad request); the remaining chunks are dropped. */
  answered: boolean;
  /** Answers Timeout if the final chunk has not arrived in time (see WRITE_TIMEOUT_MS). */
  timer: NodeJS.Timeout | undefined;
}

/** Type URLs the client's `unpackToCommandError` recognises. */
const DETAILS = {
  wrongExpectedVersion: 'type.googleapis.com/event_store.client.WrongExpectedVersion',
  streamDeleted: 'type.googleapis.com/event_store.client.StreamDeleted',
  maximumAppendSizeExceeded: 'type.googleapis.com/event_store.client.MaximumAppendSizeExceeded',
  timeout: 'type.googleapis.com/event_store.client.Timeout',
  unknown: 'type.googleapis.com/event_store.client.Unknown',
  /** Not one the client recognises: it raises UnknownError "Could not recognize BadRequest". */
  badRequest: 'type.googleapis.com/event_store.client.BadRequest',
  /**
   * Ours, for an append the log could not write. The client knows no such type and rejects the append
   * with an UnknownError keeping the message (see logWriteFailedMessage); its own `Unknown` would drop it.
   */
  logWriteFailed: 'type.googleapis.com/switchboard.eventstore.LogWriteFailed',
} as const;

/** Timeout and Unknown have no fields. */
const NO_FIELDS = new Uint8Array(0);
/**
 * Bytes of events one BatchAppend call may hold for appends whose final chunk has not arrived. Each
 * append is held to the store's maxAppendSize, but a client could open any number of them and never finish
 * one; the official client sends an append's chunks back to back, so it holds far less than this.
 */
export const MAX_UNFINISHED_BYTES_PER_CALL = 64 * 1024 * 1024;
/**
 * How long an append may wait for its final chunk, whatever its deadline: EventStoreDB's BatchAppend
 * arms its timer with `Min(requested timeout, _writeTimeout)` (Streams.BatchAppend.cs), and its write
 * timeout (`--write-timeout-ms`) is 2 s by default; an append that gives no deadline gets the write
 * timeout. The official client sends an append's chunks back to back, so only a stalled raw client
 * meets it.
 */
export const WRITE_TIMEOUT_MS = 2_000;

/**
 * Every error carries `details`: the client calls `details.getTypeName()` unguarded, and an error
 * without them throws inside its stream handler and takes the client process down. Anything that is
 * not one of the typed errors goes out as `Unknown`, which the client turns into an UnknownError.
 */
function errorStatus(code: status, message: string, typeUrl: string, value: Uint8Array): RpcStatus {
  // google.rpc.Code and gRPC status codes are the same numbers.
  return { code, message, details: { typeUrl, value } };
}

const unknownError = (code: status, message: string): RpcStatus =>
  errorStatus(code, message, DETAILS.unknown, NO_FIELDS);

/**
 * What EventStoreDB's BatchAppend answers when building an append throws (an empty event id or type,
 * an empty stream name, an expected revision out of range: its `Status.BadRequest`): INVALID_ARGUMENT,
 * the message "BadRequest" and the reason in the details. The client has no type for these details
 * and raises `UnknownError` with the message "Could not recognize BadRequest", on either server.
 */
const badRequest = (reason: string): RpcStatus =>
  errorStatus(status.INVALID_ARGUMENT, 'BadRequest', DETAILS.badRequest, encodeBadRequest(reason));

/** .NET's KeyNotFoundException, as a metadata map without the key throws it. */
const absentKey = (key: string): string => `The given key '${key}' was not present in the dictionary.`;

// The typed refusals carry the code and the message (the details' type name) that EventStoreDB's
// `Google.Rpc.Status` factories give them (…/Transport/Grpc/Status.cs): a client that reads the status
// rather than the details (a raw gRPC consumer, a log line) sees the same as from a real node.
const timeout = (): RpcStatus => errorStatus(status.DEADLINE_EXCEEDED, 'Timeout', DETAILS.timeout, NO_FIELDS);

function wrongExpectedVersion(outcome: AppendOutcome & { kind: 'wrong_expected_version' }): RpcStatus {
  return errorStatus(
    status.ALREADY_EXISTS,
    'WrongExpectedVersion',
    DETAILS.wrongExpectedVersion,
    encodeWrongExpectedVersion(outcome),
  );
}

function maximumAppendSizeExceeded(maxAppendSize: number): RpcStatus {
  return errorStatus(
    status.INVALID_ARGUMENT,
    'MaximumAppendSizeExceeded',
    DETAILS.maximumAppendSizeExceeded,
    encodeMaximumAppendSizeExceeded(maxAppendSize),
  );
}

function statusOf(error: unknown, stream: string): RpcStatus {
  if (error instanceof StreamDeletedError) {
    return errorStatus(status.NOT_FOUND, 'StreamDeleted', DETAILS.streamDeleted, encodeStreamDeleted(stream));
  }
  if (error instanceof MaxAppendSizeExceededError) return maximumAppendSizeExceeded(error.maxAppendSize);
  if (error instanceof InvalidEventIdError || error instanceof InvalidNameError)
    return badRequest(error.message);
  if (error instanceof LogWriteFailedError)
    return errorStatus(status.UNAVAILABLE, logWriteFailedMessage(error), DETAILS.logWriteFailed, NO_FIELDS);
  const serviceError = toServiceError(error);
  return unknownError(serviceError.code, serviceError.details);
}

/**
 * `Streams.BatchAppend`: one long-lived bidirectional stream per client over which concurrent
 * appends interleave, each keyed by its correlation id. An append's first request carries its
 * options; its events may come in several chunks, the last flagged `is_final`. Each append gets
 * exactly one reply (the client fails on a reply for an id it does not hold), always with the
 * stream identifier and, for errors, typed details.
 *
 * Appends are handed to the store in the order their final chunks arrive, so the store's group
 * commit batches everything a client has in flight into one fsync.
 */
export class BatchAppendSession {
  private readonly open = new Map<string, OpenAppend>();
  private inFlight = 0;
  /** Bytes held for unfinished appends (see MAX_UNFINISHED_BYTES_PER_CALL). */
  private buffered = 0;
  private closing = false;
  private finishing = false;
  private ended = false;
  private onIdle: (() => void) | undefined;

  constructor(
    private readonly store: LogStore,
    private readonly call: BatchAppendCall,
  ) {
    batchWrites(call);
    call.on('data', (request: BatchAppendRequest) => this.receive(request));
    // The client went away (dispose, cancel, broken connection): nothing is left to answer.
    const gone = (): void => {
      this.ended = true;
      this.forgetOpen();
      this.onIdle?.();
    };
    call.on('cancelled', gone);
    call.on('error', gone);
    // The client half-closed: answer what is in flight, then end the call.
    call.on('end', () => {
      this.finishing = true;
      this.forgetOpen();
      this.endWhenIdle();
    });
  }

  /**
   * Server shutdown, as a stopping EventStoreDB ends the call: appends already handed to the store
   * are answered once durable (an acknowledged append is written); the rest, unfinished or arriving
   * now, get no reply of their own, and the call then ends with CANCELLED, which the client reports
   * as a CancelledError for each of them (and reconnects).
   */
  close(): Promise<void> {
    this.closing = true;
    this.forgetOpen();
    return new Promise((resolve) => {
      this.onIdle = resolve;
      this.endWhenIdle();
    });
  }

  private receive(request: BatchAppendRequest): void {
    // Shutting down: the call's CANCELLED status answers everything not yet handed to the store. Ended
    // (see failCall): its status answered everything.
    if (this.closing || this.ended) return;
    const correlationId = request.correlationId;
    // A reply must name an id the client holds; without one there is nobody to answer.
    if (!correlationId) return;
    const key = uuidText(correlationId.uuid);
    let append = this.open.get(key);
    if (!append) {
      append = this.begin(correlationId, request.options);
      this.open.set(key, append);
    }
    if (!append.answered) this.collect(append, request);
    if (request.isFinal) {
      this.open.delete(key);
      this.stopTimer(append);
      if (!append.answered) this.commit(append);
    }
  }

  private begin(correlationId: CorrelationId, options: AppendOptions | undefined): OpenAppend {
    const append: OpenAppend = {
      correlationId,
      stream: options?.stream ?? '',
      expected: options?.expected,
      deadline: options?.deadline,
      events: [],
      size: 0,
      answered: false,
      timer: undefined,
    };
    if (!options) {
      this.fail(
        append,
        unknownError(status.INVALID_ARGUMENT, 'The first request of an append must carry its options.'),
      );
    } else {
      // A deadline that has passed is answered before anything else (size included) is looked at;
      // otherwise the append is answered Timeout at its deadline or after the write timeout, whichever
      // comes first, unless the final chunk arrives before.
      const untilDeadline = append.deadline === undefined ? Infinity : append.deadline - Date.now();
      if (untilDeadline <= 0) this.fail(append, timeout());
      else {
        append.timer = setTimeout(
          () => {
            append.timer = undefined;
            if (!append.answered) this.fail(append, timeout());
          },
          Math.min(untilDeadline, WRITE_TIMEOUT_MS),
        );
        append.timer.unref();
      }
    }
    return append;
  }

  private collect(append: OpenAppend, request: BatchAppendRequest): void {
    for (const message of request.proposedMessages) {
      const { type, contentType, data, customMetadata } = message;
      // EventStoreDB reads both keys with the metadata map's indexer, which throws on an absent one,
      // then builds an Event, which refuses an empty type; an empty content type is not JSON.
      if (type === undefined) return this.fail(append, badRequest(absentKey('type')));
      if (!type) return this.fail(append, badRequest(EMPTY_EVENT_TYPE));
      if (contentType === undefined) return this.fail(append, badRequest(absentKey('content-type')));
      // Same measure as the store's; checked per chunk so an oversized append is never buffered whole.
      const bytes = data.length + customMetadata.length + 2 * type.length;
      append.size += bytes;
      this.buffered += bytes;
      if (append.size > this.store.maxAppendSize)
        return this.fail(append, maximumAppendSizeExceeded(this.store.maxAppendSize));
      if (this.buffered > MAX_UNFINISHED_BYTES_PER_CALL) {
        return this.fail(
          append,
          unknownError(
            status.RESOURCE_EXHAUSTED,
            `More than ${MAX_UNFINISHED_BYTES_PER_CALL} bytes of unfinished appends on one BatchAppend call.`,
          ),
        );
      }
      append.events.push({
        id: message.id ? uuidText(message.id) : '',
        type,
        contentType: contentTypeAsStored(contentType),
        data,
        metadata: customMetadata,
      });
    }
  }

  private commit(append: OpenAppend): void {
    if (append.deadline !== undefined && append.deadline <= Date.now()) return this.fail(append, timeout());
    let expected: ExpectedRevision;
    try {
      expected = expectedRevisionOf(append.expected);
    } catch (error) {
      // EventStoreDB's StreamRevision throws on it while reading the options, inside the handler's catch.
      return this.fail(append, badRequest((error as ServiceError).details));
    }
    this.inFlight += 1;
    const appended = this.store.append(append.stream, expected, append.events);
    // The store has encoded the events into its own buffer by now (staging is synchronous), unless it
    // must first read old events' ids from the log to decide on an idempotent re-append (rare).
    this.release(append);
    appended
      .then(
        (outcome) =>
          outcome.kind === 'success'
            ? this.reply(append, { success: outcome })
            : this.fail(append, wrongExpectedVersion(outcome)),
        (error: unknown) =>
          // A log that cannot be written refuses this append, not the connection: the client's other
          // appends on the call are answered each as the store decides them.
          error instanceof StoreUnavailableError && !(error instanceof LogWriteFailedError)
            ? this.failCall(toServiceError(error))
            : this.fail(append, statusOf(error, append.stream)),
      )
      .finally(() => {
        this.inFlight -= 1;
        this.endWhenIdle();
      });
  }

  private fail(append: OpenAppend, error: RpcStatus): void {
    append.events.length = 0;
    this.release(append);
    this.stopTimer(append);
    this.reply(append, { error });
  }

  /**
   * Ends the call with `error`, for a store that takes no appends at all (it is shutting down): a call
   * ending with UNAVAILABLE fails every append the client has on it with an UnavailableError, and the
   * client reconnects, as to a stopping EventStoreDB node. Not for a log that cannot be written: the
   * client would drop its connection, with its reads and subscriptions, at every refusal, and an append
   * still in flight on the call that the store takes after all would be written while its client hears
   * it refused. Each of those is answered on its own (statusOf). Its next append opens a new call.
   */
  private failCall(error: ServiceError): void {
    if (this.ended) return;
    this.ended = true;
    this.forgetOpen();
    this.call.emit('error', error);
  }

  /** Drops the appends whose final chunk has not arrived, with their deadline timers. */
  private forgetOpen(): void {
    for (const append of this.open.values()) {
      this.stopTimer(append);
      this.release(append);
    }
    this.open.clear();
  }

  private release(append: OpenAppend): void {
    this.buffered -= append.size;
    append.size = 0;
  }

  private stopTimer(append: OpenAppend): void {
    if (append.timer === undefined) return;
    clearTimeout(append.timer);
    append.timer = undefined;
  }

  private reply(append: OpenAppend, result: { success: AppendSuccess } | { error: RpcStatus }): void {
    append.answered = true;
    if (this.ended || this.call.writableEnded) return;
    this.call.write({
      correlationId: append.correlationId.encoded,
      stream: append.stream,
      expected: append.expected ?? 'any',
      result,
    });
  }

  private endWhenIdle(): void {
    if (this.inFlight > 0 || !(this.closing || this.finishing)) return;
    if (!this.ended) {
      this.ended = true;
      // On shutdown the call ends with CANCELLED (the replies already queued go out first): the client
      // has not half-closed, and an OK status would leave its side of the duplex open forever (its
      // `dispose()` waits for that stream to finish).
      if (this.finishing) this.call.end();
      else this.call.emit('error', serviceError(status.CANCELLED, 'Server is shutting down.'));
    }
    this.onIdle?.();
  }
}
