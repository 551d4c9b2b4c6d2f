import { Command } from 'commander';
import { parseLineStream, type ForeignReason } from '#events';
import { HttpClient } from '#load';
import { decodeHistoryEvent, headPosition, readAllEvents } from '../history/history-event.js';
import { EXIT_ERROR, EXIT_FAILED, nonNegativeInt, stackUrlOption } from '../options.js';
import { progressBar } from '../progress.js';
import { storeOption, withClient } from '../store.js';
import { LineChecker } from './checks.js';

interface VerifyOptions {
  store: string;
  projector: string;
  checkProjector: boolean;
  json: boolean;
  maxProblems: number;
  progress: boolean;
}

export interface Problem {
  readonly check: 'parse' | 'metadata' | 'schema' | 'revisions' | 'positions' | 'stateMachine' | 'digest';
  /** For an event this build cannot read as its own: the decoder's reason (see decodeRecordedEvent). */
  readonly reason?: string;
  readonly stream?: string;
  readonly revision?: string;
  readonly position?: string;
  readonly type?: string;
  readonly message: string;
}

export interface VerifyReport {
  readonly events: number;
  readonly streams: number;
  readonly lineStreams: number;
  readonly checks: Record<Problem['check'], 'passed' | 'failed' | 'skipped'>;
  readonly digest:
    | {
        live: string;
        rebuilt: string;
        position: string | null;
        equal: boolean;
        /** Events the live read models skip (parked), listed by GET /parked on the projector. */
        parked: number | null;
      }
    | { skipped: string }
    | null;
  readonly problemCount: number;
  readonly problems: readonly Problem[];
}

/** Which check a foreign event fails, by the decoder's reason. */
const checkOf: Record<ForeignReason, Problem['check']> = {
  NO_METADATA: 'metadata',
  METADATA_NOT_JSON: 'metadata',
  METADATA_NOT_OURS: 'metadata',
  DATA_NOT_JSON: 'parse',
  UNKNOWN_TYPE: 'schema',
  SCHEMA_VERSION_FROM_FUTURE: 'schema',
  NO_UPCASTER: 'schema',
  DATA_INVALID: 'schema',
};

/** Reads the whole log once and checks it; then asks the projector to compare its digest with a rebuild. */
async function verify(options: VerifyOptions): Promise<VerifyReport> {
  const problems: Problem[] = [];
  let problemCount = 0;
  const failed = new Set<Problem['check']>();
  const report = (problem: Problem): void => {
    problemCount++;
    failed.add(problem.check);
    if (problems.length < options.maxProblems) problems.push(problem);
  };
  const nextRevision = new Map<string, bigint>();
  const lines = new Map<string, LineChecker>();
  let events = 0;
  let lastPosition: bigint | undefined;

  await withClient(options.store, async (client) => {
    const bar = progressBar('verify', Number(await headPosition(client)), options.progress);
    for await (const event of readAllEvents(client)) {
      events++;
      bar?.update(Number(event.position));
      const where = {
        stream: event.stream,
        revision: event.revision,
        position: event.position,
        type: event.type,
      };
      const position = BigInt(event.position);
      if (lastPosition !== undefined && position <= lastPosition) {
        report({
          check: 'positions',
          ...where,
          message: `$all position ${position} does not follow ${lastPosition}`,
        });
      }
      lastPosition = position;

      const revision = BigInt(event.revision);
      const expected = nextRevision.get(event.stream) ?? 0n;
      if (revision !== expected) {
        report({ check: 'revisions', ...where, message: `revision ${revision} where ${expected} was due` });
      }
      nextRevision.set(event.stream, revision + 1n);

      // The same decoding step as every other consumer: a foreign event is reported with its reason
      // and kept out of the state machine check, as the api's folds keep it out of decisions.
      const decoded = decodeHistoryEvent(event);
      if (!decoded.ours) {
        report({ check: checkOf[decoded.reason], ...where, reason: decoded.reason, message: decoded.detail });
        continue;
      }

      if (parseLineStream(event.stream)) {
        let checker = lines.get(event.stream);
        if (!checker) lines.set(event.stream, (checker = new LineChecker()));
        for (const message of checker.apply(event.type, decoded.event.data))
          report({ check: 'stateMachine', ...where, message });
      }
    }
    bar?.stop();
  });

  let digest: VerifyReport['digest'] = null;
  if (options.checkProjector) {
    const http = new HttpClient(options.projector, 1);
    try {
      const health = await http.send('GET', '/health', undefined, 30_000);
      const status = health.json as { status?: string; failure?: { message?: string } } | undefined;
      if (status?.status === 'failed') {
        report({
          check: 'digest',
          message: `the projector stopped: ${status.failure?.message ?? health.text}`,
        });
      }
      const res = await http.send('POST', '/rebuild', undefined, 600_000);
      const body = res.json as {
        liveDigest: string;
        rebuiltDigest: string;
        position: string | null;
        equal: boolean;
        parked?: { live: number };
        reason?: string;
      };
      if (res.status !== 200 || typeof body?.equal !== 'boolean')
        throw new Error(`POST /rebuild answered ${res.status}: ${res.text}`);
      digest = {
        live: body.liveDigest,
        rebuilt: body.rebuiltDigest,
        position: body.position,
        equal: body.equal,
        parked: body.parked?.live ?? null,
      };
      if (!body.equal) {
        report({
          check: 'digest',
          message:
            body.reason ??
            `the live read models (${body.liveDigest}) differ from a rebuild (${body.rebuiltDigest}) at position ${body.position}`,
        });
      }
    } catch (error) {
      digest = { skipped: `projector at ${options.projector} not usable: ${(error as Error).message}` };
      report({ check: 'digest', message: digest.skipped });
    } finally {
      http.close();
    }
  }
  const status = (check: Problem['check']): 'passed' | 'failed' | 'skipped' =>
    failed.has(check) ? 'failed' : check === 'digest' && !options.checkProjector ? 'skipped' : 'passed';
  return {
    events,
    streams: nextRevision.size,
    lineStreams: lines.size,
    checks: {
      parse: status('parse'),
      metadata: status('metadata'),
      schema: status('schema'),
      revisions: status('revisions'),
      positions: status('positions'),
      stateMachine: status('stateMachine'),
      digest: status('digest'),
    },
    digest,
    problemCount,
    problems,
  };
}

export const verifyCommand = (): Command =>
  storeOption(
    new Command('verify')
      .description(
        'Check the log: every event parses with SPEC metadata, of a known type and schema version, its data ' +
          'passing its schema (each foreign event is reported with its reason and position), stream revisions are contiguous, $all positions ' +
          'increase, every call follows the line state machine; and the projector digest equals a fresh rebuild',
      )
      .addOption(stackUrlOption('projector', 'projector base url'))
      .option('--no-check-projector', 'skip the read-model digest check')
      .option('--json', 'print the report as JSON', false)
      .option('--max-problems <n>', 'problems listed in the report (all are counted)', nonNegativeInt, 50)
      .option('--no-progress', 'no progress bar'),
  ).action(async (options: VerifyOptions) => {
    try {
      const result = await verify(options);
      if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        process.stdout.write(
          `verified ${result.events} events in ${result.streams} streams (${result.lineStreams} lines)\n`,
        );
        for (const [check, status] of Object.entries(result.checks))
          process.stdout.write(`  ${status.padEnd(7)} ${check}\n`);
        if (result.digest && 'equal' in result.digest) {
          process.stdout.write(
            `  digest at position ${result.digest.position}: live ${result.digest.live} rebuilt ${result.digest.rebuilt}` +
              `${result.digest.parked ? ` (${result.digest.parked} parked events skipped by both)` : ''}\n`,
          );
        }
        for (const p of result.problems) {
          process.stdout.write(
            `  ! [${p.check}${p.reason ? ` ${p.reason}` : ''}] ${p.stream ? `${p.stream}@${p.revision} (pos ${p.position}, ${p.type}): ` : ''}${p.message}\n`,
          );
        }
        if (result.problemCount > result.problems.length) {
          process.stdout.write(`  … and ${result.problemCount - result.problems.length} more\n`);
        }
      }
      process.exitCode = result.problemCount > 0 ? EXIT_FAILED : 0;
    } catch (error) {
      process.stderr.write(`switchboard verify: ${(error as Error).message}\n`);
      process.exitCode = EXIT_ERROR;
    }
  });
