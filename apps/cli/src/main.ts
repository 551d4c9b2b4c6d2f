#!/usr/bin/env node
import { Command } from 'commander';
import { auditCommand } from './audit/audit-command.js';
import { historyCommand } from './history/history-command.js';
import { replayCommand } from './history/replay-command.js';
import { scenarioCommand } from './scenario/scenario-command.js';
import { loadCommand } from './load/load-command.js';
import { projectorCommand } from './projector/projector-command.js';
import { verifyCommand } from './verify/verify-command.js';
import { requireStackUrls } from './options.js';

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

await program.parseAsync();
