import { constants as osConstants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { EventStore, createEventStoreClient } from '#eventstore';
import { eventSchemas } from '#events';
import { EXIT_ERROR, collect, replaySpeed } from '../options.js';
import { progressBar } from '../progress.js';
import { type StartedProcess, startEventStore } from '#stack';
import { checkHistory, noEventsIn, readHistory, spoolIfReadOnce } from './history-command.js';
import { HistoryImporter } from './import.js';
import { parseIsoTime } from './history-event.js';
import { diffTrees, selectionProblems, stateAt, treeOf } from './read-model-state.js';
import { diffViews, userView } from './user-view.js';

interface ReplayOptions {
  store?: string;
  speed: string;
  at?: string;
  diff?: string[];
  select: string[];
  progress: boolean;
}

/**
 * A point of the replayed history: after its first N events, after the event at a `$all` position of
 * the original log (`@N`, as `history export` wrote it), or at a simulated time (ISO-8601).
 */
type Point = { readonly count: number } | { readonly original: bigint } | { readonly time: string };

/** Read before the history is replayed, so a mistyped point fails at once, not after the whole replay. */
export const parsePoint = (point: string): Point => {
  if (/^\d+$/.test(point)) return { count: Number(point) };
  if (/^@\d+$/.test(point)) return { original: BigInt(point.slice(1)) };
  if (parseIsoTime(point) === undefined) {
    throw new Error(
      `"${point}" is neither an event count (120), a position of the original log (@4096) nor an ISO-8601 time`,
    );
  }
  return { time: point };
};

/** What the replay learnt of the history: per event, its position in the replay store and in the original log. */
export interface Replayed {
  readonly positions: readonly bigint[];
  readonly originals: readonly bigint[];
  /** The earliest and latest simulated time of its events (from their metadata), if any carry one. */
  readonly times?: { readonly first: string; readonly last: string };
}

/** What a point is checked against: the history's event count, its original positions and simulated times. */
interface HistoryBounds {
  readonly eventCount: number;
  readonly originals?: { readonly first: bigint; readonly last: bigint };
  readonly times?: { readonly first: string; readonly last: string };
}

/** The simulated times of a history so far, widened by one more event's (if it carries one). */
const widenTimes = (
  times: HistoryBounds['times'],
  time: string | undefined,
): HistoryBounds['times'] | undefined => {
  if (time === undefined) return times;
  if (times === undefined) return { first: time, last: time };
  return {
    first: Date.parse(time) < Date.parse(times.first) ? time : times.first,
    last: Date.parse(time) > Date.parse(times.last) ? time : times.last,
  };
};

/**
 * The history file's bounds, read before anything is replayed: a point outside them is refused while
 * the store is untouched, since `--store` names a store the user keeps.
 */
const boundsOfFile = async (path: string, file: string): Promise<HistoryBounds> => {
  let eventCount = 0;
  let originals: HistoryBounds['originals'];
  let times: HistoryBounds['times'];
  for await (const event of readHistory(path, file)) {
    eventCount++;
    // checkHistory has made sure every event has its $all position, in increasing order.
    const position = BigInt(event.position);
    originals = { first: originals?.first ?? position, last: position };
    times = widenTimes(times, simulatedTimeOf(event.metadata));
  }
  return { eventCount, ...(originals ? { originals } : {}), ...(times ? { times } : {}) };
};

/**
 * Refuses a point outside a history: a count past its events, a position before its first or after
 * its last event, a time before its first or after its last simulated time. Each answer says what the
 * history does hold.
 */
const refuseOutside = (point: Point, { eventCount, originals, times }: HistoryBounds): void => {
  if ('time' in point) {
    const at = Date.parse(point.time);
    if (!times || at < Date.parse(times.first) || at > Date.parse(times.last)) {
      throw new Error(
        times
          ? `${point.time} is outside the replayed history, whose simulated times run from ${times.first} to ${times.last}`
          : `${point.time}: the history's events carry no simulated time`,
      );
    }
  } else if ('count' in point) {
    if (point.count > eventCount) {
      throw new Error(
        `the history has ${eventCount} events, so there is no point ${point.count} (counts run from 0 to ${eventCount}` +
          (originals
            ? `; positions of the original log from @${originals.first} to @${originals.last})`
            : ')'),
      );
    }
  } else if (!originals || point.original < originals.first || point.original > originals.last) {
    throw new Error(
      originals
        ? `@${point.original} is outside the replayed history, whose original positions run from @${originals.first} to @${originals.last}`
        : `the history has no events, so there is no position @${point.original}`,
    );
  }
};

/** The read-model limit for a point of the replayed history, refusing one outside it. */
export const limitFor = (
  point: Point,
  history: Replayed,
): { untilPosition?: bigint; untilSimulatedTime?: string } => {
  const { positions, originals, times } = history;
  const [first, last] = [originals[0], originals.at(-1)];
  refuseOutside(point, {
    eventCount: positions.length,
    ...(first !== undefined && last !== undefined ? { originals: { first, last } } : {}),
    ...(times ? { times } : {}),
  });
  if ('time' in point) return { untilSimulatedTime: point.time };
  if ('count' in point) return { untilPosition: point.count === 0 ? 0n : positions[point.count - 1]! };
  // The last event at or before that position of the original log (histories are in log order).
  let index = originals.length - 1;
  while (originals[index]! > point.original) index--;
  return { untilPosition: positions[index]! };
};

export const replayCommand = (): Command =>
  new Command('replay')
    .argument('<file>', 'history NDJSON (from `history export`)')
    .description(
      'Feed a history into a store (a fresh in-memory embedded one unless --store) and print the read models ' +
        'at a point (--at) or what each viewer sees change between two points (--diff A B); points are event ' +
        'counts, positions of the original log (@P) or simulated times',
    )
    .option('--store <connection-string>', 'replay into this store instead of a fresh embedded one')
    .option('--speed <factor>', "original pace (by recorded time) x factor, or 'max'", 'max')
    .option(
      '--at <point>',
      'print the state after N events, after the event at position @P of the original log, or at a ' +
        'simulated time (default: the end); a point outside the history is refused',
    )
    .option(
      '--diff <points...>',
      'print what each viewer sees change between two points, field by field: lamps, inboxes, history ' +
        "(with --select: the read models' tables row by row instead)",
    )
    .option('--select <projection[.table]>', 'only these read models (repeatable)', collect, [])
    .option('--no-progress', 'no progress bar')
    .action(async (file: string, options: ReplayOptions) => {
      let starting: Promise<StartedProcess> | undefined;
      let fresh: StartedProcess | undefined;
      let spooled: Awaited<ReturnType<typeof spoolIfReadOnce>>;
      // Node ends a process on SIGINT or SIGTERM (Ctrl-C, `timeout`, a cancelled job) at once, past
      // the `finally` below: the fresh store, a process of its own, ran on with nobody to stop it,
      // and a spooled history stayed in the temporary directory. Stopped, the replay stops them
      // first (a store still starting once it has started), then exits as the signal would have.
      const stopOnSignal = (signal: NodeJS.Signals): void => {
        process.stderr.write(`switchboard replay: stopped by ${signal} before the end of the replay\n`);
        void Promise.allSettled([starting?.then((store) => store.stop()), spooled?.remove()]).then(() =>
          process.exit(128 + osConstants.signals[signal]),
        );
      };
      process.once('SIGINT', stopOnSignal);
      process.once('SIGTERM', stopOnSignal);
      try {
        // 0 stands for 'max' below; a typed 0 is no pace at all, so it is refused like any non-positive.
        const speed = replaySpeed(options.speed);
        if (options.diff && options.diff.length !== 2)
          throw new Error('--diff takes two points, e.g. --diff 100 250');
        if (options.diff && options.at !== undefined) throw new Error('give --at or --diff, not both');
        const points = (options.diff ?? (options.at === undefined ? [] : [options.at])).map(parsePoint);
        const selection = selectionProblems(options.select);
        if (selection.length > 0) throw new Error(selection.join('; '));
        // The whole file is read before a store is started or written, so a refused file changes nothing.
        spooled = await spoolIfReadOnce(file);
        const path = spooled?.path ?? file;
        if ((await checkHistory(path, undefined, { positions: true }, file)) === 0)
          throw new Error(noEventsIn(file, 'replay'));
        if (points.length > 0) {
          const bounds = await boundsOfFile(path, file);
          for (const point of points) refuseOutside(point, bounds);
        }
        if (!options.store) fresh = await (starting = startEventStore({ mem: true }));
        const client = createEventStoreClient(options.store ?? fresh!.address);
        try {
          if (options.store) await checkHistory(path, new HistoryImporter(client), {}, file);
          const importer = new HistoryImporter(client);
          const positions: bigint[] = [];
          const originals: bigint[] = [];
          let times: HistoryBounds['times'];
          const bar = progressBar('replay', 0, options.progress);
          const started = performance.now();
          let firstCreated: number | undefined;
          for await (const event of readHistory(path, file)) {
            if (speed > 0) {
              const created = Date.parse(event.created);
              firstCreated ??= created;
              const due = started + (created - firstCreated) / speed;
              if (due > performance.now()) await sleep(due - performance.now());
            }
            positions.push(await importer.import(event));
            if (!/^\d+$/.test(String(event.position)))
              throw new Error(`event ${event.id} has no $all position (a decimal string, as exported)`);
            originals.push(BigInt(event.position));
            times = widenTimes(times, simulatedTimeOf(event.metadata));
            bar?.setTotal(positions.length);
            bar?.update(positions.length);
          }
          bar?.stop();
          const seconds = (performance.now() - started) / 1000;
          process.stderr.write(
            `replayed ${positions.length} events (${importer.appended} appended, ${importer.skipped} already there` +
              `${importer.foreign.total > 0 ? `, ${importer.foreign.summary()}: parked by the read models` : ''}) ` +
              `in ${seconds.toFixed(2)} s${fresh ? ` into ${fresh.address}` : ''}\n`,
          );
          const store = new EventStore(client, eventSchemas);
          const history: Replayed = { positions, originals, ...(times ? { times } : {}) };
          if (options.diff) {
            const [a, b] = options.diff as [string, string];
            const before = await stateAt(store, limitFor(points[0]!, history));
            const after = await stateAt(store, limitFor(points[1]!, history));
            // What users see change by default; --select asks for the read models' own tables instead.
            const diff =
              options.select.length > 0
                ? diffTrees(treeOf(before, options.select), treeOf(after, options.select))
                : { changes: diffViews(userView(before), userView(after)) };
            const from = { point: a, position: String(before.position ?? 0n) };
            const to = { point: b, position: String(after.position ?? 0n) };
            process.stdout.write(`${JSON.stringify({ from, to, ...diff }, null, 2)}\n`);
          } else {
            const readModels = await stateAt(
              store,
              points[0] === undefined ? {} : limitFor(points[0], history),
            );
            process.stdout.write(
              `${JSON.stringify(
                {
                  point: options.at ?? 'end',
                  position: String(readModels.position ?? 0n),
                  eventCount: readModels.eventCount,
                  // Foreign events the read models skip, as the projector parks them.
                  parked: readModels.parked,
                  digest: readModels.digest(),
                  state: treeOf(readModels, options.select),
                },
                null,
                2,
              )}\n`,
            );
          }
        } finally {
          await client.dispose();
        }
      } catch (error) {
        process.stderr.write(`switchboard replay: ${(error as Error).message}\n`);
        process.exitCode = EXIT_ERROR;
      } finally {
        await fresh?.stop();
        await spooled?.remove();
        process.off('SIGINT', stopOnSignal);
        process.off('SIGTERM', stopOnSignal);
      }
    });

/** The simulated time an event's metadata carries, if it is ours. */
const simulatedTimeOf = (metadata: unknown): string | undefined => {
  if (metadata === null || typeof metadata !== 'object') return undefined;
  const time = (metadata as { simulatedTime?: unknown }).simulatedTime;
  return typeof time === 'string' && parseIsoTime(time) !== undefined ? time : undefined;
};
