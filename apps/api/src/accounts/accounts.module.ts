import { Module } from '@nestjs/common';
import { CommandPipeline } from '../shared/command-pipeline.js';
import { AccountCommandHandler } from './account.command.js';
import { AccountRepository } from './account.repository.js';
import { AccountsController } from './accounts.controller.js';

@Module({
  controllers: [AccountsController],
  providers: [AccountRepository, CommandPipeline, AccountCommandHandler],
  exports: [AccountRepository, CommandPipeline],
})
export class AccountsModule {}
