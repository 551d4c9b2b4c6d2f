import { type Command, InvalidArgumentError, Option } from 'commander';
import { ID_PATTERN, ID_RULE } from '#events';
import { stackAddress, stackAddressVariables, type StackApp } from '#stack';
import { formatDurationMs, parseDurationMs, parseRate, parseShard, parseStartAt, type Shard } from '#load';

/**
 * A number as a person writes one (`12`, `-0.5`, `1e3`), else NaN: Number() also reads `0x10`, `0b11`
 * and `0o7`, which no one means for a count or a factor, and an empty or blank text as 0.
 */
const decimal = (text: string): number =>
  /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?\s*$/i.test(text) ? Number(text) : Number.NaN;

/** Commander argument parsers that fail with a message saying what to write instead. */
export const positiveInt = (value: string): number => {
  const n = decimal(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number >= 1');
  return n;
};

/**
 * The longest delay a Node.js timer keeps (2^31 - 1 ms, about 24.8 days): a longer one fires at once,
 * so a `--duration` beyond it ended a run after its first call instead of running for ever.
 */
export const MAX_DURATION_MS = 2_147_483_647;

/**
 * A parser of libs/load whose failure commander reports as a usage error: a plain Error thrown from an
 * argument parser escaped as a stack trace.
 */
const asUsageError =
  <T>(parse: (value: string) => T) =>
  (value: string): T => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };

const durationMs = asUsageError(parseDurationMs);

export const duration = (value: string): number => {
  const ms = durationMs(value);
  if (ms > MAX_DURATION_MS) {
    throw new InvalidArgumentError(`"${value}" is too long: at most ${MAX_DURATION_MS} ms (596h)`);
  }
  return ms;
};

/** `--shard i/n`. */
export const shardArg: (value: string) => Shard = asUsageError(parseShard);

/**
 * `--start-at <instant>`, as ms since the epoch. Only its form is read here: whether it is past is
 * judged when the run starts, as a refusal of the run (exit code 2) rather than of the option.
 */
export const startAtArg: (value: string) => number = asUsageError(parseStartAt);

/**
 * A duration option whose help shows its default with a unit (`default: 10s`): commander prints a
 * default value as is, and a bare `10000` leaves the reader guessing whether it is ms or s.
 */
export const durationOption = (
  flags: string,
  description: string,
  defaultMs: number,
  parse: (value: string) => number = duration,
): Option => new Option(flags, description).argParser(parse).default(defaultMs, formatDurationMs(defaultMs));

/**
 * A period or a wait that must be longer than 0: `--stats-interval 0s` printed a line every
 * millisecond, `--lag-poll 0ms` polled the projector without pause, `--timeout 0s` timed every
 * command out before it was sent.
 */
export const positiveDuration = (value: string): number => {
  const ms = duration(value);
  if (ms <= 0) throw new InvalidArgumentError(`"${value}" must be longer than 0`);
  return ms;
};

/** `--rate` / `--max-rate`. */
export const rate: (value: string) => number = asUsageError(parseRate);

/** Any finite number, negative included (`--ramp-step -5` ramps down). */
export const finiteNumber = (value: string): number => {
  const n = decimal(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
};

/** A whole number >= 0 (`--max-problems 0` counts problems and lists none). */
export const nonNegativeInt = (value: string): number => {
  const n = decimal(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError('must be a whole number >= 0');
  }
  return n;
};

/**
 * `--api` / `--projector`: an http(s) base URL, checked as the option is read. A mistyped one was
 * "Invalid URL" naming neither the option nor the value, or only surfaced mid-command.
 */
export const httpUrl = (value: string): string => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidArgumentError('must be an http(s) URL, e.g. http://127.0.0.1:3000');
  }
  return value;
};

/**
 * An id flag (`--account`, or an account id made from `--run-id`) checked against the api's own id
 * rule before the command does anything: `load replay --dry-run --account __proto__` listed commands
 * the api would refuse, and a real replay was refused only at its first provisioning command.
 */
export const idOptionProblem = (flag: string, value: string, madeId = value): string | undefined => {
  if (ID_PATTERN.test(madeId)) return undefined;
  const made = madeId === value ? '' : ` makes the account id ${JSON.stringify(madeId)}, which`;
  return `${flag} ${JSON.stringify(value)}${made || ' is not an id the api accepts: it'} ${ID_RULE}`;
};

/** The parser of an option meant to be given more than once (`--threshold`, `--stream`): each adds a value. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Makes an option that takes one value, given twice on one command line (`--rate 10 --rate 20`), a
 * usage error naming both values: commander kept the last without a word, so a script that added a
 * `--rate` to a command line already holding one ran at the rate its reader did not see first.
 * Options meant to repeat (parsed with `collect`, e.g. --threshold) and variadic ones (--diff A B)
 * keep adding up; a flag (--json, --no-lag) holds no value to contradict. Set on every command.
 */
export const refuseRepeatedOptions = (command: Command): void => {
  const given = new Map<string, string>();
  for (const option of command.options) {
    if (option.isBoolean() || option.variadic || option.parseArg === collect) continue;
    command.on(`option:${option.name()}`, (value: string | null) => {
      const shown = `'${value ?? ''}'`;
      const before = given.get(option.name());
      if (before !== undefined) {
        command.error(
          `error: option '${option.flags}' is given twice, as ${before} and ${shown}: give it once`,
        );
      }
      given.set(option.name(), shown);
    });
  }
};

/**
 * `--api` / `--projector`, by default where `npm start` put the stack (SWITCHBOARD_API_URL, else
 * API_HOST and API_PORT; the projector's alike), shown in --help: a default that ignored API_HOST
 * sent a load tester who had moved the stack to another address to 127.0.0.1, and API_PORT=0 made a
 * URL nothing listens on. An environment that names no address (a port of 0, or not a port) leaves
 * the option without a default, and `requireStackUrls` then asks for it.
 */
export const stackUrlOption = (app: StackApp, description: string): Option => {
  const address = stackAddress(process.env, app);
  const source = `${description} (by default from ${stackAddressVariables(app)})`;
  // Commander prints no default that is undefined: the help says instead why there is none.
  return 'url' in address
    ? new Option(`--${app} <url>`, source).argParser(httpUrl).default(address.url)
    : new Option(`--${app} <url>`, `${source} (no default: ${address.problem})`).argParser(httpUrl);
};

/** Options with which a command never calls the projector: `load --no-lag`, `verify --no-check-projector`, `audit --source store`. */
const projectorUnused = (command: Command): boolean =>
  command.getOptionValue('lag') === false ||
  command.getOptionValue('checkProjector') === false ||
  command.getOptionValue('source') === 'store';

/**
 * A commander preAction hook: a command that will call the api or the projector, left without its
 * address (the environment names none), stops, saying why, before it does anything.
 */
export const requireStackUrls = (_program: Command, command: Command): void => {
  for (const app of ['api', 'projector'] as const) {
    if (!command.options.some((option) => option.long === `--${app}`)) continue;
    if (command.getOptionValue(app) !== undefined) continue;
    if (app === 'projector' && projectorUnused(command)) continue;
    const address = stackAddress(process.env, app);
    if ('problem' in address)
      command.error(`error: --${app} has no default, as ${address.problem}: give --${app}`);
  }
};

/** Exit codes: 0 all good, 1 a check failed (threshold, expectation, verification), 2 could not run. */
export const EXIT_FAILED = 1;
export const EXIT_ERROR = 2;

/**
 * A replay's `--speed`: a positive factor of the recorded pace, or `max` (also `asap`) for no pacing,
 * given as 0. Refused with a plain Error, as the replay commands read it once they run.
 */
export const replaySpeed = (text: string): number => {
  if (text === 'max' || text === 'asap') return 0;
  const speed = decimal(text);
  if (!Number.isFinite(speed) || speed <= 0)
    throw new Error(`--speed must be a positive number or "max", not "${text}"`);
  return speed;
};
