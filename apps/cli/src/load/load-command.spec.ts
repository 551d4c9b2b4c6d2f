import type { Command } from 'commander';
import { loadCommand } from './load-command.js';

const DURATION_DEFAULTS_MS = {
  lagPoll: 5,
  lagGrace: 10_000,
  timeout: 10_000,
  lateThreshold: 5,
  statsInterval: 1_000,
};

const subcommand = (name: string): Command => loadCommand().commands.find((c) => c.name() === name)!;

describe('load command options', () => {
  it.each(['run', 'replay'])(
    'load %s shows duration defaults with their unit and still parses them as ms',
    (name) => {
      // Given the load subcommand
      const command = subcommand(name);
      // When its help is rendered
      const help = command.helpInformation().replace(/\s+/g, ' ');
      // Then each duration default reads as a duration, not a bare number
      expect(help).toContain(
        '--lag-poll <duration> how often to poll the projector checkpoint (default: 5ms)',
      );
      expect(help).toMatch(/--lag-grace <duration> .*? \(default: 10s\)/);
      expect(help).toMatch(/--timeout <duration> .*? \(default: 10s\)/);
      expect(help).toMatch(/--late-threshold <duration> .*? \(default: 5ms\)/);
      expect(help).toContain('--stats-interval <duration> periodic stats interval (default: 1s)');
      // And the values the command runs with are the same milliseconds as before
      expect(command.opts()).toMatchObject(DURATION_DEFAULTS_MS);
    },
  );

  it('says how long load run runs when neither --duration nor --max-calls is given', () => {
    // Given load run, When its help is rendered
    const help = subcommand('run').helpInformation().replace(/\s+/g, ' ');
    // Then --duration names its default of 10s and that --max-calls alone lifts it
    expect(help).toMatch(/--duration <duration> .*? \(default: 10s, or none with --max-calls\)/);
  });
});
