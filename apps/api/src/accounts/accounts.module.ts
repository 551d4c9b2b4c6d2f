import { Module } from '@nestjs/common';
import { AccountCommandHandler } from './account.command.js';
import { AccountRepository } from './account.repository.js';
import { AccountsController } from './accounts.controller.js';

@Module({
  controllers: [AccountsController],
  providers: [AccountRepository, AccountCommandHandler],
  exports: [AccountRepository],
})
export class AccountsModule {}
