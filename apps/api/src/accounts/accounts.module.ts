import { Module } from '@nestjs/common';
import { CommandPipeline } from '../shared/command-pipeline.js';
import { AccountAppends } from './account-appends.js';
import { AccountCommandHandler } from './account.command.js';
import { AccountRepository } from './account.repository.js';
import { AccountsController } from './accounts.controller.js';

@Module({
  controllers: [AccountsController],
  providers: [AccountRepository, AccountAppends, CommandPipeline, AccountCommandHandler],
  exports: [AccountRepository, AccountAppends, CommandPipeline],
})
export class AccountsModule {}
