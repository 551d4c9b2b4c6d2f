import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

/**
 * CPU time (user + system) another process has used so far, in microseconds, from /proc/<pid>/stat
 * (clock ticks of 10 ms): less sensitive to a loaded machine than wall time. Undefined where /proc
 * is not available.
 */
export async function processCpuMicros(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/** CPU used by this process (the load generator or client) so far, in microseconds. */
export const ownCpuMicros = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

/**
 * Starts counting the CPU time of the given processes and of this one; `stop` returns each one's
 * microseconds since `start` (undefined for a process /proc could not tell about).
 */
export async function cpuMeter(
  processes: Readonly<Record<string, number>>,
): Promise<{ stop(): Promise<Record<string, number | undefined>> }> {
  const read = async (): Promise<Record<string, number | undefined>> => {
    const entries = await Promise.all(
      Object.entries(processes).map(async ([name, pid]) => [name, await processCpuMicros(pid)] as const),
    );
    return { ...Object.fromEntries(entries), self: ownCpuMicros() };
  };
  const before = await read();
  return {
    stop: async () => {
      const after = await read();
      return Object.fromEntries(
        Object.keys(after).map((name) => {
          const [start, end] = [before[name], after[name]];
          return [name, start === undefined || end === undefined ? undefined : end - start];
        }),
      );
    },
  };
}

/** How a process's main thread (its event loop) spent a stretch of wall time, as shares of it. */
export interface MainThreadShare {
  /** On a core. */
  readonly busy: number;
  /** Ready to run, waiting for a core another thread held: the machine's cores were all taken. */
  readonly waiting: number;
}

/** A thread's time on a core and waiting for one so far, in ns, from /proc/<pid>/schedstat. */
async function mainThreadNanos(pid: number): Promise<{ running: number; waiting: number } | undefined> {
  try {
    const [running, waiting] = (await readFile(`/proc/${pid}/schedstat`, 'utf8')).split(' ').map(Number);
    return running === undefined || waiting === undefined ? undefined : { running, waiting };
  } catch {
    return undefined;
  }
}

/**
 * Starts watching the main thread of the given processes and of this one (`self`): a Node process
 * serves on that one thread, so the busiest one says which process saturates first, and its waiting
 * share whether it was held up by its own work or by the others' (undefined where /proc has no
 * schedstat).
 */
export async function mainThreadMeter(
  processes: Readonly<Record<string, number>>,
): Promise<{ stop(): Promise<Record<string, MainThreadShare | undefined>> }> {
  const named = { ...processes, self: process.pid };
  const read = async () =>
    Object.fromEntries(
      await Promise.all(
        Object.entries(named).map(async ([name, pid]) => [name, await mainThreadNanos(pid)] as const),
      ),
    );
  const before = await read();
  const startedAt = performance.now();
  return {
    stop: async () => {
      const after = await read();
      const wallNanos = (performance.now() - startedAt) * 1e6;
      return Object.fromEntries(
        Object.keys(named).map((name) => {
          const [start, end] = [before[name], after[name]];
          return [
            name,
            start === undefined || end === undefined
              ? undefined
              : {
                  busy: (end.running - start.running) / wallNanos,
                  waiting: (end.waiting - start.waiting) / wallNanos,
                },
          ];
        }),
      );
    },
  };
}

/** Each process's CPU microseconds spread over `count` units of work, in ms per unit. */
export const msPerUnit = (
  cpuMicros: Readonly<Record<string, number | undefined>>,
  count: number,
): Record<string, number | undefined> =>
  Object.fromEntries(
    Object.entries(cpuMicros).map(([name, micros]) => [
      name,
      micros === undefined ? undefined : Math.round(micros / count) / 1000,
    ]),
  );
