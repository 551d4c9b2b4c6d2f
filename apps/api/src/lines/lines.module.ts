import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { LineRepository } from './line.repository.js';

@Module({
  imports: [AccountsModule],
  providers: [LineRepository],
  exports: [LineRepository],
})
export class LinesModule {}
