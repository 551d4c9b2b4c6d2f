import {
  LINE_STREAM_PREFIX,
  accountStream,
  eventSchemas,
  ID_PATTERN,
  lineKeyOf,
  lineStream,
  parseLineStream,
  splitLineKey,
} from '#events';
import { EventStore } from '#eventstore';
import { Command, Option } from 'commander';
import {
  accountParty,
  accountsProjection,
  auditProjection,
  callsProjection,
  readAuditTrail,
  replay,
} from '#read-models';
import {
  AUDIT_ENTRY_FIELDS,
  AuditFileError,
  auditCsv,
  chained,
  compareNamesWithLog,
  compareWithLog,
  lineOfRowKey,
  parseAuditExport,
  verifyChain,
  verifyNames,
  type AuditFailure,
  type ChainedAuditEntry,
} from '#read-models';
import { readFile } from 'node:fs/promises';
import { HttpClient } from '#load';
import { EXIT_ERROR, EXIT_FAILED, stackUrlOption } from '../options.js';
import { storeOption, withClient } from '../store.js';
import { toJson, toTable, trailOf } from './audit-trail.js';

interface AuditOptions {
  store: string;
  projector: string;
  source: 'auto' | 'projector' | 'store';
  line?: string;
  json: boolean;
  csv: boolean;
}

/** A call id several lines used: which line is for the auditor to say (call ids are unique per line only). */
class AmbiguousCallError extends Error {
  constructor(callId: string, lines: readonly string[]) {
    super(
      `call ${callId} was on several lines (${lines.join(', ')}): name one with --line <accountId.number>`,
    );
  }
}

/** The projector's audit trail (of the call on `line` when given), or undefined when it does not know the call. */
async function fromProjector(
  url: string,
  callId: string,
  line: string | undefined,
): Promise<ChainedAuditEntry[] | undefined> {
  const call = `calls/${encodeURIComponent(callId)}/audit`;
  let path = `/${call}`;
  if (line !== undefined) {
    const { accountId, number } = splitLineKey(line);
    path = `/lines/${accountId}/${number}/${call}`;
  }
  const http = new HttpClient(url, 1);
  try {
    const res = await http.send('GET', path, undefined, 30_000);
    if (res.status === 404) {
      // The projector says which call, line or account it does not know; any other 404 (a framework's
      // NOT_FOUND, or no code) is a server without this endpoint, not a call without events.
      const code = (res.json as { code?: unknown } | undefined)?.code;
      if (typeof code === 'string' && /^(CALL|LINE|ACCOUNT)_NOT_FOUND$/.test(code)) return undefined;
      throw new Error(
        `GET ${url}${path} answered 404 ${typeof code === 'string' ? code : res.text.slice(0, 100)}: ` +
          `no call audit there; is ${url} the projector?`,
      );
    }
    if (res.status === 409) {
      const { lines = [] } = res.json as { lines?: { accountId: string; number: string }[] };
      throw new AmbiguousCallError(
        callId,
        lines.map(({ accountId, number }) => `${accountId}.${number}`),
      );
    }
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text}`);
    // The trail's own fields: the projector's names of the parties are its own, which the store path
    // has not, and the CLI prints the same trail from either.
    return (res.json as { entries: ChainedAuditEntry[] }).entries.map(
      (entry) =>
        Object.fromEntries(
          (['chainHash', ...AUDIT_ENTRY_FIELDS] as const).map((field) => [field, entry[field]]),
        ) as unknown as ChainedAuditEntry,
    );
  } finally {
    http.close();
  }
}

/**
 * The same trail from the store alone, with the projector's own code: the line streams (one with
 * `--line`) replayed through its calls and audit projections, the call found as its endpoint finds
 * it, the entries read back and hash-chained as it does. So the rows and hashes match the
 * projector's, and an auditor can check an exported trail while the projector is down.
 */
async function fromStore(
  connection: string,
  callId: string,
  stream: string | undefined,
): Promise<ChainedAuditEntry[]> {
  return withClient(connection, async (client) => {
    const readModels = await replay(
      new EventStore(client, eventSchemas),
      [callsProjection, auditProjection],
      {
        streamPrefixes: [stream ?? LINE_STREAM_PREFIX],
      },
    );
    // Reported, not hidden: events of the replayed lines that the read models (as the projector's) skip.
    for (const parked of readModels.parked) {
      process.stderr.write(
        `switchboard audit: skipped ${parked.type} at ${parked.stream}@${parked.revision} ($all position ` +
          `${parked.position}): ${parked.reason}: ${parked.detail}\n`,
      );
    }
    const trail = trailOf(readModels, callId, stream === undefined ? undefined : lineKeyOf(stream));
    if (trail.kind === 'notFound') return [];
    if (trail.kind === 'ambiguous') throw new AmbiguousCallError(callId, trail.lines);
    return chained(await readAuditTrail(client, trail.line, trail.revisions));
  });
}

/**
 * `--line`: the line as `<accountId>.<number>`, the number with or without its "+" (E.164, as every
 * other command writes it; the stream name holds the digits), as its stream's name. Anything else is
 * refused, where it used to read a stream that cannot exist and report that the call has no events.
 */
export const lineOption = (text: string): string => {
  const dot = text.lastIndexOf('.');
  const accountId = text.slice(0, Math.max(dot, 0));
  const digits = text.slice(dot + 1).replace(/^\+/, '');
  if (!ID_PATTERN.test(accountId) || !/^\d{7,15}$/.test(digits)) {
    throw new Error(
      `--line must be <accountId>.<number>, e.g. acme.15550000001 or acme.+15550000001, not "${text}"`,
    );
  }
  return lineStream(accountId, digits);
};

/**
 * The same call's trail as the log holds it today, found by the stream and first revision an exported
 * trail names: the line's stream replayed through the audit projection, the trail holding that
 * revision read back and chained as the projector does (`undefined` when no call's trail holds it), and
 * the line's name when the call started (R23); and the parties' names as the line's account names them,
 * as the projector names them in its exports.
 */
async function trailInLog(
  connection: string,
  stream: string,
  revision: number,
): Promise<{
  trail?: ChainedAuditEntry[];
  lineName?: string | null;
  nameOf: (partyId: string) => string | null;
}> {
  const line = lineKeyOf(stream);
  const { accountId } = parseLineStream(stream)!;
  return withClient(connection, async (client) => {
    const readModels = await replay(
      new EventStore(client, eventSchemas),
      [auditProjection, accountsProjection, callsProjection],
      { streamPrefixes: [stream, accountStream(accountId)] },
    );
    // A party's name is set once, when it is provisioned, so today's name is the one any export gave.
    const nameOf = (partyId: string): string | null =>
      accountParty(readModels, accountId, partyId)?.name ?? null;
    for (const [key, revisions] of readModels.state(auditProjection).trails) {
      if (lineOfRowKey(key) === line && revisions.includes(revision)) {
        const trail = chained(await readAuditTrail(client, line, revisions));
        const lineName = readModels.state(callsProjection).calls.get(key)?.lineName ?? null;
        return { trail, lineName, nameOf };
      }
    }
    return { nameOf };
  });
}

/**
 * The first way an exported trail fails: its own chain, then (with a store) the log. An edited cell
 * breaks the chain at its row, and the chain cannot say which cell; the log can, so with a store a
 * difference the log finds at that row or before is the answer (`field actor: expected "bob"…`).
 */
async function verifyTrail(
  exported: Exported,
  connection: string | undefined,
): Promise<AuditFailure | undefined> {
  const { rows, names = [] } = exported;
  if (rows.length === 0) return { index: 0, field: 'row', expected: 'an entry', actual: 'no rows' };
  // The names are outside the chain: the chain first, then the names the file gives each party.
  const broken = verifyChain(rows) ?? verifyNames(names);
  if (connection === undefined) return broken;
  if (!broken) return againstLog(exported, connection);
  const inLog = await againstLog(exported, connection).catch(() => undefined);
  // An unreachable store changes nothing here: the broken chain is already the verdict.
  return inLog !== undefined && inLog.index <= broken.index ? inLog : broken;
}

/** An export as `parseAuditExport` reads it: its rows, the names it gives the parties, its `lineName`. */
type Exported = Extract<ReturnType<typeof parseAuditExport>, { rows: unknown }>;

/** The first row (and field) where a trail differs from the same call's trail as the log holds it. */
async function againstLog(
  { rows, names = [], lineName }: Exported,
  connection: string,
): Promise<AuditFailure | undefined> {
  const stream = rows[0]!.stream;
  const stray = rows.findIndex((row) => row.stream !== stream);
  if (stray >= 0) return { index: stray, field: 'stream', expected: stream, actual: rows[stray]!.stream };
  if (parseLineStream(stream) === undefined || !/^\d+$/.test(rows[0]!.revision)) {
    return { index: 0, field: 'stream', expected: 'a line stream and a revision', actual: stream };
  }
  const inLog = await trailInLog(connection, stream, Number(rows[0]!.revision));
  if (!inLog.trail) {
    return {
      index: 0,
      field: 'revision',
      expected: `an event of a call's trail in ${stream}`,
      actual: rows[0]!.revision,
    };
  }
  // R23: the line's name when the call started, which the projector's JSON says and no entry holds.
  const logName = inLog.lineName ?? null;
  const misnamed: AuditFailure | undefined =
    lineName === undefined || lineName === logName
      ? undefined
      : {
          index: 0,
          field: 'lineName',
          expected: JSON.stringify(logName),
          actual:
            typeof lineName === 'string' || lineName === null
              ? JSON.stringify(lineName)
              : `a ${typeof lineName}`,
        };
  return compareWithLog(rows, inLog.trail) ?? compareNamesWithLog(names, inLog.nameOf) ?? misnamed;
}

export const auditCommand = (): Command => {
  const audit = new Command('audit').description('Audit trails');
  storeOption(
    audit
      .command('call <callId>')
      .description("A call's timeline: every step with actor, on-behalf-of, permission, time, position, ids")
      .addOption(stackUrlOption('projector', 'projector base url'))
      .addOption(
        new Option('--source <where>', 'projector audit endpoint, the store, or the projector when reachable')
          .choices(['auto', 'projector', 'store'])
          .default('auto'),
      )
      .option(
        '--line <accountId.number>',
        "the call's line (call ids are unique per line only); from the store, only its stream is read",
      )
      .addOption(new Option('--json', 'JSON').default(false).conflicts('csv'))
      .option('--csv', 'CSV', false),
  ).action(async (callId: string, options: AuditOptions) => {
    try {
      const line = options.line === undefined ? undefined : lineOption(options.line);
      let rows: ChainedAuditEntry[] | undefined;
      if (options.source !== 'store') {
        try {
          rows = await fromProjector(options.projector, callId, line && lineKeyOf(line));
        } catch (error) {
          // The store would only say the same: fall back to it when the projector is unreachable.
          if (options.source === 'projector' || error instanceof AmbiguousCallError) throw error;
        }
      }
      rows ??= options.source === 'projector' ? [] : await fromStore(options.store, callId, line);
      if (rows.length === 0) {
        const where = line && options.source !== 'projector' ? ` in stream ${line}` : '';
        process.stderr.write(`switchboard audit: no events of call ${callId} found${where}\n`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      if (options.json) process.stdout.write(toJson(callId, rows));
      else if (options.csv) process.stdout.write(auditCsv(rows));
      else process.stdout.write(toTable(callId, rows));
    } catch (error) {
      process.stderr.write(`switchboard audit: ${(error as Error).message}\n`);
      process.exitCode = EXIT_ERROR;
    }
  });
  audit
    .command('verify <file>')
    .description(
      'Check an exported trail (audit call --json or --csv): its hash chain, and with --store every row ' +
        'against the log; exit 1 naming the first bad row',
    )
    .option(
      '--store <connection-string>',
      'also check every row against this EventStoreDB (without it, only the chain is checked)',
    )
    .action(async (file: string, options: { store?: string }) => {
      try {
        const parsed = parseAuditExport(await readFile(file, 'utf8'));
        const failure = 'failure' in parsed ? parsed.failure : await verifyTrail(parsed, options.store);
        if (failure) {
          process.stderr.write(
            `switchboard audit verify: ${file} fails at row ${failure.index} (0 = the first entry), field ` +
              `${failure.field}: expected ${failure.expected}, found ${failure.actual}\n`,
          );
          process.exitCode = EXIT_FAILED;
          return;
        }
        const rows = 'rows' in parsed ? parsed.rows : [];
        const checked =
          options.store === undefined
            ? 'rows not checked against a store (give --store)'
            : `every row matches the log (${rows[0]!.stream})`;
        process.stdout.write(
          `${file}: ${rows.length} rows, hash chain intact (last ${rows.at(-1)!.chainHash}); ${checked}\n`,
        );
      } catch (error) {
        const message = (error as Error).message;
        process.stderr.write(`switchboard audit verify: ${file}: ${message}\n`);
        // A file that is no trail fails the check; a file or store that cannot be read is no verdict.
        process.exitCode = error instanceof AuditFileError ? EXIT_FAILED : EXIT_ERROR;
      }
    });
  return audit;
};
