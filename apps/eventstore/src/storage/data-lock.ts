import { promises as fs, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** The file in a data directory that says which process has it open. */
export const DATA_LOCK_FILE = 'eventstore.lock';

/** What the lock file holds: enough to tell a live holder from one a crash left behind. */
interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly directory: string;
}

/**
 * Takes the data directory for this process, as EventStoreDB takes an exclusive lock on its database
 * directory, before anything of it is read or written. Found by a fault campaign: a store started
 * again while the killed one's supervisor had not let go of it (here: the old one still running, the
 * new one then failing to bind its port) had already cut a "torn tail" off the live log and appended
 * its epoch record there; the running store then wrote over those bytes, and the log refused to
 * start once stopped.
 *
 * Node has no advisory file lock, so the lock is a file naming its holder. A holder that is gone (a
 * kill -9, a power cut) leaves its file behind; it is taken over, never refused: the process no
 * longer runs, or runs on another host (a copied or shared directory), or its pid now belongs to a
 * process that is no eventstore (reused after a reboot). Answers how to let go of it, or the pid of
 * the live process that holds it (then nothing was changed).
 */
export async function lockDataDirectory(
  directory: string,
): Promise<{ readonly release: () => Promise<void> } | { readonly heldBy: number }> {
  const path = join(directory, DATA_LOCK_FILE);
  const own: LockHolder = { pid: process.pid, host: hostname(), directory: resolve(directory) };
  const text = JSON.stringify(own) + '\n';
  try {
    await fs.writeFile(path, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = await readHolder(path);
    if (holder && holdsIt(holder, own)) return { heldBy: holder.pid };
    // Left behind by a holder that is gone: replaced whole, so no reader sees half of it.
    const replacement = `${path}.${process.pid}.tmp`;
    await fs.writeFile(replacement, text);
    await fs.rename(replacement, path);
    // Two stores taking over the same stale file at once: the last rename wins, the other refuses.
    const now = await readHolder(path);
    if (now && now.pid !== own.pid) return { heldBy: now.pid };
  }
  return {
    release: async () => {
      const holder = await readHolder(path);
      if (holder?.pid === own.pid) await fs.rm(path, { force: true });
    },
  };
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(path, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' ? (parsed as LockHolder) : undefined;
  } catch {
    // Missing, empty or half written (a crash while it was written): it holds nothing.
    return undefined;
  }
}

/** Whether `holder` is a live eventstore process other than this one, on this host and this directory. */
function holdsIt(holder: LockHolder, own: LockHolder): boolean {
  if (holder.pid === own.pid || holder.host !== own.host || holder.directory !== own.directory) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it runs, under another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  return !isOtherProgram(holder.pid);
}

/**
 * Whether `pid` runs a program that is no eventstore, where the system says (Linux's /proc): a pid a
 * crashed store had, reused since. Where it cannot be told, the process is taken for the holder.
 */
function isOtherProgram(pid: number): boolean {
  let commandLine: string;
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return false;
  }
  return !commandLine.includes('eventstore');
}
