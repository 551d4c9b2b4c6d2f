import { FORWARDS, START, StreamNotFoundError } from '@eventstore/db-client';
import { ID_PATTERN, streamName } from '#eventstore';
import { Command, Option } from 'commander';
import { HttpClient } from '../http.js';
import { readAllEvents, toHistoryEvent, type HistoryEvent } from '../history/history-event.js';
import { DEFAULT_PROJECTOR_URL, EXIT_ERROR } from '../options.js';
import { storeOption, withClient } from '../store.js';
import { CallMatcher, rowFromEvent, toCsv, toTable, type AuditRow } from './audit-trail.js';

interface AuditOptions {
  store: string;
  projector: string;
  source: 'auto' | 'projector' | 'store';
  line?: string;
  json: boolean;
  csv: boolean;
}

interface ProjectorAuditEntry extends Omit<AuditRow, 'hash'> {
  /** sha256 over the previous entry's hash and this entry: an edited or dropped step breaks the chain. */
  readonly chainHash?: string;
}

/** The projector's audit trail (hash-chained), or undefined when the projector does not know the call. */
async function fromProjector(url: string, callId: string): Promise<AuditRow[] | undefined> {
  const http = new HttpClient(url, 1);
  try {
    const res = await http.send('GET', `/calls/${encodeURIComponent(callId)}/audit`, undefined, 30_000);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`GET /calls/${callId}/audit answered ${res.status}: ${res.text}`);
    const entries = (res.json as { entries: ProjectorAuditEntry[] }).entries;
    return entries.map((e) => ({
      simulatedTime: e.simulatedTime,
      type: e.type,
      actor: e.actor,
      onBehalfOf: e.onBehalfOf,
      permission: e.permission,
      stream: e.stream,
      revision: e.revision,
      position: e.position,
      correlationId: e.correlationId,
      causationId: e.causationId,
      commandId: e.commandId,
      eventId: e.eventId,
      ...(e.chainHash ? { hash: e.chainHash } : {}),
    }));
  } finally {
    http.close();
  }
}

/** The call's events read from the store: one line stream (its name) when given, else every line stream in `$all`. */
async function fromStore(connection: string, callId: string, line: string | undefined): Promise<AuditRow[]> {
  const matcher = new CallMatcher(callId);
  const rows: AuditRow[] = [];
  await withClient(connection, async (client) => {
    const events: AsyncIterable<HistoryEvent | undefined> = line
      ? (async function* () {
          try {
            for await (const resolved of client.readStream(line, {
              direction: FORWARDS,
              fromRevision: START,
            })) {
              yield toHistoryEvent(resolved);
            }
          } catch (error) {
            if (!(error instanceof StreamNotFoundError)) throw error;
          }
        })()
      : readAllEvents(client);
    for await (const event of events) {
      if (event && event.stream.startsWith('line-') && matcher.matches(event)) rows.push(rowFromEvent(event));
    }
  });
  return rows;
}

/**
 * `--line`: the line as `<accountId>.<number>`, the number with or without its "+" (E.164, as every
 * other command writes it; the stream name holds the digits), as its stream's name. Anything else is
 * refused, where it used to read a stream that cannot exist and report that the call has no events.
 */
export const lineStream = (text: string): string => {
  const dot = text.lastIndexOf('.');
  const accountId = text.slice(0, Math.max(dot, 0));
  const digits = text.slice(dot + 1).replace(/^\+/, '');
  if (!ID_PATTERN.test(accountId) || !/^\d{7,15}$/.test(digits)) {
    throw new Error(
      `--line must be <accountId>.<number>, e.g. acme.15550000001 or acme.+15550000001, not "${text}"`,
    );
  }
  return streamName('line', accountId, digits);
};

export const auditCommand = (): Command => {
  const audit = new Command('audit').description('Audit trails');
  storeOption(
    audit
      .command('call <callId>')
      .description("A call's timeline: every step with actor, on-behalf-of, permission, time, position, ids")
      .option('--projector <url>', 'projector base url', DEFAULT_PROJECTOR_URL)
      .addOption(
        new Option('--source <where>', 'projector audit endpoint, the store, or the projector when reachable')
          .choices(['auto', 'projector', 'store'])
          .default('auto'),
      )
      .option(
        '--line <accountId.number>',
        'read only this line stream from the store (faster than scanning $all)',
      )
      .addOption(new Option('--json', 'JSON').default(false).conflicts('csv'))
      .option('--csv', 'CSV', false),
  ).action(async (callId: string, options: AuditOptions) => {
    try {
      const line = options.line === undefined ? undefined : lineStream(options.line);
      let rows: AuditRow[] | undefined;
      if (options.source !== 'store') {
        try {
          rows = await fromProjector(options.projector, callId);
        } catch (error) {
          if (options.source === 'projector') throw error;
        }
      }
      rows ??= options.source === 'projector' ? [] : await fromStore(options.store, callId, line);
      if (rows.length === 0) {
        const where = line && options.source !== 'projector' ? ` in stream ${line}` : '';
        process.stderr.write(`switchboard audit: no events of call ${callId} found${where}\n`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      if (options.json) process.stdout.write(`${JSON.stringify({ callId, entries: rows }, null, 2)}\n`);
      else if (options.csv) process.stdout.write(toCsv(rows));
      else process.stdout.write(toTable(callId, rows));
    } catch (error) {
      process.stderr.write(`switchboard audit: ${(error as Error).message}\n`);
      process.exitCode = EXIT_ERROR;
    }
  });
  return audit;
};
