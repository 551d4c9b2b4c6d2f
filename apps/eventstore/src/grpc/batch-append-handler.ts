import { status, type ServerDuplexStream } from '@grpc/grpc-js';

import {
  MAX_APPEND_SIZE,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  type AppendOutcome,
  type EventStore,
  type ExpectedRevision,
  type ProposedEvent,
} from '../storage/index.js';
import { batchWrites } from './batch-writes.js';
import { serviceError, toServiceError } from './errors.js';
import {
  AllStreamPosition,
  Any,
  BatchAppendResp,
  MaximumAppendSizeExceeded,
  ProtobufEmpty,
  Status,
  StreamDeleted,
  StreamIdentifier,
  Timeout,
  Unknown,
  WrongExpectedVersion,
  type BatchAppendReqMessage,
  type BatchAppendRespMessage,
} from './protocol.js';
import { streamNameOf } from './write-handlers.js';

type BatchAppendCall = ServerDuplexStream<BatchAppendReqMessage, BatchAppendRespMessage>;
type Options = NonNullable<ReturnType<BatchAppendReqMessage['getOptions']>>;
type CorrelationId = NonNullable<ReturnType<BatchAppendReqMessage['getCorrelationId']>>;
type StatusMessage = InstanceType<typeof Status>;

/** One append of the stream, from its first chunk to its reply. */
interface OpenAppend {
  /** The id exactly as the client sent it: the client looks its promise up by it. */
  readonly correlationId: CorrelationId;
  readonly options: Options | undefined;
  readonly stream: string;
  readonly expected: ExpectedRevision;
  /** ms since the Unix epoch; undefined when the client sent none. */
  readonly deadline: number | undefined;
  readonly events: ProposedEvent[];
  size: number;
  /** Answered before its final chunk (oversize, bad request); the remaining chunks are dropped. */
  answered: boolean;
}

/** Type URLs the client's `unpackToCommandError` recognises (`type.googleapis.com/<name>`). */
const DETAILS = {
  wrongExpectedVersion: 'event_store.client.WrongExpectedVersion',
  streamDeleted: 'event_store.client.StreamDeleted',
  maximumAppendSizeExceeded: 'event_store.client.MaximumAppendSizeExceeded',
  timeout: 'event_store.client.Timeout',
  unknown: 'event_store.client.Unknown',
} as const;

function packed(name: string, message: { serializeBinary(): Uint8Array }): InstanceType<typeof Any> {
  const any = new Any();
  any.pack(message.serializeBinary(), name);
  return any;
}

/**
 * Every error carries `details`: the client calls `details.getTypeName()` unguarded, and an error
 * without them throws inside its stream handler and takes the client process down. Anything that is
 * not one of the typed errors goes out as `Unknown`, which the client turns into an UnknownError.
 */
function errorStatus(code: status, message: string, details: InstanceType<typeof Any>): StatusMessage {
  // google.rpc.Code and gRPC status codes are the same numbers.
  const rpcCode = code as number as Parameters<StatusMessage['setCode']>[0];
  return new Status().setCode(rpcCode).setMessage(message).setDetails(details);
}

const unknownError = (code: status, message: string): StatusMessage =>
  errorStatus(code, message, packed(DETAILS.unknown, new Unknown()));

function wrongExpectedVersion(
  stream: string,
  outcome: AppendOutcome & { kind: 'wrong_expected_version' },
): StatusMessage {
  const details = new WrongExpectedVersion();
  if (outcome.current === 'no_stream') details.setCurrentNoStream(new ProtobufEmpty());
  else details.setCurrentStreamRevision(String(outcome.current));
  if (outcome.expected === 'any') details.setExpectedAny(new ProtobufEmpty());
  else if (outcome.expected === 'no_stream') details.setExpectedNoStream(new ProtobufEmpty());
  else if (outcome.expected === 'stream_exists') details.setExpectedStreamExists(new ProtobufEmpty());
  else details.setExpectedStreamPosition(String(outcome.expected));
  return errorStatus(
    status.FAILED_PRECONDITION,
    `WrongExpectedVersion: stream ${stream}, expected ${outcome.expected}, current ${outcome.current}`,
    packed(DETAILS.wrongExpectedVersion, details),
  );
}

function maximumAppendSizeExceeded(): StatusMessage {
  return errorStatus(
    status.INVALID_ARGUMENT,
    `Maximum Append Size of ${MAX_APPEND_SIZE} Exceeded.`,
    packed(
      DETAILS.maximumAppendSizeExceeded,
      new MaximumAppendSizeExceeded().setMaxappendsize(MAX_APPEND_SIZE),
    ),
  );
}

function statusOf(error: unknown, stream: string): StatusMessage {
  if (error instanceof StreamDeletedError) {
    const identifier = new StreamIdentifier().setStreamName(Buffer.from(stream, 'utf8'));
    return errorStatus(
      status.FAILED_PRECONDITION,
      `Event stream '${stream}' is deleted.`,
      packed(DETAILS.streamDeleted, new StreamDeleted().setStreamIdentifier(identifier)),
    );
  }
  if (error instanceof MaxAppendSizeExceededError) return maximumAppendSizeExceeded();
  const serviceError = toServiceError(error);
  return unknownError(serviceError.code, serviceError.details);
}

function expectedOf(options: Options | undefined): ExpectedRevision {
  if (!options || options.hasAny()) return 'any';
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  if (options.hasStreamPosition()) return Number(options.getStreamPosition());
  return 'any';
}

function deadlineOf(options: Options | undefined): number | undefined {
  const deadline = options?.getDeadline();
  return deadline ? deadline.getSeconds() * 1000 + Math.floor(deadline.getNanos() / 1e6) : undefined;
}

function correlationKey(id: CorrelationId): string {
  const structured = id.getStructured();
  return structured
    ? `${structured.getMostSignificantBits()}:${structured.getLeastSignificantBits()}`
    : id.getString();
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
  private closing = false;
  private finishing = false;
  private ended = false;
  private onIdle: (() => void) | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly call: BatchAppendCall,
  ) {
    batchWrites(call);
    call.on('data', (request: BatchAppendReqMessage) => this.receive(request));
    // The client went away (dispose, cancel, broken connection): nothing is left to answer.
    const gone = (): void => {
      this.ended = true;
      this.open.clear();
      this.onIdle?.();
    };
    call.on('cancelled', gone);
    call.on('error', gone);
    // The client half-closed: answer what is in flight, then end the call.
    call.on('end', () => {
      this.finishing = true;
      this.open.clear();
      this.endWhenIdle();
    });
  }

  /** Server shutdown: refuse new appends, answer the unfinished ones, end the call once all are answered. */
  close(): Promise<void> {
    this.closing = true;
    for (const append of this.open.values()) {
      if (!append.answered) this.fail(append, unknownError(status.UNAVAILABLE, 'Server is shutting down.'));
    }
    this.open.clear();
    return new Promise((resolve) => {
      this.onIdle = resolve;
      this.endWhenIdle();
    });
  }

  private receive(request: BatchAppendReqMessage): void {
    const correlationId = request.getCorrelationId();
    // A reply must name an id the client holds; without one there is nobody to answer.
    if (!correlationId) return;
    const key = correlationKey(correlationId);
    let append = this.open.get(key);
    if (!append) {
      append = this.begin(correlationId, request.getOptions());
      this.open.set(key, append);
    }
    if (!append.answered) this.collect(append, request);
    if (request.getIsFinal()) {
      this.open.delete(key);
      if (!append.answered) this.commit(append);
    }
  }

  private begin(correlationId: CorrelationId, options: Options | undefined): OpenAppend {
    const append: OpenAppend = {
      correlationId,
      options,
      stream: options ? streamNameOf(options) : '',
      expected: expectedOf(options),
      deadline: deadlineOf(options),
      events: [],
      size: 0,
      answered: false,
    };
    if (this.closing) this.fail(append, unknownError(status.UNAVAILABLE, 'Server is shutting down.'));
    else if (!options) {
      this.fail(
        append,
        unknownError(status.INVALID_ARGUMENT, 'The first request of an append must carry its options.'),
      );
    }
    return append;
  }

  private collect(append: OpenAppend, request: BatchAppendReqMessage): void {
    for (const message of request.getProposedMessagesList()) {
      const metadata = message.getMetadataMap();
      const type = metadata.get('type');
      const contentType = metadata.get('content-type');
      if (!type || !contentType) {
        return this.fail(
          append,
          unknownError(
            status.INVALID_ARGUMENT,
            'Required metadata properties are missing: type, content-type',
          ),
        );
      }
      const data = message.getData_asU8();
      const metadataBytes = message.getCustomMetadata_asU8();
      // Same measure as the store's; checked per chunk so an oversized append is never buffered whole.
      append.size += data.length + metadataBytes.length + 2 * Buffer.byteLength(type);
      if (append.size > MAX_APPEND_SIZE) return this.fail(append, maximumAppendSizeExceeded());
      append.events.push({
        id: message.getId()?.getString() ?? '',
        type,
        contentType,
        data,
        metadata: metadataBytes,
      });
    }
  }

  private commit(append: OpenAppend): void {
    if (append.deadline !== undefined && append.deadline <= Date.now()) {
      return this.fail(
        append,
        errorStatus(
          status.DEADLINE_EXCEEDED,
          'Append deadline exceeded.',
          packed(DETAILS.timeout, new Timeout()),
        ),
      );
    }
    this.inFlight += 1;
    this.store
      .append(append.stream, append.expected, append.events)
      .then(
        (outcome) =>
          outcome.kind === 'success'
            ? this.succeed(append, outcome)
            : this.fail(append, wrongExpectedVersion(append.stream, outcome)),
        (error: unknown) => this.fail(append, statusOf(error, append.stream)),
      )
      .finally(() => {
        this.inFlight -= 1;
        this.endWhenIdle();
      });
  }

  private succeed(append: OpenAppend, outcome: AppendOutcome & { kind: 'success' }): void {
    const success = new BatchAppendResp.Success();
    if (outcome.revision === 'no_stream') success.setNoStream(new ProtobufEmpty());
    else success.setCurrentRevision(String(outcome.revision));
    if (outcome.position === undefined) success.setNoPosition(new ProtobufEmpty());
    else {
      const position = String(outcome.position);
      success.setPosition(new AllStreamPosition().setCommitPosition(position).setPreparePosition(position));
    }
    this.reply(append, this.response(append).setSuccess(success));
  }

  private fail(append: OpenAppend, error: StatusMessage): void {
    append.answered = true;
    append.events.length = 0;
    this.reply(append, this.response(append).setError(error));
  }

  private response(append: OpenAppend): BatchAppendRespMessage {
    const response = new BatchAppendResp()
      .setCorrelationId(append.correlationId)
      .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(append.stream, 'utf8')));
    const options = append.options;
    if (options?.hasStreamPosition()) response.setStreamPosition(options.getStreamPosition());
    else if (options?.hasNoStream()) response.setNoStream(new ProtobufEmpty());
    else if (options?.hasStreamExists()) response.setStreamExists(new ProtobufEmpty());
    else response.setAny(new ProtobufEmpty());
    return response;
  }

  private reply(append: OpenAppend, response: BatchAppendRespMessage): void {
    append.answered = true;
    if (this.ended || this.call.writableEnded) return;
    this.call.write(response);
  }

  private endWhenIdle(): void {
    if (this.inFlight > 0 || !(this.closing || this.finishing)) return;
    if (!this.ended) {
      this.ended = true;
      // On shutdown the call fails with UNAVAILABLE, as a stopping EventStoreDB's connection does: the
      // client has not half-closed, and an OK status would leave its side of the duplex open forever
      // (its `dispose()` waits for that stream to finish). The replies already queued go out first.
      if (this.finishing) this.call.end();
      else this.call.emit('error', serviceError(status.UNAVAILABLE, 'Server is shutting down.'));
    }
    this.onIdle?.();
  }
}
