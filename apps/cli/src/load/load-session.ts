import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import cliProgress from 'cli-progress';
import {
  ApiClient,
  figure,
  intervalLine,
  intervalRow,
  LagPoller,
  LagTracker,
  lateStartProblem,
  type LoadSummary,
  measuredRun,
  type MeasuredRun,
  Metrics,
  newCounters,
  percentilesOf,
  RECORDING_FORMAT,
  renderSummary,
  type RunContext,
  type RunCounters,
  StatsWriter,
  LineFile,
  type Topology,
  writeWholeFile,
} from '#load';
import type { RunManifest } from '#stack';
import { EXIT_FAILED } from '../options.js';

/** The options every load command (a run, a replay) takes: where the stack is, what to measure and write. */
export interface CommonOptions {
  api: string;
  projector: string;
  lag: boolean;
  lagPath: string;
  lagPoll: number;
  lagGrace: number;
  timeout: number;
  lateThreshold: number;
  threshold: string[];
  statsFile?: string;
  statsFormat?: 'ndjson' | 'csv';
  statsInterval: number;
  out?: string;
  /** The former name of --out, still read so that scripts written for it keep working. */
  summary?: string;
  json: boolean;
  progress: boolean;
  record?: string;
  maxSockets: number;
}

/** Everything one run or replay shares: metrics, lag, periodic stats, progress, record file. */
export class Session {
  readonly api: ApiClient;
  readonly metrics: Metrics;
  readonly lagTracker: LagTracker | undefined;
  readonly lagPoller: LagPoller | undefined;
  readonly counters: RunCounters = newCounters();
  private stats: StatsWriter | undefined;
  private recordOut: LineFile | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private lastStatsAt = 0;
  private bar: cliProgress.SingleBar | undefined;
  private barTimer: NodeJS.Timeout | undefined;
  /** Aborted to stop the run: by the first Ctrl-C, or a file that can no longer be written. */
  private readonly stop = new AbortController();
  private ending: Promise<void> | undefined;
  /** Aborted by the first Ctrl-C, which must also end a wait for --start-at, not only stop starting calls. */
  private readonly interrupted = new AbortController();

  constructor(
    readonly options: CommonOptions,
    readonly manifest: RunManifest,
    /** A line per stats interval on stderr: --stats-interval was given. */
    private readonly liveStats: boolean,
    /** The run's parties, for the lag path's placeholders; a replay has none and polls /health. */
    topology?: Topology,
  ) {
    this.api = new ApiClient(options.api, options.maxSockets);
    this.metrics = new Metrics(options.lateThreshold);
    if (options.lag) {
      this.lagTracker = new LagTracker();
      this.lagPoller = new LagPoller(
        options.projector,
        lagPathFor(options.lagPath, topology),
        this.lagTracker,
        options.lagPoll,
      );
    }
    process.once('SIGINT', () => {
      // First Ctrl-C: stop starting calls and report; the summary still shows what ran.
      this.interrupted.abort();
      this.stop.abort();
    });
  }

  context(metrics = this.metrics): RunContext {
    return {
      api: this.api,
      metrics,
      lag: this.lagTracker,
      timeoutMs: this.options.timeout,
      record: this.recordOut ? (entry) => this.recordOut!.write(`${JSON.stringify(entry)}\n`) : undefined,
      stopped: () => this.stop.signal.aborted,
      halted: this.stop.signal,
    };
  }

  /** Creates the stats and record files, once the api (and the projector) answered. */
  openOutputs(): void {
    const { statsFile, statsFormat, record } = this.options;
    // A file that can no longer be written (a full disk) stops the run: its summary would be of a
    // run whose recording or stats are not whole.
    const stop = (): void => this.stop.abort();
    if (statsFile) {
      const format = statsFormat ?? (statsFile.endsWith('.csv') ? 'csv' : 'ndjson');
      this.stats = new StatsWriter(statsFile, format, stop);
    }
    if (record) {
      this.recordOut = new LineFile(record, stop, `--record ${record}`);
      this.recordOut.write(`${JSON.stringify({ recording: RECORDING_FORMAT, manifest: this.manifest })}\n`);
    }
  }

  async checkReachable(): Promise<void> {
    if (!(await this.api.health()))
      throw new Error(
        `the api at ${this.options.api} does not answer GET /health: start the stack (npm start), ` +
          'or give its address with --api',
      );
    if (this.lagPoller && (await this.lagPoller.poll('/health')) === undefined) {
      throw new Error(
        `cannot read the projector checkpoint at ${this.options.projector}/health ` +
          `(${this.lagPoller.lastError}); pass --no-lag to run without lag measurement`,
      );
    }
  }

  /**
   * Waits for `--start-at` once this shard is set up (and warmed up), and gives the instant in this
   * process's monotonic clock, the measured phase's start: the agreed instant itself, not the moment
   * the timer fired, so that every shard's intended send times are the same ones. Read against the
   * wall clock now, not at the process's start, which NTP may have moved since. A Ctrl-C while
   * waiting (which may be hours) ends the run there: otherwise nothing showed it was heard, and the
   * run began at the instant only to stop at once.
   */
  async waitForStart(startAtMs: number, setupBeganMs: number, warmedUp: boolean): Promise<number> {
    const late = lateStartProblem(startAtMs, Date.now(), setupBeganMs, warmedUp);
    if (late) throw new Error(late);
    const startedAt = performance.now() + (startAtMs - Date.now());
    const instant = new Date(startAtMs).toISOString();
    process.stderr.write(`set up, waiting for --start-at ${instant}\n`);
    try {
      await sleep(Math.max(0, startedAt - performance.now()), undefined, { signal: this.interrupted.signal });
    } catch {
      throw new Error(`interrupted while waiting for --start-at ${instant}: nothing was measured`);
    }
    return startedAt;
  }

  /**
   * Starts the clocks of the measured phase, at `startedAt` (a performance.now() instant, by default
   * now): the open model's first intended send time.
   */
  begin(totalLabel: string, total: number, progressValue: () => number, startedAt = performance.now()): void {
    this.counters.startedAt = startedAt;
    this.counters.lastDoneAt = this.counters.startedAt;
    this.metrics.takeInterval();
    this.lagPoller?.start();
    this.lastStatsAt = this.counters.startedAt;
    if (this.stats || this.liveStats) {
      this.statsTimer = setInterval(() => this.takeStats(), this.options.statsInterval);
    }
    // The live lines say what the bar would, one interval at a time, and the bar would redraw over them.
    if (this.options.progress && !this.liveStats) {
      this.bar = new cliProgress.SingleBar(
        {
          format:
            `{bar} {percentage}% | {value}/{total} ${totalLabel} | {cps} cmd/s | p99 {p99} ms | ` +
            `errors {errors} | in flight {inflight} | lag p99 {lag} ms`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, this.payload(0));
      let lastCompleted = 0;
      let lastAt = performance.now();
      this.barTimer = setInterval(() => {
        const now = performance.now();
        const cps = ((this.metrics.completed - lastCompleted) * 1000) / (now - lastAt);
        lastCompleted = this.metrics.completed;
        lastAt = now;
        this.bar!.update(Math.min(total, progressValue()), this.payload(cps));
      }, 250);
    }
  }

  private payload(cps: number): Record<string, string | number> {
    return {
      cps: Math.round(cps),
      p99: figure(percentilesOf(this.metrics.all).p99),
      errors: this.metrics.errors,
      inflight: this.counters.inflight,
      lag: this.lagTracker ? figure(percentilesOf(this.lagTracker.histogram).p99) : '-',
    };
  }

  /** One stats interval: a row in the stats file, a line on stderr, or both. */
  private takeStats(): void {
    const now = performance.now();
    const row = intervalRow(this.counters, this.metrics, this.lagTracker, now - this.lastStatsAt);
    this.lastStatsAt = now;
    this.stats?.write(row);
    if (this.liveStats) process.stderr.write(intervalLine(row));
  }

  /**
   * Stops the clocks and closes the files, once: the run's error path ends a session its own path may
   * have ended already. Rejects when a file could not be written whole (it is then removed).
   */
  end(): Promise<void> {
    this.ending ??= this.finish(true);
    return this.ending;
  }

  /**
   * Stops the clocks and discards the files, as the run failed before its end (provisioning refused,
   * a --start-at missed): a recording or stats of a run that did not happen would replace an earlier,
   * whole one at their names, which are left as they were. Once the session ended, as end() does.
   */
  abandon(): Promise<void> {
    this.ending ??= this.finish(false);
    return this.ending;
  }

  private async finish(keep: boolean): Promise<void> {
    clearInterval(this.barTimer);
    clearInterval(this.statsTimer);
    this.bar?.stop();
    if (this.lagPoller) {
      await this.lagPoller.drain(this.options.lagGrace);
      this.lagPoller.stop();
    }
    // The last, shorter interval, after the lag drain so that its lag figures are final.
    if (this.statsTimer) this.takeStats();
    this.statsTimer = undefined;
    this.api.close();
    if (!keep) {
      await Promise.all([this.stats?.discard(), this.recordOut?.discard()]);
      return;
    }
    const closed = await Promise.allSettled([this.stats?.close(), this.recordOut?.close()]);
    const failed = closed.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Whether a Ctrl-C stopped the run before its planned end. */
  get wasInterrupted(): boolean {
    return this.interrupted.signal.aborted;
  }

  /** What the run measured: its counters, latencies and (unless --no-lag) the lag and failed polls. */
  measured(): MeasuredRun {
    return measuredRun(
      this.counters,
      this.metrics,
      this.lagTracker ? { tracker: this.lagTracker, pollErrors: this.lagPoller!.failures } : undefined,
    );
  }

  report(summary: LoadSummary): Promise<number> {
    return report(summary, { out: this.options.out ?? this.options.summary, json: this.options.json });
  }
}

/** The table on stdout, or with --json the JSON there and the table on stderr; --out keeps the JSON too. */
export async function report(
  summary: LoadSummary,
  options: { out?: string; json: boolean },
): Promise<number> {
  const json = `${JSON.stringify(summary, null, 2)}\n`;
  // The figures first: an --out that cannot be written (a full disk) then ends the command with exit
  // code 2 after them, where it lost the measurements of a run that had gone to its end.
  if (options.json) {
    process.stdout.write(json);
    process.stderr.write(renderSummary(summary));
  } else {
    process.stdout.write(renderSummary(summary));
  }
  if (options.out) await writeWholeFile(options.out, json, `--out ${options.out}`);
  return summary.passed ? 0 : EXIT_FAILED;
}

/** The lag path with its placeholders filled in from the run's parties; a replay has none and polls /health. */
const lagPathFor = (template: string, topology: Topology | undefined): string => {
  if (!template.includes('{')) return template;
  if (!topology) return '/health';
  const first = topology.delegators[0]!;
  return template
    .replaceAll('{accountId}', encodeURIComponent(topology.accountId))
    .replaceAll('{line}', encodeURIComponent(first.numbers[0]!))
    .replaceAll('{viewer}', encodeURIComponent(first.partyId));
};
