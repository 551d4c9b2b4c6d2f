import { spawnSync } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A file a process under test reads at its start, made a named pipe so the test decides when that
 * read ends: the process waits in its start, deterministically, for as long as the test wants. A
 * signal sent "while it starts" after a line of its output races the start on a loaded machine (the
 * start may have finished by the time the signal lands); one sent while it reads a held file cannot.
 */
export interface HeldFile {
  /** Resolves once the process has opened the file: from then on it waits, in its start, for the content. */
  opened(): Promise<void>;
  /** Hands the process `content` and the end of the file, letting its start go on. */
  release(content?: string): Promise<void>;
}

/** Makes `path` a named pipe (it must not exist) that holds whoever opens it until `release`. */
export function holdFile(path: string): HeldFile {
  const made = spawnSync('mkfifo', [path], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`mkfifo ${path} failed: ${made.stderr || made.error?.message}`);
  let writer: fs.FileHandle | undefined;
  return {
    async opened() {
      // Opening a pipe's write end without blocking fails with ENXIO while nobody reads it.
      for (;;) {
        try {
          writer = await fs.open(path, constants.O_WRONLY | constants.O_NONBLOCK);
          return;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
          await sleep(20);
        }
      }
    },
    async release(content = '') {
      if (!writer) throw new Error(`${path} was released before anyone opened it`);
      if (content) await writer.write(content);
      await writer.close();
    },
  };
}
