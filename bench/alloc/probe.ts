import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import v8 from 'node:v8';
import { allocatedBytes } from './attribution.js';

/**
 * Loaded into a measured process with `--import` by bench:alloc (never by the apps themselves).
 * On its socket `probe-<pid>.sock` in ALLOC_PROBE_DIR, `start` starts counting what the process
 * allocates; `stop` stops and writes `alloc-<pid>.json` there:
 * - `allocatedBytes`: bytes allocated on the V8 heap, exactly, from v8.GCProfiler's collections (see
 *   allocatedBytes). Buffers' backing stores live outside the heap and are not counted;
 * - `profile`: V8's sampling heap profile with the objects collected since included, so that it says
 *   who allocated what was short-lived, which is what young collections are made of.
 * It answers each command once done (`alloc-probe started`, `alloc-probe wrote <file>`) and closes.
 */
const SAMPLING_INTERVAL_BYTES = Number(process.env.ALLOC_PROBE_SAMPLING_BYTES ?? 4096);
const outDir = process.env.ALLOC_PROBE_DIR;
if (!outDir) throw new Error('the allocation probe needs ALLOC_PROBE_DIR');

const session = new Session();
session.connect();
let running: { gc: v8.GCProfiler; usedAtStart: number } | undefined;

const usedHeapBytes = (): number => v8.getHeapStatistics().used_heap_size;

async function start(): Promise<string> {
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: SAMPLING_INTERVAL_BYTES,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const gc = new v8.GCProfiler();
  gc.start();
  running = { gc, usedAtStart: usedHeapBytes() };
  return 'alloc-probe started';
}

async function stop(counting: NonNullable<typeof running>): Promise<string> {
  const usedAtStop = usedHeapBytes();
  const collections = counting.gc.stop()?.statistics ?? [];
  const { profile } = await session.post('HeapProfiler.stopSampling');
  const file = join(outDir!, `alloc-${process.pid}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      allocatedBytes: allocatedBytes(counting.usedAtStart, collections, usedAtStop),
      collections: collections.length,
      gcMs: collections.reduce((sum, collection) => sum + collection.cost / 1000, 0),
      // The tree of allocation sites; its list of samples is as long as the window and not needed.
      profile: { head: profile.head },
    }),
  );
  return `alloc-probe wrote ${file}`;
}

// A socket, not a signal: NestJS's shutdown hooks take SIGUSR2 (and every other free one) for a stop.
const control = createServer((connection) => {
  connection.setEncoding('utf8');
  connection.on('data', (command: string) => {
    const counting = running;
    running = undefined;
    const done = command.trim() === 'start' && !counting ? start() : counting ? stop(counting) : undefined;
    if (!done) return void connection.end(`alloc-probe cannot ${command.trim()} now\n`);
    done.then(
      (answer) => connection.end(`${answer}\n`),
      (error: unknown) =>
        connection.end(`alloc-probe failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
});
control.listen(join(outDir, `probe-${process.pid}.sock`));
control.unref();
