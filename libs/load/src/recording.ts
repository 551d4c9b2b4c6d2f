import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { COMMAND_TYPES, commandShapeProblem, type ApiCommand } from './api-client.js';

/**
 * A recorded command stream (NDJSON, one entry a line). The first line is the run's manifest; every
 * other line is a command with its intended send offset, so a replay can keep the original pace.
 * Commands are kept in the CLI's own vocabulary (ApiCommand), not as HTTP requests, so a recording
 * stays replayable when the api's routes move.
 */
export interface RecordedCommand {
  readonly seq: number;
  readonly phase: 'setup' | 'load';
  /** Intended send time, ms after the load phase started (setup commands: 0). */
  readonly offsetMs: number;
  readonly call?: number;
  readonly flow?: string;
  readonly step?: number;
  readonly command: ApiCommand;
}

/**
 * The format of the recordings this version writes and reads, the header's `recording`: a recording
 * in another is refused rather than replayed as if its lines meant what this version's mean.
 */
export const RECORDING_FORMAT = 1;

export interface RecordingHeader {
  readonly recording: typeof RECORDING_FORMAT;
  readonly manifest: Record<string, unknown>;
}

export interface RecordingFilter {
  readonly fromMs?: number;
  readonly toMs?: number;
  /** Command types to keep; all when absent or empty. */
  readonly types?: readonly string[];
  /** Leave out the setup commands (the account already exists where the replay goes). */
  readonly skipSetup?: boolean;
}

/**
 * Which commands a replay sends. Offsets select a window of the load phase (from inclusive, to
 * exclusive) and types a subset; setup commands ignore both, since no command after them works
 * without the parties they provision.
 */
export const filterRecording = (
  entries: readonly RecordedCommand[],
  filter: RecordingFilter,
): RecordedCommand[] =>
  entries.filter((entry) => {
    if (entry.phase === 'setup') return !filter.skipSetup;
    if (filter.fromMs !== undefined && entry.offsetMs < filter.fromMs) return false;
    if (filter.toMs !== undefined && entry.offsetMs >= filter.toMs) return false;
    if (filter.types && filter.types.length > 0 && !filter.types.includes(entry.command.type)) return false;
    return true;
  });

/**
 * What makes a filter select nothing whatever the recording holds: a type that is no command (a typo
 * such as `answer` for `answerCall`) or an empty offset window. Said up front, since a replay of the
 * setup alone otherwise reports success.
 */
export const recordingFilterProblems = (filter: RecordingFilter): string[] => {
  const problems: string[] = [];
  const unknown = (filter.types ?? []).filter((type) => !(COMMAND_TYPES as readonly string[]).includes(type));
  if (unknown.length > 0) {
    problems.push(
      `--filter: unknown command type(s) ${unknown.join(', ')} (use ${COMMAND_TYPES.join(', ')})`,
    );
  }
  if (filter.fromMs !== undefined && filter.toMs !== undefined && filter.fromMs >= filter.toMs) {
    problems.push(`--from (${filter.fromMs} ms) must be before --to (${filter.toMs} ms)`);
  }
  return problems;
};

/** Moves a recorded command into another account, so a stream can be replayed next to the original. */
export const retarget = (entry: RecordedCommand, accountId: string): RecordedCommand =>
  'accountId' in entry.command ? { ...entry, command: { ...entry.command, accountId } as ApiCommand } : entry;

/** The account a recording provisioned (from its first command that names one). */
export const recordedAccount = (entries: readonly RecordedCommand[]): string | undefined => {
  for (const entry of entries) if ('accountId' in entry.command) return entry.command.accountId;
  return undefined;
};

/** The longest delay a Node.js timer keeps (2^31 - 1 ms): the furthest a command can be intended. */
const MAX_OFFSET_MS = 2_147_483_647;

/**
 * A read of `file` that failed in the file system (a directory: EISDIR), in words naming the file:
 * Node's own named neither it nor the path ("EISDIR: illegal operation on a directory, read"). Any
 * other error (a bad line) is returned as it is.
 */
export const readFailure = (file: string, error: unknown): unknown => {
  const { code, syscall } = error as NodeJS.ErrnoException;
  return typeof code === 'string' && syscall !== undefined
    ? new Error(`cannot read ${file} (${code})`)
    : error;
};

export async function readRecording(
  file: string,
): Promise<{ header: RecordingHeader | undefined; entries: RecordedCommand[] }> {
  const entries: RecordedCommand[] = [];
  let header: RecordingHeader | undefined;
  let lineNo = 0;
  try {
    for await (let line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      lineNo++;
      // A byte order mark (some editors write one) is no part of the first line's JSON.
      if (lineNo === 1 && line.startsWith('\uFEFF')) line = line.slice(1);
      if (!line.trim()) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${lineNo}: not JSON`);
      }
      const value = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<
        RecordedCommand & RecordingHeader
      >;
      if (value.recording !== undefined) {
        if (value.recording !== RECORDING_FORMAT) {
          throw new Error(
            `${file}:${lineNo}: recording format ${JSON.stringify(value.recording)} is not the one this version reads (${RECORDING_FORMAT}): replay it with the version that recorded it, or record it again`,
          );
        }
        header = value as RecordingHeader;
      } else if (
        value.command &&
        typeof value.command.type === 'string' &&
        typeof value.offsetMs === 'number'
      ) {
        // Checked here, with the line: an unknown type used to be sent anyway (as a request to no
        // route, after the setup had provisioned), and an offset past a timer's range fired at once.
        const type: string = value.command.type;
        if (!(COMMAND_TYPES as readonly string[]).includes(type)) {
          throw new Error(
            `${file}:${lineNo}: unknown command type ${JSON.stringify(type)} (a recording holds ${COMMAND_TYPES.join(', ')})`,
          );
        }
        const shape = commandShapeProblem(value.command);
        if (shape) throw new Error(`${file}:${lineNo}: ${shape}`);
        if (value.phase !== 'setup' && value.phase !== 'load') {
          throw new Error(
            `${file}:${lineNo}: phase ${JSON.stringify(value.phase ?? null)} is neither setup nor load`,
          );
        }
        if (!(value.offsetMs >= 0 && value.offsetMs <= MAX_OFFSET_MS)) {
          throw new Error(
            `${file}:${lineNo}: offsetMs ${value.offsetMs} is not between 0 and ${MAX_OFFSET_MS}`,
          );
        }
        entries.push(value as RecordedCommand);
      } else {
        throw new Error(`${file}:${lineNo}: neither a recording header nor a recorded command`);
      }
    }
  } catch (error) {
    throw readFailure(file, error);
  }
  return { header, entries };
}
