import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { EventStore, createEventStoreClient } from '#eventstore';
import { eventSchemas } from '#events';
import { EXIT_ERROR, collect } from '../options.js';
import { progressBar } from '../progress.js';
import { type StartedProcess, startEventStore } from '#stack';
import { readHistory } from './history-command.js';
import { HistoryImporter } from './import.js';
import { parseIsoTime } from './history-event.js';
import { diffTrees, selectionProblems, stateAt, treeOf } from './read-model-state.js';

interface ReplayOptions {
  store?: string;
  speed: string;
  at?: string;
  diff?: string[];
  select: string[];
  progress: boolean;
}

/** A point of the replayed history: after its first N events, or at a simulated time (ISO-8601). */
type Point = { readonly count: number } | { readonly time: string };

/** Read before the history is replayed, so a mistyped point fails at once, not after the whole replay. */
const parsePoint = (point: string): Point => {
  if (/^\d+$/.test(point)) return { count: Number(point) };
  if (parseIsoTime(point) === undefined) {
    throw new Error(`"${point}" is neither an event count nor an ISO-8601 time`);
  }
  return { time: point };
};

const limitFor = (
  point: Point,
  positions: readonly bigint[],
): { untilPosition?: bigint; untilSimulatedTime?: string } => {
  if ('time' in point) return { untilSimulatedTime: point.time };
  if (point.count === 0) return { untilPosition: 0n };
  const position = positions[Math.min(point.count, positions.length) - 1];
  if (position === undefined)
    throw new Error(`the history has no events, so there is no point ${point.count}`);
  return { untilPosition: position };
};

export const replayCommand = (): Command =>
  new Command('replay')
    .argument('<file>', 'history NDJSON (from `history export`)')
    .description(
      'Feed a history into a store (a fresh in-memory embedded one unless --store) and print the read models ' +
        'at a point (--at) or the difference between two points (--diff A B); points are event counts or simulated times',
    )
    .option('--store <connection-string>', 'replay into this store instead of a fresh embedded one')
    .option('--speed <factor>', "original pace (by recorded time) x factor, or 'max'", 'max')
    .option('--at <point>', 'print the state after N events or at a simulated time (default: the end)')
    .option('--diff <points...>', 'print what changed between two points')
    .option('--select <projection[.table]>', 'only these read models (repeatable)', collect, [])
    .option('--no-progress', 'no progress bar')
    .action(async (file: string, options: ReplayOptions) => {
      let fresh: StartedProcess | undefined;
      try {
        // 0 stands for 'max' below; a typed 0 is no pace at all, so it is refused like any non-positive.
        const speed = options.speed === 'max' ? 0 : Number(options.speed);
        if (options.speed !== 'max' && !(speed > 0 && Number.isFinite(speed)))
          throw new Error(`--speed must be a positive number or "max", not "${options.speed}"`);
        if (options.diff && options.diff.length !== 2)
          throw new Error('--diff takes two points, e.g. --diff 100 250');
        if (options.diff && options.at !== undefined) throw new Error('give --at or --diff, not both');
        const points = (options.diff ?? (options.at === undefined ? [] : [options.at])).map(parsePoint);
        const selection = selectionProblems(options.select);
        if (selection.length > 0) throw new Error(selection.join('; '));
        if (!options.store) fresh = await startEventStore({ mem: true });
        const client = createEventStoreClient(options.store ?? fresh!.address);
        try {
          const importer = new HistoryImporter(client);
          const positions: bigint[] = [];
          const bar = progressBar('replay', 0, options.progress);
          const started = performance.now();
          let firstCreated: number | undefined;
          for await (const event of readHistory(file)) {
            if (speed > 0) {
              const created = Date.parse(event.created);
              firstCreated ??= created;
              const due = started + (created - firstCreated) / speed;
              if (due > performance.now()) await sleep(due - performance.now());
            }
            positions.push(await importer.import(event));
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
          if (options.diff) {
            const [a, b] = options.diff as [string, string];
            const before = await stateAt(store, limitFor(points[0]!, positions));
            const after = await stateAt(store, limitFor(points[1]!, positions));
            const diff = diffTrees(treeOf(before, options.select), treeOf(after, options.select));
            process.stdout.write(
              `${JSON.stringify({ from: { point: a, position: String(before.position ?? 0n) }, to: { point: b, position: String(after.position ?? 0n) }, ...diff }, null, 2)}\n`,
            );
          } else {
            const readModels = await stateAt(
              store,
              points[0] === undefined ? {} : limitFor(points[0], positions),
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
      }
    });
