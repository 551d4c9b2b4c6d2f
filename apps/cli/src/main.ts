#!/usr/bin/env node
import { Command } from 'commander';
import { auditCommand } from './audit/audit-command.js';
import { historyCommand } from './history/history-command.js';
import { replayCommand } from './history/replay-command.js';
import { scenarioCommand } from './scenario/scenario-command.js';
import { loadCommand } from './load/load-command.js';
import { projectorCommand } from './projector/projector-command.js';
import { verifyCommand } from './verify/verify-command.js';
import { EXIT_ERROR, refuseRepeatedOptions, requireStackUrls } from './options.js';

// A reader that stops early (`switchboard load replay rec.ndjson --dry-run | head`) closes the pipe:
// the output is no longer wanted, which is no reason for a stack trace from an unhandled 'error'.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit();
});

const program = new Command('switchboard')
  .description('Switchboard CLI: load generation, history export/import/replay, audit, verify, scenarios')
  .showHelpAfterError()
  .hook('preAction', requireStackUrls);
program
  .addCommand(loadCommand())
  .addCommand(historyCommand())
  .addCommand(replayCommand())
  .addCommand(auditCommand())
  .addCommand(verifyCommand())
  .addCommand(projectorCommand())
  .addCommand(scenarioCommand());

/**
 * A mistake commander catches itself (an unknown option, a missing or invalid value, a subcommand not
 * given) ends with exit code 2, the code of a command that could not run: commander's own 1 is the
 * code of a failed check (a --threshold, an expectation, a verification), so a load tester's script
 * read a mistyped `--rate` as an SLO the run had failed. --help and --version still end with 0. Set
 * on every command, as commander hands it only to subcommands it creates itself, not added ones.
 */
const everyCommand = (command: Command): Command[] => [command, ...command.commands.flatMap(everyCommand)];
for (const command of everyCommand(program)) {
  command.exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_ERROR));
  refuseRepeatedOptions(command);
}

await program.parseAsync();
