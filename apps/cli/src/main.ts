#!/usr/bin/env node
import { Command } from 'commander';
import { loadCommand } from './load/load-command.js';

const program = new Command('switchboard')
  .description('Switchboard CLI: load generation, history export/import/replay, audit, verify, scenarios')
  .showHelpAfterError();
program.addCommand(loadCommand());

await program.parseAsync();
