import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import {
  lineContextFor,
  ofCurrentOwnership,
  type CallOnLine,
  type FinishedCall,
  type VoicemailMessage,
} from '#domain';
import { accountStream, lineStream } from '#events';
import { AccountRepository } from '../accounts/account.repository.js';
import { ClockService } from '../clock/clock.service.js';
import type { LineNumber } from './line-number.pipe.js';
import { LineRepository } from './line.repository.js';

/** The command side's own view of a line: what the next decision will be made on. */
export interface LineView {
  readonly accountId: string;
  readonly number: string;
  /** Stream revision the view reflects (`null` before the first call). */
  readonly revision: string | null;
  readonly busy: boolean;
  readonly call: CallOnLine | null;
  /**
   * The inbox of the number's current ownership (R10, R17), as the projector's read side shows it:
   * messages left while the number was another party's stay that party's and are not listed.
   */
  readonly voicemails: readonly VoicemailMessage[];
  readonly recentCalls: readonly FinishedCall[];
  readonly totals: { readonly calls: number; readonly missed: number; readonly voicemails: number };
}

export class GetLine extends Query<LineView> {
  constructor(
    readonly accountId: string,
    readonly number: LineNumber,
  ) {
    super();
  }
}

@QueryHandler(GetLine)
export class GetLineHandler implements IQueryHandler<GetLine> {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly lines: LineRepository,
    private readonly clock: ClockService,
  ) {}

  async execute({ accountId, number }: GetLine): Promise<LineView> {
    const { state: account } = await this.accounts.load(accountStream(accountId));
    // An unknown account or line is a 404 (ACCOUNT_NOT_FOUND, LINE_NOT_FOUND), not an idle line.
    const context = lineContextFor(account, number.e164, this.clock.now().toISOString());
    const { state, revision } = await this.lines.load(lineStream(accountId, number.digits));
    return {
      accountId,
      number: number.e164,
      revision: revision === 'no_stream' ? null : revision.toString(),
      busy: state.call !== null,
      call: state.call,
      voicemails: [...state.voicemails.values()].filter((message) =>
        ofCurrentOwnership(message.owner, context.delegator.partyId),
      ),
      recentCalls: state.recentCalls,
      totals: state.totals,
    };
  }
}
