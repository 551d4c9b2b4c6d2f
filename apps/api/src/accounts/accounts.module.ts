import { Module } from '@nestjs/common';
import { AccountRepository } from './account.repository.js';

@Module({
  providers: [AccountRepository],
  exports: [AccountRepository],
})
export class AccountsModule {}
