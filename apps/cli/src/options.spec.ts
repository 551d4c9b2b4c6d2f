import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ID_RULE } from '#events';
import {
  collect,
  duration,
  finiteNumber,
  httpUrl,
  idOptionProblem,
  nonNegativeInt,
  positiveDuration,
  rate,
  positiveInt,
  refuseRepeatedOptions,
  replaySpeed,
  shardArg,
  startAtArg,
} from './options.js';

describe('CLI option parsers', () => {
  it('reads rates, and refuses a malformed one as a usage error rather than a crash', () => {
    // Given rates as a load tester writes them
    // When they are parsed
    // Then good ones become calls per second
    expect(rate('20')).toBe(20);
    expect(rate('30/m')).toBe(0.5);
    // And bad ones are InvalidArgumentErrors, which commander prints as "error: option … is invalid"
    for (const bad of ['-5', 'abc', '']) {
      expect(() => rate(bad)).toThrow(InvalidArgumentError);
      expect(() => rate(bad)).toThrow(/is not a rate: write e.g. 500 or 500\/s/);
    }
  });

  it('reads a ramp step of either sign, and refuses what is not a number', () => {
    // Given ramp steps, When parsed, Then negatives ramp down and junk is a usage error (not NaN)
    expect(finiteNumber('-5')).toBe(-5);
    expect(finiteNumber('2.5')).toBe(2.5);
    for (const bad of ['abc', '', 'Infinity']) expect(() => finiteNumber(bad)).toThrow(InvalidArgumentError);
  });

  it('reads a count that may be zero, and refuses what is not one', () => {
    // Given --max-problems values, When parsed, Then 0 is allowed and junk is a usage error (not NaN)
    expect(nonNegativeInt('0')).toBe(0);
    expect(nonNegativeInt('50')).toBe(50);
    for (const bad of ['abc', '-1', '1.5', ''])
      expect(() => nonNegativeInt(bad)).toThrow(InvalidArgumentError);
  });

  it('reads numbers written in decimals only: 0x10, 0b11 and 0o7, which Number() reads, are usage errors', () => {
    // Given numbers as a person writes them, When parsed, Then they are read
    expect(positiveInt('12')).toBe(12);
    expect(finiteNumber('-0.5')).toBe(-0.5);
    expect(finiteNumber('1e3')).toBe(1000);
    expect(replaySpeed('2.5')).toBe(2.5);
    // And numbers in another base are refused, where they were read as 16, 3 and 7
    for (const bad of ['0x10', '0b11', '0o7']) {
      expect(() => positiveInt(bad)).toThrow(InvalidArgumentError);
      expect(() => nonNegativeInt(bad)).toThrow(InvalidArgumentError);
      expect(() => finiteNumber(bad)).toThrow(InvalidArgumentError);
      expect(() => replaySpeed(bad)).toThrow(`--speed must be a positive number or "max", not "${bad}"`);
    }
  });

  it('reads a replay speed as a positive factor, or max (asap) for no pacing', () => {
    expect(replaySpeed('max')).toBe(0);
    expect(replaySpeed('asap')).toBe(0);
    expect(replaySpeed('10')).toBe(10);
    for (const bad of ['0', '-1', 'fast', '', 'Infinity']) expect(() => replaySpeed(bad)).toThrow(/--speed/);
  });

  it('refuses a duration longer than a timer holds, which fired at once and ended a run after one call', () => {
    expect(duration('596h')).toBe(596 * 3_600_000);
    expect(() => duration('99999999999999999999s')).toThrow(InvalidArgumentError);
    expect(() => duration('597h')).toThrow(/"597h" is too long: at most 2147483647 ms \(596h\)/);
  });

  it('reads --shard i/n, and refuses a shard that is not one as a usage error rather than a stack trace', () => {
    expect(shardArg('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['3/2', '0/0', '1/0', 'a/b']) expect(() => shardArg(bad)).toThrow(InvalidArgumentError);
  });

  it('reads --start-at as an instant with its zone, and refuses a local time as a usage error rather than a stack trace', () => {
    // Given the instant the shards agreed on, When parsed, Then it is ms since the epoch on every machine
    expect(startAtArg('2026-05-01T14:00:00+02:00')).toBe(Date.UTC(2026, 4, 1, 12));
    // And a time without a zone, which each machine would read in its own, is a usage error
    for (const bad of ['2026-05-01T14:00:00', 'in 10s', '1777636800000'])
      expect(() => startAtArg(bad)).toThrow(InvalidArgumentError);
  });

  it('refuses a period of 0 where one must pass (stats interval, lag poll, timeout)', () => {
    expect(positiveDuration('5ms')).toBe(5);
    for (const bad of ['0s', '0', '0ms'])
      expect(() => positiveDuration(bad)).toThrow(/must be longer than 0/);
  });

  it('reads --api and --projector as http(s) URLs, and refuses anything else as a usage error', () => {
    // Where "notaurl" was a bare "Invalid URL" naming neither the option nor the value
    expect(httpUrl('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
    expect(httpUrl('https://switchboard.example')).toBe('https://switchboard.example');
    for (const bad of ['notaurl', '127.0.0.1:3000', 'ftp://x', ''])
      expect(() => httpUrl(bad)).toThrow(InvalidArgumentError);
  });

  it("checks an id flag against the api's id rule, naming the flag, and the id a run id makes", () => {
    // Given ids as a user may type them
    // When checked, Then one the api accepts passes and every other is named with the rule
    expect(idOptionProblem('--account', 'acme-1')).toBeUndefined();
    for (const bad of ['__proto__', 'constructor', 'prototype', '../x', 'a.b', '', 'x'.repeat(65)])
      expect(idOptionProblem('--account', bad)).toBe(
        `--account ${JSON.stringify(bad)} is not an id the api accepts: it ${ID_RULE}`,
      );
    // And a run id is judged by the account id it makes
    expect(idOptionProblem('--run-id', 'r1', 'demo-r1')).toBeUndefined();
    expect(idOptionProblem('--run-id', 'a/b', 'demo-a/b')).toBe(
      `--run-id "a/b" makes the account id "demo-a/b", which ${ID_RULE}`,
    );
  });

  describe('an option given twice', () => {
    /** A command with a value option, a repeatable one, a variadic one and a flag, as the CLI sets them. */
    const parsed = (args: string[]): Record<string, unknown> => {
      const command = new Command('run')
        .exitOverride()
        .configureOutput({ writeErr: () => undefined })
        .option('--rate <n/s>', 'rate', rate)
        .option('--seed <seed>', 'seed', 'switchboard')
        .option('--threshold <slo>', 'repeatable', collect, [])
        .option('--diff <points...>', 'two points')
        .option('--json', 'flag', false);
      refuseRepeatedOptions(command);
      command.parse(args, { from: 'user' });
      return command.opts();
    };

    it('is refused, naming the option and both values, where the last one was kept without a word', () => {
      // Given a value option given twice, When parsed, Then it is a usage error naming both values
      for (const [args, message] of [
        [
          ['--rate', '10', '--rate', '20'],
          `error: option '--rate <n/s>' is given twice, as '10' and '20': give it once`,
        ],
        [
          ['--seed', '1', '--seed=2'],
          `error: option '--seed <seed>' is given twice, as '1' and '2': give it once`,
        ],
      ] as const) {
        expect(() => parsed([...args])).toThrow(new CommanderError(1, 'commander.error', message));
      }
    });

    it('adds up where the option is meant to repeat, and a flag given twice is still the flag', () => {
      // Given a repeatable option, a variadic one and a flag each given twice, When parsed, Then each keeps all it was given
      expect(
        parsed([
          '--threshold',
          'p99<5ms',
          '--threshold',
          'errors<1%',
          '--diff',
          '1',
          '2',
          '--json',
          '--json',
        ]),
      ).toEqual({ seed: 'switchboard', threshold: ['p99<5ms', 'errors<1%'], diff: ['1', '2'], json: true });
      // And a value option given once is read as before
      expect(parsed(['--rate', '10'])).toMatchObject({ rate: 10 });
    });
  });
});
