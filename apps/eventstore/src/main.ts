#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Command, InvalidArgumentError, Option } from 'commander';

import {
  COMPATIBLE_SERVER_VERSION,
  createGrpcServer,
  DEFAULT_KEEP_ALIVE,
  SUPPORTED_STREAMS_METHODS,
} from './grpc/server.js';
import {
  LogStore,
  LogWriteFailedError,
  FileLog,
  StartRefusedError,
  MAX_APPEND_SIZE,
  MAX_APPEND_SIZE_LIMIT,
  MemoryLog,
  type RepairReport,
  WRITER_CHECKPOINT_FILE,
  LOG_REPAIRS_STREAM,
  LOG_REPAIR_EVENT_TYPE,
  repairLog,
} from './storage/index.js';
import { writeStartupRecords } from './system-records.js';

interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly data: string;
  readonly mem: boolean;
  readonly maxAppendSize: number;
  /** How often the server pings each client connection, and how long it waits for the answer (ms). */
  readonly keepAliveInterval: number;
  readonly keepAliveTimeout: number;
  /** What gossip tells clients to connect to (EventStoreDB's options of the same names). */
  readonly advertiseHostToClientAs?: string;
  readonly advertiseHttpPortToClientAs?: number;
  /** EventStoreDB's own names for the same settings, so a script written for a real node runs here. */
  readonly nodePort?: number;
  readonly nodeIp?: string;
  readonly db?: string;
  readonly memDb?: boolean;
}

/** This package's version, from the package.json above this file (in src/ or in dist/ alike). */
const packageVersion = (): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const { name, version } = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (name === 'switchboard' && version) return version;
    }
  }
  return 'unknown';
};

/** What `--version` prints: this server's version, and the EventStoreDB it answers ServerFeatures as. */
const versionText = (): string =>
  `switchboard-eventstore ${packageVersion()}\n` +
  `EventStoreDB-compatible gRPC server (insecure single node); ServerFeatures answers version ` +
  `${COMPATIBLE_SERVER_VERSION}, Streams methods: ${SUPPORTED_STREAMS_METHODS.join(', ')}`;

const program = new Command()
  .name('switchboard-eventstore')
  .description(
    'Embedded EventStoreDB-compatible server (gRPC, insecure, single node): a local emulator for any ' +
      'EventStoreDB client; what it implements: apps/eventstore/README.md',
  )
  .version(versionText(), '-V, --version', 'print the version and the EventStoreDB version it answers as')
  // `repair --data DIR`: options after a subcommand are its own, not the server's.
  .enablePositionalOptions()
  .option(
    '--port <port>',
    'TCP port to listen on (0: any free port, shown on the ready line)',
    parsePort,
    2113,
  )
  .option('--host <host>', 'interface to bind', '127.0.0.1')
  .option('--data <dir>', 'directory holding the log segments', './data/eventstore')
  .option('--mem', 'keep everything in memory; nothing is written to disk', false)
  .addOption(new Option('--node-port <port>', "EventStoreDB's name for --port").argParser(parsePort))
  .addOption(new Option('--node-ip <address>', "EventStoreDB's name for --host"))
  .addOption(new Option('--db <dir>', "EventStoreDB's name for --data"))
  .addOption(new Option('--mem-db', "EventStoreDB's name for --mem"))
  .addOption(new Option('--insecure', 'accepted for EventStoreDB scripts: this server is always insecure'))
  .option(
    '--max-append-size <bytes>',
    "bytes one append may hold (data, metadata and twice the type), EventStoreDB's option",
    parseMaxAppendSize,
    MAX_APPEND_SIZE,
  )
  .option(
    '--keep-alive-interval <ms>',
    "how often to ping each client connection, EventStoreDB's option",
    parseMilliseconds,
    DEFAULT_KEEP_ALIVE.intervalMs,
  )
  .option(
    '--keep-alive-timeout <ms>',
    "how long a client may take to answer a ping before its connection is closed, EventStoreDB's option",
    parseMilliseconds,
    DEFAULT_KEEP_ALIVE.timeoutMs,
  )
  .option(
    '--advertise-host-to-client-as <host>',
    'host that gossip (esdb+discover:// and several-host connection strings) tells clients to ' +
      "connect to, EventStoreDB's option (default: --host; 127.0.0.1 when bound to 0.0.0.0 or ::)",
  )
  .option(
    '--advertise-http-port-to-client-as <port>',
    "port that gossip tells clients to connect to, EventStoreDB's option (default: the bound port)",
    parsePort,
  )
  .action((options: ServeOptions) =>
    serve({
      port: options.nodePort ?? options.port,
      host: options.nodeIp ?? options.host,
      data: options.db ?? options.data,
      mem: options.memDb ?? options.mem,
      maxAppendSize: options.maxAppendSize,
      keepAliveInterval: options.keepAliveInterval,
      keepAliveTimeout: options.keepAliveTimeout,
      advertiseHostToClientAs: options.advertiseHostToClientAs,
      advertiseHttpPortToClientAs: options.advertiseHttpPortToClientAs,
    }),
  );

program
  .command('repair')
  .description(
    'with the store stopped: copy each damaged log segment aside, then take out only the damaged bytes ' +
      '(and what must go with them); never deletes a segment file',
  )
  .requiredOption('--data <dir>', 'directory holding the log segments')
  .action((options: { data: string }) => repair(resolve(options.data)));

function parseMaxAppendSize(value: string): number {
  const bytes = Number(value);
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_APPEND_SIZE_LIMIT)
    throw new InvalidArgumentError(`not a number of bytes from 1 to ${MAX_APPEND_SIZE_LIMIT}`);
  return bytes;
}

function parseMilliseconds(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1 || ms > 2 ** 31 - 1)
    throw new InvalidArgumentError('not a number of milliseconds from 1 to 2147483647');
  return ms;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('not a port number');
  return port;
}

async function serve(options: ServeOptions): Promise<void> {
  // Set before the log is opened: a SIGTERM or SIGINT while recovery checks a large log (seconds)
  // otherwise killed the store (exit 143 or 130) and left its eventstore.lock behind. A stop asked for
  // while starting ends the start at its next step, closing the log (which releases the lock).
  let stopAsked = false;
  /** How the running store stops, once it listens. */
  const running: { stop?: () => Promise<void> } = {};
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopAsked) return;
    stopAsked = true;
    console.log(`eventstore received ${signal}, shutting down`);
    void running.stop?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const dataDir = resolve(options.data);
  const log = options.mem ? new MemoryLog() : new FileLog(dataDir);
  let opened: Awaited<ReturnType<typeof LogStore.open>>;
  try {
    opened = await LogStore.open(log, {
      maxAppendSize: options.maxAppendSize,
      // Reads go on either way, but appends are refused: that must not go unsaid.
      onWriteFailed: ({ error, code, refusedAppends, resumes }) =>
        console.error(
          resumes
            ? `eventstore: a write to the log failed (${error.message}): ${refusedAppends} append(s) refused, ` +
                'none of them kept; the log is cut back to its last durable write. Appends are taken again ' +
                'and succeed once the disk has room: free space on it (reads still work).'
            : `eventstore: the log failed (${error.message}): every append is refused from now on; reads ` +
                `still work. ${remedyFor(code)}, then restart the store: recovery checks every record and ` +
                'cuts the unacknowledged write.',
        ),
      onWritesResumed: ({ failedWrites, refusedAppends }) =>
        console.error(
          `eventstore: writes to the log succeed again, after ${failedWrites} failed write(s) and ` +
            `${refusedAppends} refused append(s)`,
        ),
    });
  } catch (error) {
    refuseStartOnWriteFailure(error, dataDir);
    if (!(error instanceof StartRefusedError)) throw error;
    console.error(`eventstore refuses to start: ${error.message}`);
    process.exit(2);
  }
  const { store, recovery } = opened;
  const stopIfAsked = async (): Promise<void> => {
    if (!stopAsked) return;
    await store.close();
    process.exit(0);
  };
  const torn = recovery.tornTail;
  if (torn) {
    console.warn(
      `eventstore recovered ${recovery.records} records; cut a torn tail (an unfinished last write, ` +
        `${torn.reason}) of ${torn.to - torn.from} bytes: ${torn.file} bytes ${torn.from}..${torn.to}, ` +
        `kept in ${torn.keptAt}`,
    );
  }
  if (recovery.checkpointCreated)
    console.log(
      `eventstore wrote ${WRITER_CHECKPOINT_FILE} from the log it found (${recovery.records} records): this ` +
        'data directory predates it; from now on a log that ends before it refuses to start',
    );
  await stopIfAsked();
  // A node's instance id lives as long as its process: gossip reports it, and each start's epoch
  // record names it as the leader.
  const instanceId = randomUUID();
  // As a real node does on every start: the clients meet these `$`-records in `$all`.
  await writeStartupRecords(store, instanceId).catch((error: unknown) => {
    refuseStartOnWriteFailure(error, dataDir);
    throw error;
  });
  await stopIfAsked();
  const server = createGrpcServer(store, {
    instanceId,
    keepAlive: { intervalMs: options.keepAliveInterval, timeoutMs: options.keepAliveTimeout },
    advertiseToClient: { host: options.advertiseHostToClientAs, port: options.advertiseHttpPortToClientAs },
  });
  const port = await server.listen(options.host, options.port).catch(async (error: unknown) => {
    // Most often a second stack, or a real EventStoreDB, on the port: one sentence, not a stack trace.
    if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') throw error;
    console.error(
      `eventstore: cannot listen on ${options.host}:${options.port}: another process is using it; stop ` +
        'that process, or choose another port (--port, or npm start -- --store-port)',
    );
    await store.close();
    process.exit(1);
  });
  running.stop = async () => {
    await server.stop();
    await store.close();
    process.exit(0);
  };
  if (stopAsked) return running.stop();
  const where = options.mem ? 'in-memory' : `data: ${dataDir}`;
  console.log(`eventstore listening on esdb://${options.host}:${port}?tls=false (${where})`);
}

/**
 * A store that cannot write at start (a full disk: recovery copies a torn tail aside and writes
 * writer.chk, the start appends its epoch record) says so in one line and exits, as a refused start
 * does, instead of dying with a stack trace: nothing was lost, and the operator has to free space.
 */
function refuseStartOnWriteFailure(error: unknown, dataDir: string): void {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const writeFailed =
    error instanceof LogWriteFailedError || (typeof code === 'string' && WRITE_FAILURES.has(code));
  if (!writeFailed) return;
  console.error(
    `eventstore cannot start: a write to ${dataDir} failed (${String(message)}). No acknowledged event ` +
      `is lost; ${remedyFor(code).toLowerCase()}, ` +
      'then start the store again.',
  );
  process.exit(2);
}

/**
 * What the operator does about a write that failed with `code`. EFBIG is no disk's fault: a file grew
 * past the file size limit of the process (`ulimit -f`) or of its file system, which neither freeing
 * space nor a new disk lifts.
 */
function remedyFor(code: unknown): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'Free space on its disk (or raise the quota)';
  if (code === 'EFBIG')
    return "Raise the file size limit that stopped the write (the process's ulimit -f, or its file system's)";
  return 'Fix the cause (a failing disk?)';
}

/** The errors of a write that a full or failing disk gives. */
const WRITE_FAILURES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EFBIG']);

async function repair(dataDir: string): Promise<void> {
  const report = await repairLog(dataDir).catch((error: unknown) => {
    // A mistyped --data: one sentence saying which directory to give, not readdir's stack trace.
    const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
    if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path !== dataDir) throw error;
    console.error(
      `eventstore repair: there is no log directory ${dataDir}: give --data the store's data directory ` +
        "(npm start's is ./data/eventstore)",
    );
    process.exit(1);
  });
  for (const line of describeRepair(report)) console.log(line);
}

/** The repair's account: every range taken out, with its positions and the intact events it held. */
function describeRepair(report: RepairReport): string[] {
  const lines = [`eventstore repair: ${report.segments} segment file(s) in ${report.directory}`];
  if (report.repaired.length === 0) lines.push('nothing to repair: every segment is intact');
  let droppedEvents = 0;
  let droppedBytes = 0;
  for (const segment of report.repaired) {
    lines.push(`${segment.file}: copied as it was to ${segment.copy}`);
    if (segment.headerRewritten)
      lines.push(`  header written again from the file name (it had: ${segment.headerRewritten})`);
    for (const range of segment.dropped) {
      droppedEvents += range.events.length;
      droppedBytes += range.toOffset - range.fromOffset;
      lines.push(
        `  dropped positions ${range.fromPosition}..${range.toPosition} (file bytes ` +
          `${range.fromOffset}..${range.toOffset}, ${range.toOffset - range.fromOffset} bytes): ${range.reason}; ` +
          `${range.events.length} intact event(s)`,
      );
      for (const event of range.events)
        lines.push(`    ${event.stream} revision ${event.revision} at position ${event.position}`);
    }
    if (segment.cutAt !== undefined) lines.push(`  file cut at byte ${segment.cutAt}`);
    lines.push(`  kept ${segment.keptAfterDamage} event(s) after the damage at their positions`);
  }
  if (report.repaired.length > 0)
    lines.push(
      `dropped ${droppedEvents} intact event(s) and ${droppedBytes} bytes in ${report.repaired.length} file(s); ` +
        'the store starts again',
    );
  const { before, after } = report.checkpoint;
  const now = `position ${after.position} (${after.events} events)`;
  const lostTail = before.kind === 'read' && before.end.position > after.position;
  if (lostTail)
    lines.push(
      `${WRITER_CHECKPOINT_FILE} said the log was durable up to position ${before.end.position} ` +
        `(${before.end.events} events), but it ends at ${now}: accepting the loss of ` +
        `${before.end.position - after.position} bytes and ${before.end.events - after.events} acknowledged ` +
        `event(s)${droppedEvents > 0 ? ' (those listed above included)' : ''}; ${WRITER_CHECKPOINT_FILE} now ` +
        `says ${now} and the store starts again`,
    );
  else if (before.kind === 'damaged')
    lines.push(
      `${WRITER_CHECKPOINT_FILE} was damaged (${before.reason}): written again from the log, ${now}`,
    );
  else if (before.kind === 'none') lines.push(`${WRITER_CHECKPOINT_FILE} written from the log: ${now}`);
  // Positions do not move, so a reader's last record may still be where it was with dropped events
  // before it: this record is what tells the reader (libs/eventstore's checkReaderAgainstStore).
  if (report.repairRecord)
    lines.push(
      `appended the repair's record (${LOG_REPAIR_EVENT_TYPE} in ${LOG_REPAIRS_STREAM}) at position ` +
        `${report.repairRecord.position}: readers that resume from a position (the projector, the time-travel ` +
        "log index, the api's line timers) read it when they next subscribe, and those that had read anything " +
        'it dropped start over from the first event',
    );
  return lines;
}

program.parseAsync().catch((error: unknown) => {
  console.error('eventstore failed:', error);
  process.exit(1);
});
