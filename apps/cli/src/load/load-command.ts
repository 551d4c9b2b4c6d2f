import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command, Option } from 'commander';
import {
  type ApiCommand,
  arrivalCount,
  buildSummary,
  buildTopology,
  concurrencyShare,
  DEFAULT_MIX,
  execute,
  fileToReplace,
  filterRecording,
  formatDurationMs,
  formatShard,
  formatThinkTime,
  type LoadSummary,
  mergeResults,
  Metrics,
  newCounters,
  ownsCall,
  ownsDelegator,
  parseMix,
  parseThinkTime,
  parseThreshold,
  planCall,
  readRecording,
  recordedAccount,
  type RecordedCommand,
  recordingFilterProblems,
  retarget,
  runClosed,
  runOpen,
  runReplay,
  setupCommands,
  type Shard,
  shardProblems,
  startAtProblem,
  type Threshold,
  topologyProblems,
  warmUpSchedule,
  warmUpSummary,
  type WarmUpSummary,
} from '#load';
import { buildManifest } from '#stack';
import {
  collect,
  duration,
  durationOption,
  EXIT_ERROR,
  finiteNumber,
  idOptionProblem,
  positiveDuration,
  positiveInt,
  rate,
  replaySpeed,
  shardArg,
  stackUrlOption,
  startAtArg,
} from '../options.js';
import { type CommonOptions, report, Session } from './load-session.js';

interface RunOptions extends CommonOptions {
  rate?: number;
  rampStep?: number;
  rampInterval?: number;
  maxRate?: number;
  concurrency?: number;
  duration?: number;
  maxCalls?: number;
  mix: string;
  think: string;
  seed: string;
  runId: string;
  delegators: number;
  delegates: number;
  lines: number;
  shard?: Shard;
  warmUp?: number;
  /** Wall-clock ms since the epoch. */
  startAt?: number;
}

interface MergeOptions {
  threshold: string[];
  out?: string;
  json: boolean;
}

interface ReplayOptions extends CommonOptions {
  speed: string;
  from?: number;
  to?: number;
  filter: string[];
  dryRun: boolean;
  account?: string;
  keepAccount: boolean;
  skipSetup: boolean;
  concurrency: number;
}

const commonOptions = (command: Command): Command =>
  command
    .addOption(stackUrlOption('api', 'api base url'))
    .addOption(stackUrlOption('projector', 'projector base url (read-model lag)'))
    .option('--no-lag', 'do not measure read-model lag')
    .option(
      '--lag-path <path>',
      "projector endpoint answering its checkpoint `position`; {accountId}, {line}, {viewer}: the run's account and first line",
      LAG_PATH,
    )
    .addOption(
      durationOption(
        '--lag-poll <duration>',
        'how often to poll the projector checkpoint',
        5,
        positiveDuration,
      ),
    )
    .addOption(
      durationOption(
        '--lag-grace <duration>',
        'how long to wait for the projector after the last command',
        10_000,
      ),
    )
    .addOption(
      durationOption(
        '--timeout <duration>',
        'a command with no answer by then counts as a timeout',
        10_000,
        positiveDuration,
      ),
    )
    .addOption(
      durationOption(
        '--late-threshold <duration>',
        'a send this far behind its intended time counts as late',
        5,
      ),
    )
    .option(
      '--threshold <slo>',
      "SLO that sets the exit code, e.g. 'p99<50ms', 'errors<1%' (repeatable)",
      collect,
      [],
    )
    .option(
      '--stats-file <file>',
      'periodic stats (NDJSON, or CSV when the name ends in .csv), at this name once the run ends',
    )
    .addOption(new Option('--stats-format <format>', 'periodic stats format').choices(['ndjson', 'csv']))
    .addOption(
      durationOption(
        '--stats-interval <duration>',
        'periodic stats interval; given, also prints one line per interval on stderr instead of the progress bar',
        1_000,
        positiveDuration,
      ),
    )
    .option('--out <file>', 'write the full JSON summary here (the table still goes to stdout)')
    .addOption(new Option('--summary <file>').hideHelp())
    .option(
      '--json',
      'print the full JSON summary on stdout instead of the table (the table goes to stderr)',
      false,
    )
    .option('--no-progress', 'no live progress bar on stderr')
    .option(
      '--record <file>',
      'record every command sent as NDJSON (replay with `load replay`), at this name once the run ends',
    )
    .option('--max-sockets <n>', 'HTTP connections to the api', positiveInt, 256);

/**
 * A ramp needs both its step and its interval, on the open model: one without the other printed
 * "every NaN ms" and ran no ramp, and an interval of 0 ran none either.
 */
export const rampProblem = (options: {
  rate?: number;
  rampStep?: number;
  rampInterval?: number;
  maxRate?: number;
}): string | undefined => {
  const ramped = options.rampStep !== undefined || options.rampInterval !== undefined;
  if (ramped && options.rate === undefined)
    return '--ramp-step and --ramp-interval ramp the open model: give --rate';
  if (ramped && (options.rampStep === undefined || options.rampInterval === undefined))
    return '--ramp-step and --ramp-interval go together, e.g. --ramp-step 50 --ramp-interval 10s';
  if (options.rampInterval === 0) return '--ramp-interval must be longer than 0';
  if (options.maxRate !== undefined && !ramped)
    return '--max-rate caps a ramp: give --ramp-step and --ramp-interval';
  return undefined;
};

/**
 * The files a run writes (--out, --record, --stats-file), checked before it sends anything: a path
 * that cannot be written was found only after the run (--out, the run's figures lost) or crashed
 * the CLI with an unhandled stream error (--record, --stats-file). Checked, not created: a run refused
 * after this (no api answers) must not leave an empty summary or a recording without commands.
 */
export const checkOutputFiles = async (options: {
  out?: string;
  summary?: string;
  record?: string;
  statsFile?: string;
}): Promise<void> => {
  const files: [string, string | undefined][] = [
    ['--out', options.out ?? options.summary],
    ['--record', options.record],
    ['--stats-file', options.statsFile],
  ];
  /** The options already checked, by the file each replaces. */
  const named = new Map<string, string>();
  for (const [flag, file] of files) {
    if (file === undefined) continue;
    // Each is written whole and renamed over its file: of two naming one file, the later to end
    // would replace the other without a word (they used to write into each other).
    const replaced = fileToReplace(file);
    const same = replaced && named.get(replaced.path);
    if (same) throw new Error(`${same} and ${flag} ${file} name the same file: give each a file of its own`);
    if (replaced) named.set(replaced.path, `${flag} ${file}`);
    try {
      // 'r+' opens an existing file without changing it (and refuses a directory, or a file made
      // read-only); a missing one is created only once the run starts.
      const exists = await open(file, 'r+').then(
        (handle) => handle.close().then(() => true),
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
          return false;
        },
      );
      // A file is written beside itself and renamed over once whole (LineFile), so its directory
      // must take a new file; a device or a pipe is written as it is.
      if (replaced || !exists) await access(dirname(replaced?.path ?? resolve(file)), constants.W_OK);
    } catch (error) {
      throw new Error(
        `${flag} ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  }
};

/** How long `load run` starts calls when neither --duration nor --max-calls bounds it. */
const DEFAULT_DURATION_MS = 10_000;

export const loadCommand = (): Command => {
  const load = new Command('load').description('Fire command streams at the api and measure them');

  commonOptions(
    load
      .command('run', { isDefault: true })
      .description(
        'Provision an account of its own, then run call flows on its lines: open model (--rate) or closed model (--concurrency)',
      )
      .option('--rate <n/s>', 'open model: new calls per second', rate)
      .option('--ramp-step <n/s>', 'open model: add this to the rate every --ramp-interval', finiteNumber)
      .option('--ramp-interval <duration>', 'open model: how often the rate steps', duration)
      .option('--max-rate <n/s>', 'open model: the ramp stops here', rate)
      .option('--concurrency <n>', 'closed model: parties each running one call after another', positiveInt)
      .option(
        '--duration <duration>',
        `stop starting calls after this long, e.g. 30s (default: ${formatDurationMs(DEFAULT_DURATION_MS)}, or none with --max-calls)`,
        // 0 started no call: a run of nothing reported success, with a target of NaN calls/s.
        positiveDuration,
      )
      .option(
        '--max-calls <n>',
        'stop starting calls after this many (or at --duration, if given and sooner)',
        positiveInt,
      )
      .option('--mix <weights>', 'weighted call flows', DEFAULT_MIX)
      .option(
        '--think <distribution>',
        'think time between steps: constant:X, uniform:X-Y, exponential:MEAN',
        '0',
      )
      .option('--seed <seed>', 'seed of the command stream (same seed, same stream)', 'switchboard')
      .option(
        '--run-id <id>',
        "distinguishes this run's account from other runs with the same seed",
        randomBytes(4).toString('hex'),
      )
      .option('--delegators <n>', 'delegators to provision', positiveInt, 4)
      .option('--delegates <n>', 'active delegates per delegator (R8 allows 15)', positiveInt, 2)
      .option(
        '--lines <n>',
        'shared lines (call n runs on line n mod lines; size it above rate x call duration)',
        positiveInt,
        64,
      )
      .option(
        '--warm-up <duration>',
        'first run calls this long, unmeasured, so that the summary and --threshold judge the steady ' +
          "state, not a fresh stack's cold start (its first seconds can answer 100x slower); open model: climbing " +
          'to --rate in 4 stairs, closed model: the same parties. Its calls and errors are shown apart; ' +
          'not recorded; with --shard each shard warms up its own part (default: none)',
        positiveDuration,
      )
      .option(
        '--shard <i/n>',
        'run part i of n of this seeded workload (its own delegators, their lines and calls; same --run-id ' +
          "for every shard); `load merge` adds up the shards' --out files",
        shardArg,
      )
      .option(
        '--start-at <instant>',
        'begin the measured phase at this ISO-8601 instant with its zone, e.g. 2026-05-01T12:00:00Z, ' +
          'so that shards launched apart start together (the same for every shard); setup and --warm-up ' +
          'come before it, and a run whose setup ends after it is refused (default: once set up)',
        startAtArg,
      ),
  ).action(async (options: RunOptions, command: Command) => {
    process.exitCode = await runLoad(options, command);
  });

  load
    .command('merge <files...>')
    .description(
      'Merge the --out files of `load run --shard i/n` into one summary and one threshold verdict: ' +
        'counts and latency histograms added exactly, never percentiles averaged',
    )
    .option(
      '--threshold <slo>',
      "decide with these SLOs instead of the shards' own, e.g. 'p99<50ms' (repeatable)",
      collect,
      [],
    )
    .option('--out <file>', 'write the merged JSON summary here (the table still goes to stdout)')
    .option(
      '--json',
      'print the merged JSON summary on stdout instead of the table (the table goes to stderr)',
      false,
    )
    .action(async (files: string[], options: MergeOptions, command: Command) => {
      process.exitCode = await mergeLoad(files, options, command);
    });

  commonOptions(
    load
      .command('replay <file>')
      .description('Replay a recorded command stream (its setup first) at the recorded pace x --speed')
      .option('--speed <factor>', "pace multiplier, or 'max' for as fast as possible", '1')
      .option('--from <offset>', 'replay load commands intended at or after this offset (e.g. 10s)', duration)
      .option('--to <offset>', 'replay load commands intended before this offset', duration)
      .option('--filter <type>', 'only these command types (repeatable or comma-separated)', collect, [])
      .option('--dry-run', 'print what would be sent (NDJSON) and send nothing', false)
      .option('--account <id>', 'replay into this account (default: a fresh one)')
      .option('--keep-account', 'replay into the recorded account itself', false)
      .option('--skip-setup', 'do not re-provision (the account already exists)', false)
      .option('--concurrency <n>', 'in-flight commands with --speed max', positiveInt, 64),
  ).action(async (file: string, options: ReplayOptions, command: Command) => {
    process.exitCode = await replayLoad(file, options, command);
  });
  return load;
};

/**
 * The default lag source: the run account's roster, which the projector answers from memory with its
 * position. Its /health also reports the position but counts the lag by reading the log each time:
 * polled every few milliseconds, that would load the system under test.
 */
const LAG_PATH = '/accounts/{accountId}/roster';

const parseThresholds = (texts: readonly string[]): Threshold[] => texts.map(parseThreshold);

/**
 * The thresholds of a run or a replay, refused when one judges the read-model lag that --no-lag does
 * not measure: it failed only once the run was over, on "no samples for lag".
 */
const runThresholds = (options: CommonOptions): Threshold[] => {
  const thresholds = parseThresholds(options.threshold);
  const lag = thresholds.find((threshold) => threshold.scope === 'lag');
  if (lag && !options.lag) {
    throw new Error(
      `threshold "${lag.text}" judges the read-model lag, which --no-lag does not measure: give one or the other`,
    );
  }
  return thresholds;
};

/**
 * The options a message names that the user never gave: `--lines 1` refused for `--delegators 4`
 * puzzles whoever did not write `--delegators`.
 */
const defaultsNamed = (command: Command, problems: readonly string[]): string => {
  const defaults = ['delegators', 'delegates', 'lines']
    .filter((name) => command.getOptionValueSource(name) === 'default')
    .filter((name) => problems.some((problem) => problem.includes(`--${name} `)))
    .map((name) => `--${name} is ${String(command.getOptionValue(name))}`);
  return defaults.length === 0 ? '' : ` (unless given, ${defaults.join(' and ')})`;
};

/** Live lines are asked for by giving --stats-interval; its default only paces the stats file. */
const liveStatsWanted = (command: Command): boolean =>
  command.getOptionValueSource('statsInterval') === 'cli';

/**
 * A replay's intended pace: the arrivals of its load commands over the span of their recorded offsets
 * (from the first one, where the replay starts), x --speed; none at full speed (0), or when they were
 * all recorded at one instant.
 */
export const replayTargetRate = (load: readonly RecordedCommand[], speed: number): number | null => {
  if (speed === 0 || load.length < 2) return null;
  const last = load.reduce((latest, entry) => Math.max(latest, entry.offsetMs), -Infinity);
  const spanMs = (last - load[0]!.offsetMs) / speed;
  return spanMs > 0 ? ((load.length - 1) * 1000) / spanMs : null;
};

/**
 * Sends the provisioning commands one by one, before the measured phase: a run cannot start on a
 * half-provisioned account. Run and replay alike, provisioning is neither measured nor part of the
 * lag figures, so commands sent back to back are not reported as late sends.
 */
async function provision(session: Session, commands: readonly ApiCommand[]): Promise<void> {
  const setupMetrics = new Metrics(Infinity);
  const context = { ...session.context(setupMetrics), lag: undefined };
  for (const command of commands) {
    const { ok, result } = await execute(context, session.counters, command, {
      flow: 'setup',
      intendedAt: performance.now(),
      record: { phase: 'setup' },
    });
    if (!ok) {
      const reason =
        result instanceof Error
          ? result.message
          : `${result.status} ${result.code ?? ''} ${result.message ?? ''}`;
      throw new Error(`provisioning failed at ${command.type} (${JSON.stringify(command)}): ${reason}`);
    }
  }
  session.counters.sent = 0;
}

/**
 * The first measured call after a warm-up that used calls 0 to `callsUsed` - 1: the next whole
 * round of the lines. Call n runs on line n mod lines, so from there the measured calls meet the
 * lines (and a shard owns them) in the order a run without a warm-up does, and a closed shard's
 * --max-calls takes as many of its own calls as it would have.
 */
const firstCallAfter = (callsUsed: number, lines: number): number => Math.ceil(callsUsed / lines) * lines;

async function runLoad(options: RunOptions, command: Command): Promise<number> {
  let session: Session | undefined;
  try {
    if ((options.rate === undefined) === (options.concurrency === undefined)) {
      throw new Error('choose one workload model: --rate N/s (open) or --concurrency N (closed)');
    }
    const durationMs = options.duration ?? (options.maxCalls === undefined ? DEFAULT_DURATION_MS : undefined);
    const ramp = rampProblem(options);
    if (ramp) throw new Error(ramp);
    const mix = parseMix(options.mix);
    const think = parseThinkTime(options.think);
    const thresholds = runThresholds(options);
    const accountId = `load-${options.seed.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 24) || 'seed'}-${options.runId}`;
    // The run id goes into the account id as it is: one the api refuses failed only at provisioning.
    const runIdProblem = idOptionProblem('--run-id', options.runId, accountId);
    if (runIdProblem) throw new Error(runIdProblem);
    const sizes = {
      delegators: options.delegators,
      delegatesPerDelegator: options.delegates,
      lines: options.lines,
    };
    const shard = options.shard ?? { index: 1, count: 1 };
    const startProblem =
      options.startAt === undefined ? undefined : startAtProblem(options.startAt, Date.now());
    const problems = [
      ...topologyProblems(sizes),
      ...shardProblems(shard, {
        delegators: options.delegators,
        concurrency: options.concurrency,
        runIdGiven: command.getOptionValueSource('runId') === 'cli',
      }),
      ...(startProblem === undefined ? [] : [startProblem]),
    ];
    if (problems.length > 0) throw new Error(`${problems.join('; ')}${defaultsNamed(command, problems)}`);
    const topology = buildTopology({ accountId, ...sizes });
    const ownsParty = (delegator: number): boolean => ownsDelegator(shard, delegator);
    const owns = (index: number): boolean => ownsCall(topology, shard, index);
    const concurrency =
      options.concurrency === undefined ? undefined : concurrencyShare(options.concurrency, shard);
    const sharded = shard.count > 1 ? { shard: formatShard(shard) } : {};
    // --rate makes the model open: calls arrive on this schedule, whatever the ones before do.
    const openSchedule =
      options.rate === undefined
        ? undefined
        : {
            rate: options.rate,
            rampStep: options.rampStep,
            rampIntervalMs: options.rampInterval,
            maxRate: options.maxRate,
            durationMs,
            maxCalls: options.maxCalls,
          };
    // In the model, so that `load merge` refuses shards that warmed up differently.
    const warmedUp = options.warmUp === undefined ? {} : { warmUpMs: options.warmUp };
    const model = openSchedule
      ? { kind: 'open', ...openSchedule, ...warmedUp, ...sharded }
      : { kind: 'closed', concurrency, durationMs, maxCalls: options.maxCalls, ...warmedUp, ...sharded };
    const manifest = buildManifest(
      'load run',
      {
        ...command.opts(),
        think: formatThinkTime(think),
        shard: options.shard && formatShard(shard),
        startAt: options.startAt && new Date(options.startAt).toISOString(),
      },
      {
        seed: options.seed,
        runId: options.runId,
      },
    );
    // The lag path's {line} and {viewer} name parties this shard provisions itself.
    const ownTopology = { ...topology, delegators: topology.delegators.filter((_, d) => ownsParty(d)) };
    const setupBeganMs = Date.now();
    await checkOutputFiles(options);
    session = new Session(options, manifest, liveStatsWanted(command), ownTopology);
    await session.checkReachable();
    session.openOutputs();
    await provision(session, setupCommands(topology, ownsParty));

    const plan = (index: number) => planCall(topology, { seed: options.seed, mix, think }, index);
    let firstMeasured = 0;
    let warmUp: WarmUpSummary | undefined;
    if (options.warmUp !== undefined) {
      const warmUpMetrics = new Metrics(options.lateThreshold);
      const warmUpCounters = newCounters();
      // Unmeasured and unrecorded: a replay of the recording is a replay of what the summary judged.
      const warmUpContext = { ...session.context(warmUpMetrics), lag: undefined, record: undefined };
      process.stderr.write(`warming up for ${formatDurationMs(options.warmUp)}, not measured\n`);
      let callsUsed: number;
      if (openSchedule) {
        const schedule = warmUpSchedule(openSchedule.rate, options.warmUp);
        await runOpen(warmUpContext, warmUpCounters, schedule, plan, owns);
        // Every shard's arrivals: the shards of a run go on from the same call number.
        callsUsed = arrivalCount(schedule);
      } else {
        callsUsed = await runClosed(
          warmUpContext,
          warmUpCounters,
          { concurrency: concurrency!, durationMs: options.warmUp },
          plan,
          owns,
        );
      }
      firstMeasured = firstCallAfter(callsUsed, topology.lines.length);
      warmUp = warmUpSummary(options.warmUp, warmUpCounters, warmUpMetrics);
    }
    // The measured calls go on from the warm-up's: a call id is not reused while its call may be live.
    const measuredPlan = (index: number) => plan(firstMeasured + index);
    const measuredOwns = (index: number) => owns(firstMeasured + index);
    const startedAt =
      options.startAt === undefined
        ? undefined
        : await session.waitForStart(options.startAt, setupBeganMs, options.warmUp !== undefined);
    const context = session.context();
    const counters = session.counters;
    const byTime = durationMs !== undefined;
    session.begin(
      byTime ? 's' : 'calls',
      byTime ? Math.ceil(durationMs / 1000) : options.maxCalls!,
      () => (byTime ? Math.floor((performance.now() - counters.startedAt) / 1000) : counters.callsStarted),
      startedAt,
    );
    if (openSchedule) {
      await runOpen(context, counters, openSchedule, measuredPlan, measuredOwns);
    } else {
      await runClosed(
        context,
        counters,
        { concurrency: concurrency!, durationMs, maxCalls: options.maxCalls, firstCall: firstMeasured },
        plan,
        owns,
      );
    }
    await session.end();
    return await session.report(
      buildSummary({
        manifest,
        model,
        accountId,
        run: session.measured(),
        thresholds,
        shard,
        warmUp,
        interrupted: session.wasInterrupted,
      }),
    );
  } catch (error) {
    // Already said, when ending the session is what failed: the error below names it. A session
    // not ended yet is abandoned, its files left as they were before the run.
    await session?.abandon().catch(() => undefined);
    process.stderr.write(`switchboard load: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_ERROR;
  }
}

async function mergeLoad(files: readonly string[], options: MergeOptions, command: Command): Promise<number> {
  try {
    const results = await Promise.all(
      files.map(async (file) => {
        const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw new Error(`cannot read ${file}: ${error.code ?? error.message}`);
        });
        try {
          // A byte order mark (an editor's "save as UTF-8") is no part of the JSON.
          return { file, summary: JSON.parse(text.replace(/^\uFEFF/, '')) as LoadSummary };
        } catch {
          throw new Error(`${file} is not JSON: give the files \`load run --shard i/n --out FILE\` wrote`);
        }
      }),
    );
    // A file is refused by mergeResults, naming it, when it holds no result; until then it may hold
    // anything JSON does (`null` too), so the manifest is only read off an object.
    const firstSummary: unknown = results[0]?.summary;
    const first =
      typeof firstSummary === 'object' && firstSummary !== null
        ? (firstSummary as Partial<LoadSummary>).manifest
        : undefined;
    const manifest = buildManifest(
      'load merge',
      { ...command.opts(), files },
      { seed: first?.seed, runId: first?.runId },
    );
    const thresholds = options.threshold.length > 0 ? parseThresholds(options.threshold) : undefined;
    return await report(mergeResults(results, { manifest, thresholds }), options);
  } catch (error) {
    process.stderr.write(
      `switchboard load merge: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT_ERROR;
  }
}

async function replayLoad(file: string, options: ReplayOptions, command: Command): Promise<number> {
  let session: Session | undefined;
  try {
    const accountProblem =
      options.account === undefined ? undefined : idOptionProblem('--account', options.account);
    if (accountProblem) throw new Error(accountProblem);
    const speed = replaySpeed(options.speed);
    const thresholds = runThresholds(options);
    const { header, entries } = await readRecording(file);
    // Replaying nothing would report a run of 0 commands as a success.
    if (entries.length === 0) {
      throw new Error(`${file} holds no recorded commands: record one with \`load run --record\``);
    }
    const types = options.filter
      .flatMap((f) => f.split(','))
      .map((f) => f.trim())
      .filter(Boolean);
    const filter = { fromMs: options.from, toMs: options.to, types, skipSetup: options.skipSetup };
    const problems = recordingFilterProblems(filter);
    if (problems.length > 0) throw new Error(problems.join('; '));
    let selected: RecordedCommand[] = filterRecording(entries, filter);
    const original = recordedAccount(entries);
    const accountId = options.keepAccount
      ? original
      : (options.account ?? `${(original ?? 'replay').slice(0, 40)}-r${randomBytes(3).toString('hex')}`);
    if (accountId && accountId !== original) selected = selected.map((entry) => retarget(entry, accountId));
    if (options.dryRun) {
      for (const entry of selected) process.stdout.write(`${JSON.stringify(entry)}\n`);
      const byType: Record<string, number> = {};
      for (const entry of selected) byType[entry.command.type] = (byType[entry.command.type] ?? 0) + 1;
      process.stderr.write(
        `dry run: ${selected.length} of ${entries.length} commands would be sent into account ${accountId} ` +
          `(${JSON.stringify(byType)}); recorded by ${JSON.stringify(header?.manifest?.argv ?? [])}\n`,
      );
      return 0;
    }
    const load = selected.filter((entry) => entry.phase === 'load');
    // Provisioning alone measures nothing: a run of 0 load commands would be reported as a success.
    if (load.length === 0) {
      throw new Error(
        `the options select none of the ${entries.filter((entry) => entry.phase === 'load').length} recorded ` +
          `load commands of ${file}: widen --from/--to or --filter (--dry-run lists what is selected)`,
      );
    }
    const manifest = buildManifest('load replay', { ...command.opts(), file, accountId });
    await checkOutputFiles(options);
    session = new Session(options, manifest, liveStatsWanted(command));
    await session.checkReachable();
    session.openOutputs();
    const counters = session.counters;
    await provision(
      session,
      selected.filter((entry) => entry.phase === 'setup').map((entry) => entry.command),
    );
    session.begin('commands', Math.max(1, load.length), () => counters.sent);
    await runReplay(session.context(), counters, load, { speed, concurrency: options.concurrency });
    await session.end();
    return await session.report(
      buildSummary({
        manifest,
        model: {
          kind: 'replay',
          file,
          speed: speed === 0 ? 'max' : speed,
          commands: selected.length,
          loadCommands: load.length,
        },
        accountId: accountId ?? '',
        targetCommandsPerSecond: replayTargetRate(load, speed),
        run: session.measured(),
        thresholds,
        interrupted: session.wasInterrupted,
      }),
    );
  } catch (error) {
    // Already said, when ending the session is what failed: the error below names it. A session
    // not ended yet is abandoned, its files left as they were before the run.
    await session?.abandon().catch(() => undefined);
    process.stderr.write(
      `switchboard load replay: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT_ERROR;
  }
}
