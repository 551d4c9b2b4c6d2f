import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonEvent, type EventStoreDBClient } from '@eventstore/db-client';
import { createEventStoreClient } from '#eventstore';
import { readAllEvents, type HistoryEvent } from '../../../apps/cli/src/history/history-event.js';
import { HistoryImporter } from '../../../apps/cli/src/history/import.js';
import { CLI, runCli } from '../../support/cli.js';
import { ownEmbeddedStore } from '../../support/embedded-eventstore.js';
import { scratchDirForSuite } from '../../support/for-suite.js';

/**
 * `history import` of a file it refuses, through the built CLI against an embedded server: bad input
 * changes nothing, so a file refused at its last line, or for its last stream, leaves the target as
 * it was, where the events before the refused one used to be appended already.
 */
describe('history import of a file it refuses', () => {
  let client: EventStoreDBClient;
  const target = ownEmbeddedStore(() => client?.dispose());
  const dir = scratchDirForSuite('history-refused-');

  beforeAll(() => {
    client = createEventStoreClient(target.server.connectionString);
  });

  const event = (stream: string, revision: number, id: string): object => ({
    id,
    stream,
    revision: String(revision),
    position: String(100 + revision),
    type: 'Noted',
    created: '2026-01-05T09:00:00.000Z',
    data: { note: `n${revision}` },
    metadata: {},
  });
  const ids = ['6f1c6a55-5b4e-4a39-8f1e-1d3c2b0a9e01', '6f1c6a55-5b4e-4a39-8f1e-1d3c2b0a9e02'];

  const streams = async (): Promise<string[]> => {
    const found: string[] = [];
    for await (const e of readAllEvents(client)) found.push(`${e.stream}@${e.revision}`);
    return found;
  };

  const importFile = async (name: string, lines: readonly string[]) => {
    const file = join(dir(), name);
    await writeFile(file, `${lines.join('\n')}\n`);
    return {
      file,
      run: await runCli([
        'history',
        'import',
        file,
        '--store',
        target.server.connectionString,
        '--no-progress',
      ]),
    };
  };

  it('appends nothing when the last line is cut short', async () => {
    const before = await streams();
    const { file, run } = await importFile('cut.ndjson', [
      JSON.stringify(event('notes-cut', 0, ids[0]!)),
      JSON.stringify(event('notes-cut', 1, ids[1]!)).slice(0, 40),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`switchboard history import: ${file}:2: not JSON\n`);
    expect(await streams()).toEqual(before);
  });

  it('appends nothing when a later stream conflicts with what the target holds', async () => {
    await client.appendToStream('notes-taken', jsonEvent({ type: 'Noted', data: { note: 'other' } }));
    const before = await streams();
    const { file, run } = await importFile('conflict.ndjson', [
      JSON.stringify(event('notes-new', 0, ids[0]!)),
      JSON.stringify(event('notes-taken', 0, ids[1]!)),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(`^switchboard history import: ${file}:2: stream notes-taken already holds event `),
    );
    expect(await streams()).toEqual(before);
  });

  it('says when the event in the way was written by an api timer, and to import with no api running', async () => {
    // Given a call's history half imported, and an api's ring timeout written after it (the call
    // was left ringing, its due time long past)
    const stream = 'line-acme.15550000009';
    await client.appendToStream(stream, jsonEvent({ id: ids[0]!, type: 'Noted', data: { note: 'n0' } }));
    const timerCommand = 'timer-c9-ringTimeout-1767603630000';
    await client.appendToStream(
      stream,
      jsonEvent({ type: 'CallSentToVoicemail', data: {}, metadata: { commandId: timerCommand } }),
    );
    const before = await streams();

    // When the history is imported again
    const { file, run } = await importFile('timer-in-the-way.ndjson', [
      JSON.stringify(event(stream, 0, ids[0]!)),
      JSON.stringify(event(stream, 1, ids[1]!)),
    ]);

    // Then it is refused, naming the timer's command and what to do, and nothing is appended
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:2: stream ${stream} already holds event `);
    expect(run.stderr).toContain(`an api running against the store wrote it (timer command ${timerCommand})`);
    expect(run.stderr).toContain(
      'Import into a store no api runs against, and start the api once the import is done',
    );
    expect(await streams()).toEqual(before);
  });

  it('names the api timer that wrote into a stream while it was being imported', async () => {
    // Given an import that has appended a call's first event, and an api timer writing after it
    const stream = 'line-acme.15550000010';
    const importer = new HistoryImporter(client);
    await importer.import(event(stream, 0, ids[0]!) as HistoryEvent);
    const timerCommand = 'timer-c10-ringTimeout-1767603630000';
    await client.appendToStream(
      stream,
      jsonEvent({ type: 'CallSentToVoicemail', data: {}, metadata: { commandId: timerCommand } }),
    );

    // When the import goes on to the call's next event
    const next = importer.import(event(stream, 1, ids[1]!) as HistoryEvent);

    // Then it stops, naming the timer's command and what to do
    await expect(next).rejects.toThrow(
      `an api running against the store wrote it (timer command ${timerCommand})`,
    );
  });

  it('names an event larger than the store takes in one append, where the message was empty', async () => {
    const big = { ...event('notes-big', 0, ids[0]!), data: { note: 'x'.repeat(5_000_000) } };
    const { file, run } = await importFile('big.ndjson', [JSON.stringify(big)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `switchboard history import: ${file}:1: event ${ids[0]} (stream notes-big, revision 0) is larger ` +
        'than the 1048576 bytes the store takes in one append\n',
    );
  });

  it('appends nothing when a later event is larger than the store takes in one append', async () => {
    // Given a history whose last event is over the store's limit on one append (1 MiB by default)
    const before = await streams();
    const big = { ...event('notes-big-last', 1, ids[1]!), data: { note: 'x'.repeat(1_100_000) } };

    // When it is imported
    const { file, run } = await importFile('big-last.ndjson', [
      JSON.stringify(event('notes-big-last', 0, ids[0]!)),
      JSON.stringify(big),
    ]);

    // Then it is refused at that line before anything is appended, so importing it again cannot
    // append the events before it and then stop at it again
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `switchboard history import: ${file}:2: event ${ids[1]} (stream notes-big-last, revision 1) is ` +
        'larger than the 1048576 bytes the store takes in one append\n',
    );
    expect(await streams()).toEqual(before);
  });

  it('names an event the store refuses as a bad request (a type too long for a record), where the message was empty', async () => {
    const long = { ...event('notes-long', 0, ids[0]!), type: 'T'.repeat(70_000) };
    const { file, run } = await importFile('long-type.ndjson', [JSON.stringify(long)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `switchboard history import: ${file}:1: the store refused event ${ids[0]} (stream notes-long, revision 0) ` +
        'as BadRequest (its stream name is 10 bytes, its type 70000 bytes)\n',
    );
  });

  it('replay --store of a point outside the history appends nothing, the point checked against the file first', async () => {
    // Given a history of two events and a store the user keeps
    const file = join(dir(), 'replay-point.ndjson');
    await writeFile(
      file,
      [event('notes-replayed', 0, ids[0]!), event('notes-replayed', 1, ids[1]!)]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const before = await streams();
    for (const [at, refusal] of [
      ['3', 'the history has 2 events, so there is no point 3'],
      ['@99', '@99 is outside the replayed history'],
    ] as const) {
      // When it is replayed into that store at a point the history does not hold
      const run = await runCli(['replay', file, '--store', target.server.connectionString, '--at', at]);
      // Then the point is refused and the store holds nothing of the history
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^switchboard replay: ${refusal}`));
      expect(await streams()).toEqual(before);
    }
  });

  it('appends nothing from standard input (-) whose last line is cut short, checking it whole as a file', async () => {
    const before = await streams();
    const text = [
      JSON.stringify(event('notes-stdin', 0, ids[0]!)),
      JSON.stringify(event('notes-stdin', 1, ids[1]!)).slice(0, 40),
    ].join('\n');
    const run = await new Promise<{ code: number; stderr: string }>((done) => {
      const child = execFile(
        process.execPath,
        [CLI, 'history', 'import', '-', '--store', target.server.connectionString, '--no-progress'],
        (error, _stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stderr }),
      );
      child.stdin!.end(text);
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('switchboard history import: -:2: not JSON\n');
    expect(await streams()).toEqual(before);
  });
});
