import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';

import { FailingDisk, noSpaceLeft } from '../storage/failing-disk.fixture.js';
import { FileLog, LogStore, MemoryLog, decodeRecord } from '../storage/index.js';
import { AppendReq, AppendResp, Empty, StreamIdentifier, UUID, type AppendRespMessage } from './protocol.js';
import { createGrpcServer, type GrpcServer } from './server.js';

/**
 * The official client appends over BatchAppend (the conformance suite covers that); it uses the legacy
 * Append only with per-call credentials, so Append is driven here with the client's generated stub.
 */
describe('Streams.Append with the server codecs', () => {
  let store: LogStore;
  let server: GrpcServer;
  let client: InstanceType<typeof streamsGrpc.StreamsClient>;

  beforeAll(async () => {
    ({ store } = await LogStore.open(new MemoryLog()));
    server = createGrpcServer(store);
    const port = await server.listen('127.0.0.1', 0);
    client = new streamsGrpc.StreamsClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await server.stop();
    await store.close();
  });

  /** An empty type leaves the `type` key out; a null content type, the `content-type` key. */
  const event = (type = 'Tested', contentType: string | null = 'application/json') => {
    const message = new AppendReq.ProposedMessage()
      .setId(new UUID().setString(randomUUID()))
      .setData(Buffer.from('{"n":1}'));
    if (contentType !== null) message.getMetadataMap().set('content-type', contentType);
    if (type) message.getMetadataMap().set('type', type);
    return new AppendReq().setProposedMessage(message);
  };

  function append(
    stream: string,
    expect: (options: InstanceType<typeof AppendReq.Options>) => unknown,
    events: InstanceType<typeof AppendReq>[],
  ): Promise<AppendRespMessage> {
    return new Promise((resolve, reject) => {
      const call = client.append((error: ServiceError | null, response?: AppendRespMessage) =>
        error ? reject(error) : resolve(response!),
      );
      const options = new AppendReq.Options().setStreamIdentifier(
        new StreamIdentifier().setStreamName(Buffer.from(stream)),
      );
      expect(options);
      call.write(new AppendReq().setOptions(options));
      for (const request of events) call.write(request);
      call.end();
    });
  }

  it('appends and answers with the revision and position', async () => {
    const stream = `legacy-${randomUUID()}`;
    const first = await append(stream, (o) => o.setNoStream(new Empty()), [event(), event()]);
    expect(first.getSuccess()!.getCurrentRevision()).toBe('1');
    const position = first.getSuccess()!.getPosition()!;
    expect(Number(position.getCommitPosition())).toBeGreaterThan(0);
    expect(position.getPreparePosition()).toBe(position.getCommitPosition());
    const second = await append(stream, (o) => o.setRevision('1'), [event()]);
    expect(second.getSuccess()!.getCurrentRevision()).toBe('2');
  });

  it('answers a conflict with wrong_expected_version, not an error', async () => {
    const stream = `legacy-${randomUUID()}`;
    const conflict = await append(stream, (o) => o.setStreamExists(new Empty()), [event()]);
    expect(conflict.getResultCase()).toBe(AppendResp.ResultCase.WRONG_EXPECTED_VERSION);
    expect(conflict.getWrongExpectedVersion()!.hasCurrentNoStream()).toBe(true);
    expect(conflict.getWrongExpectedVersion()!.hasExpectedStreamExists()).toBe(true);
  });

  it('Given conflicts of each kind, When they are answered, Then the pre-20.6 forms are filled beside the others, as EventStoreDB’s Streams.Append fills them', async () => {
    const missing = `legacy-${randomUUID()}`;
    const existing = `legacy-${randomUUID()}`;
    await append(existing, (o) => o.setNoStream(new Empty()), [event(), event()]);

    const onMissing = await append(missing, (o) => o.setStreamExists(new Empty()), [event()]);
    const onExisting = await append(existing, (o) => o.setNoStream(new Empty()), [event()]);
    const onRevision = await append(existing, (o) => o.setRevision('5'), [event()]);

    const forms2060 = (response: AppendRespMessage) => {
      const conflict = response.getWrongExpectedVersion()!;
      return {
        current: conflict.hasNoStream2060() ? 'no_stream' : conflict.getCurrentRevision2060(),
        expected: conflict.hasStreamExists2060()
          ? 'stream_exists'
          : conflict.hasAny2060()
            ? 'any'
            : conflict.getExpectedRevision2060(),
      };
    };
    expect(forms2060(onMissing)).toEqual({ current: 'no_stream', expected: 'stream_exists' });
    // no_stream is ulong.MaxValue there, which the generated code reads as the nearest double, 2^64.
    expect(forms2060(onExisting)).toEqual({ current: 1, expected: 2 ** 64 });
    expect(forms2060(onRevision)).toEqual({ current: 1, expected: 5 });
    expect(onRevision.getWrongExpectedVersion()!.getExpectedRevision()).toBe('5');
  });

  it.each([
    ['type', event('')],
    ['content-type', event('Tested', null)],
  ])(
    'Given an event without a %s key, When it is appended, Then it is refused as EventStoreDB’s RequiredMetadataPropertyMissing names it',
    async (key, request) => {
      const error = await append(`legacy-${randomUUID()}`, (o) => o.setAny(new Empty()), [request]).catch(
        (failure: ServiceError) => failure,
      );

      expect((error as ServiceError).code).toBe(status.INVALID_ARGUMENT);
      expect((error as ServiceError).details).toBe(`Required Metadata Property '${key}' is missing`);
      expect((error as ServiceError).metadata.getMap()).toMatchObject({
        exception: 'missing-required-metadata-property',
        'required-metadata-properties': 'type,content-type',
      });
    },
  );

  // EventStoreDB's Append requires the content-type key but keeps only whether it is exactly
  // application/json: an empty or any other content type is an event that is not JSON.
  it('keeps an empty or another content type as application/octet-stream, as EventStoreDB keeps it', async () => {
    const stream = `legacy-${randomUUID()}`;
    await append(stream, (o) => o.setNoStream(new Empty()), [
      event('Empty', ''),
      event('Text', 'text/plain'),
    ]);
    const seqs = [0, 1].map((revision) => store.seqOf(stream, revision)!);
    const stored = (await store.load(seqs)).map((record) => decodeRecord(record.buffer, 0).contentType);
    expect(stored).toEqual(['application/octet-stream', 'application/octet-stream']);
  });
});

describe('Streams.Append when the log cannot be written', () => {
  it('answers UNAVAILABLE naming the cause, with the log-write-failed trailer, and appends nothing', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'server-spec-'));
    const disk = new FailingDisk();
    const { store } = await LogStore.open(new FileLog(directory, { write: disk.write }));
    const server = createGrpcServer(store);
    const client = new streamsGrpc.StreamsClient(
      `127.0.0.1:${await server.listen('127.0.0.1', 0)}`,
      credentials.createInsecure(),
    );
    try {
      disk.fail(await noSpaceLeft());
      const error = await new Promise<ServiceError>((resolve, reject) => {
        const call = client.append((failure: ServiceError | null) =>
          failure ? resolve(failure) : reject(new Error('the append was acknowledged')),
        );
        const options = new AppendReq.Options()
          .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from('full')))
          .setAny(new Empty());
        const message = new AppendReq.ProposedMessage().setId(new UUID().setString(randomUUID()));
        message.getMetadataMap().set('type', 'Lost').set('content-type', 'application/json');
        call.write(new AppendReq().setOptions(options));
        call.write(new AppendReq().setProposedMessage(message));
        call.end();
      });

      expect(error.code).toBe(status.UNAVAILABLE);
      expect(error.details).toMatch(/could not be written \(ENOSPC/);
      expect(error.metadata.get('log-write-failed')).toEqual(['ENOSPC']);
      expect(store.lastRevision('full')).toBe(-1);
    } finally {
      client.close();
      disk.heal();
      await server.stop();
      await store.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
