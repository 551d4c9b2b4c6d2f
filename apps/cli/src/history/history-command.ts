import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { EXIT_ERROR, collect, idOptionProblem } from '../options.js';
import { progressBar } from '../progress.js';
import { storeOption, withClient } from '../store.js';
import {
  headPosition,
  matchesFilter,
  parseBound,
  readAllEvents,
  type HistoryEvent,
  type HistoryFilter,
} from './history-event.js';
import { HistoryImporter, ImportConflictError } from './import.js';
import { LineFile, readFailure } from '#load';

interface ExportOptions {
  store: string;
  out?: string;
  from?: string;
  to?: string;
  stream: string[];
  category: string[];
  account: string[];
  progress: boolean;
}

interface ImportOptions {
  store: string;
  progress: boolean;
}

export const filterOf = (options: {
  from?: string;
  to?: string;
  stream: string[];
  category: string[];
  account?: string[];
}): HistoryFilter => {
  const from = options.from === undefined ? undefined : parseBound(options.from);
  const to = options.to === undefined ? undefined : parseBound(options.to);
  // Both inclusive: a range that ends before it starts selects nothing, after reading the whole log.
  const inverted =
    from && to && 'position' in from && 'position' in to
      ? from.position > to.position
      : from && to && 'time' in from && 'time' in to && from.time > to.time;
  if (inverted) throw new Error(`--from ${options.from} is after --to ${options.to}: no event is in between`);
  return {
    from,
    to,
    streams: options.stream,
    categories: options.category,
    accounts: (options.account ?? []).map((id) => {
      const problem = idOptionProblem('--account', id);
      if (problem) throw new Error(problem);
      return id;
    }),
  };
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads a history file line by line (histories can be larger than memory). */
export async function* readHistory(file: string, name = file): AsyncGenerator<HistoryEvent> {
  for await (const { event } of readHistoryLines(file, name)) yield event;
}

/**
 * A history that can be read only once, copied to a temporary file: a history is checked whole
 * before anything is appended, then read again to append it. That is standard input (`-`), and any
 * path that is not a regular file: a named pipe, or the `/dev/fd/N` of a shell's `<(…)`, whose
 * second read found the first had taken every line, so an import "imported 0 events" and a replay
 * replayed none, with exit code 0 (and a named pipe's second read waited for a writer for ever).
 * Undefined for a regular file, read in place, and for a path that cannot be read as a file (none,
 * a directory), which the first read then refuses naming it.
 */
export const spoolIfReadOnce = async (
  file: string,
): Promise<{ path: string; remove: () => Promise<void> } | undefined> => {
  if (file !== '-') {
    const stats = await stat(file).catch(() => undefined);
    if (!stats || stats.isFile() || stats.isDirectory()) return undefined;
  }
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-history-'));
  const path = join(dir, 'history.ndjson');
  try {
    await pipeline(file === '-' ? process.stdin : createReadStream(file), createWriteStream(path));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
};

/** readHistory, with each event's line number in the file (for messages naming it, as `name`). */
export async function* readHistoryLines(
  path: string,
  file = path,
): AsyncGenerator<{ readonly event: HistoryEvent; readonly line: number }> {
  let lineNo = 0;
  const input = path === '-' ? process.stdin : createReadStream(path);
  try {
    for await (let line of createInterface({ input, crlfDelay: Infinity })) {
      lineNo++;
      // A byte order mark (some editors write one) is no part of the first line's JSON.
      if (lineNo === 1 && line.startsWith('\uFEFF')) line = line.slice(1);
      if (!line.trim()) continue;
      let event: HistoryEvent;
      try {
        event = JSON.parse(line) as HistoryEvent;
      } catch {
        throw new Error(`${file}:${lineNo}: not JSON`);
      }
      if (
        event === null ||
        typeof event !== 'object' ||
        Array.isArray(event) ||
        typeof event.stream !== 'string' ||
        typeof event.id !== 'string' ||
        !/^\d+$/.test(String(event.revision)) ||
        !Object.hasOwn(event, 'data')
      ) {
        throw new Error(
          `${file}:${lineNo}: not a history event (needs id, stream, revision, type, data, metadata)`,
        );
      }
      // Said here with the line number: the client refuses these with an error whose message is empty.
      if (typeof event.type !== 'string' || event.type === '') {
        throw new Error(`${file}:${lineNo}: event ${event.id} has no type`);
      }
      if (!UUID.test(event.id)) throw new Error(`${file}:${lineNo}: event id "${event.id}" is not a UUID`);
      // An export never holds system streams; one in a file was written by hand and is not appended.
      if (event.stream === '' || event.stream.startsWith('$')) {
        throw new Error(`${file}:${lineNo}: "${event.stream}" is not a stream a history can hold`);
      }
      for (const [what, name] of [
        ['stream', event.stream],
        ['type', event.type],
      ] as const) {
        if (LONE_SURROGATE.test(name)) {
          throw new Error(
            `${file}:${lineNo}: ${what} ${JSON.stringify(name)} is not Unicode text: it holds half of a surrogate pair`,
          );
        }
      }
      const undecodable = undecodableMember(event);
      if (undecodable) throw new Error(`${file}:${lineNo}: event ${event.id} has ${undecodable}`);
      const unwritable = unwritableMember(event);
      if (unwritable) {
        throw new Error(
          `${file}:${lineNo}: event ${event.id} has ${unwritable} nested too deep to write as JSON`,
        );
      }
      yield { event, line: lineNo };
    }
  } catch (error) {
    throw readFailure(file, error);
  }
}

/**
 * Half of a surrogate pair on its own (JSON may escape one, `"\ud800"`) has no UTF-8 form: the store
 * would keep a stream or type under another name (U+FFFD in its place), so a re-import would not
 * find it. In a `u` regex a whole pair is one code point, so only a half on its own matches.
 */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Standard base64 with its padding, as `history export` writes bytes that are not JSON. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Why the bytes a member (data or metadata) says it holds cannot be read, or undefined: an encoding
 * other than base64 (the only one an export writes), or base64 that is not. Node decodes what it can
 * of bad base64 and drops the rest without a word (`"!!!"` is no bytes at all), so the import
 * appended other bytes than the file's, and an unknown encoding appended the text as JSON.
 */
const undecodableMember = (event: HistoryEvent): string | undefined => {
  for (const [name, value, encoding] of [
    ['data', event.data, event.dataEncoding],
    ['metadata', event.metadata, event.metadataEncoding],
  ] as const) {
    if (encoding === undefined) continue;
    if (encoding !== 'base64') {
      return `${name}Encoding ${JSON.stringify(encoding)}: the only encoding of a history is base64`;
    }
    if (typeof value !== 'string' || !BASE64.test(value)) {
      return `${name}Encoding base64 but ${name} that is not base64 text`;
    }
  }
  return undefined;
};

/**
 * The JSON member (data or metadata) the client cannot serialise: JSON.parse takes nesting far deeper
 * than JSON.stringify can write back, and the client writes it inside a stream of its own, where the
 * RangeError is nobody's to catch and ends the process with a stack trace.
 */
const unwritableMember = (event: HistoryEvent): 'data' | 'metadata' | undefined => {
  const members = [
    ['data', event.dataEncoding === 'base64' ? undefined : event.data],
    ['metadata', event.metadataEncoding === 'base64' ? undefined : event.metadata],
  ] as const;
  for (const [name, value] of members) {
    try {
      JSON.stringify(value);
    } catch {
      return name;
    }
  }
  return undefined;
};

/**
 * Reads a whole history file before anything is appended, so that a file refused at any line (not
 * JSON, cut short, a stream whose revisions jump, an event id given twice, one the target already
 * holds something else at) changes nothing in the target: every line is checked as readHistory
 * does, each stream's revisions follow on from one line to the next, and, with `importer`, each
 * event is placed against the target as the import will place it, and the largest one offered to the
 * target's limit on the size of an append. With `positions` (replay, whose
 * `--at @P` reads them), every event also needs its `$all` position, increasing as in a log.
 * Resolves with the number of events the file holds.
 */
export async function checkHistory(
  path: string,
  importer?: HistoryImporter,
  options: { positions?: boolean } = {},
  file = path,
): Promise<number> {
  const revisions = new Map<string, bigint>();
  const ids = new Map<string, number>();
  let lastPosition: bigint | undefined;
  for await (const { event, line } of readHistoryLines(path, file)) {
    const at = `${file}:${line}`;
    const revision = BigInt(event.revision);
    const before = revisions.get(event.stream);
    if (before !== undefined && revision !== before + 1n) {
      throw new Error(
        `${at}: stream ${event.stream} goes from revision ${before} to ${revision}; a history holds each ` +
          'revision of a stream once, in order',
      );
    }
    revisions.set(event.stream, revision);
    const first = ids.get(event.id);
    if (first !== undefined)
      throw new Error(`${at}: event id ${event.id} is already the id of line ${first}`);
    ids.set(event.id, line);
    if (options.positions) {
      if (!/^\d+$/.test(String(event.position))) {
        throw new Error(`${at}: event ${event.id} has no $all position (a decimal string, as exported)`);
      }
      const position = BigInt(event.position);
      if (lastPosition !== undefined && position <= lastPosition) {
        throw new Error(
          `${at}: position ${position} does not follow ${lastPosition}; a history is in log order`,
        );
      }
      lastPosition = position;
    }
    try {
      await importer?.check(event);
    } catch (error) {
      if (error instanceof ImportConflictError) throw new Error(`${at}: ${error.message}`);
      throw error;
    }
  }
  const refused = await importer?.refusedBySize();
  if (refused) throw new Error(`${file}:${ids.get(refused.event.id)}: ${refused.message}`);
  return ids.size;
}

/**
 * Why a history without events is refused, by `history import` and `replay` (`command`): a closed or
 * empty standard input (the command piping into it failed, or was never given) or an empty file
 * reported "imported 0 events", or replayed an empty account, with exit code 0, as a success.
 */
export const noEventsIn = (file: string, command: 'history import' | 'replay'): string =>
  file === '-'
    ? 'no events read from standard input (it was empty, or held only blank lines): pipe a history into it, ' +
      `e.g. switchboard history export | switchboard ${command} -`
    : `no events in ${file} (it is empty, or holds only blank lines): give a history, as history export writes one`;

const countLines = async (file: string): Promise<number> => {
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    for (const byte of chunk as Buffer) if (byte === 10) lines++;
  }
  return lines;
};

export const historyCommand = (): Command => {
  const history = new Command('history').description('Export and import event histories (NDJSON)');

  storeOption(
    history
      .command('export')
      .description(
        'Write events of the store as NDJSON: id, stream, revision, position, type, data, metadata',
      )
      .option('--out <file>', 'write here instead of stdout')
      .option(
        '--from <position|time>',
        "an event's $all position (as an export writes it) or a simulated time (ISO-8601), inclusive",
      )
      .option('--to <position|time>', 'last $all position or simulated time (ISO-8601), inclusive')
      .option('--stream <name>', 'only this stream (repeatable)', collect, [])
      .option('--category <name>', 'only streams of this category, e.g. line (repeatable)', collect, [])
      .option(
        '--account <id>',
        "only this account's streams: the account and its lines (repeatable)",
        collect,
        [],
      )
      .option('--no-progress', 'no progress bar'),
  ).action(async (options: ExportOptions) => {
    let file: LineFile | undefined;
    let exported = 0;
    try {
      const filter = filterOf(options);
      // Opened before the store is read: a path that cannot be written is said before any work.
      const opening = options.out ? new LineFile(options.out, undefined, `--out ${options.out}`) : undefined;
      await opening?.opened();
      file = opening;
      const write = async (line: string): Promise<void> => {
        if (file) {
          file.write(line);
          await file.drained();
        } else if (!process.stdout.write(line)) {
          await new Promise((drained) => process.stdout.once('drain', drained));
        }
      };
      await withClient(options.store, async (client) => {
        const head = await headPosition(client);
        const bar = progressBar('export', Number(head), options.progress && Boolean(options.out));
        const from = filter.from && 'position' in filter.from ? filter.from.position : undefined;
        for await (const event of readAllEvents(client, from)) {
          bar?.update(Number(event.position));
          if (!matchesFilter(event, filter)) continue;
          await write(`${JSON.stringify(event)}\n`);
          exported++;
        }
        bar?.stop();
      });
      await file?.close();
      process.stderr.write(`exported ${exported} events\n`);
    } catch (error) {
      // A store that went away (or a disk that filled) half-way left a file of whole lines that read
      // as a complete history; it replaced (and then removed) an earlier, whole export.
      let incomplete = '';
      // A file that failed says in its own error what became of it.
      const removed = await file?.discard();
      if (file && removed && !file.failed) {
        const left = file.replacing ? `${options.out} left as it was` : `no ${options.out} written`;
        incomplete = `; ${left}: the ${exported} events read are not the whole history`;
      } else if (file && !removed) {
        incomplete = `; the ${exported} events written to ${options.out} are not the whole history`;
      } else if (!file && exported > 0) {
        incomplete = `; the ${exported} events written before are not the whole history`;
      }
      process.stderr.write(`switchboard history export: ${(error as Error).message}${incomplete}\n`);
      process.exitCode = EXIT_ERROR;
    }
  });

  storeOption(
    history
      .command('import <file>')
      .description(
        'Append a history to a store: original ids, metadata, streams and revisions; events already there are skipped',
      )
      .option('--no-progress', 'no progress bar'),
  ).action(async (file: string, options: ImportOptions) => {
    let importer: HistoryImporter | undefined;
    let spooled: Awaited<ReturnType<typeof spoolIfReadOnce>>;
    try {
      spooled = await spoolIfReadOnce(file);
      const path = spooled?.path ?? file;
      const result = await withClient(options.store, async (client) => {
        // The whole file first, so that a file refused at any line changes nothing.
        if ((await checkHistory(path, new HistoryImporter(client), {}, file)) === 0) {
          throw new Error(noEventsIn(file, 'history import'));
        }
        importer = new HistoryImporter(client);
        const bar = progressBar('import', await countLines(path), options.progress);
        for await (const event of readHistory(path, file)) {
          await importer.import(event);
          bar?.increment();
        }
        bar?.stop();
        return importer;
      });
      const foreign = result.foreign.summary();
      process.stderr.write(
        `imported ${result.appended} events, skipped ${result.skipped} already present` +
          `${foreign ? `; ${foreign}: copied as they are, readers skip, park or refuse them (see README)` : ''}\n`,
      );
    } catch (error) {
      // Stopped half-way (the store went away): say what is there, and that a second run finishes it.
      const partial =
        importer && importer.appended > 0
          ? `; ${importer.appended} events were appended before it stopped: import the file again to ` +
            'append the rest (events already there are skipped)'
          : '';
      process.stderr.write(`switchboard history import: ${(error as Error).message}${partial}\n`);
      process.exitCode = EXIT_ERROR;
    } finally {
      await spooled?.remove();
    }
  });
  return history;
};
