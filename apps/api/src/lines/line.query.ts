import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import {
  callOfCurrentOwnership,
  lineContextFor,
  ofCurrentOwnership,
  recentCallsOf,
  totalsOf,
  type CallOnLine,
  type FinishedCall,
  type LineTotals,
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
  /** Busy with any call, also one of the number's previous owner still on it (R12: one call per line). */
  readonly busy: boolean;
  /**
   * The call in progress of the number's current ownership (R10): `null` while the line is busy with
   * a call of its previous owner, whose parties and caller are that owner's, not the new owner's to see.
   */
  readonly call: CallOnLine | null;
  /**
   * A call of the number's previous owner still on the line (R10, R12): only since when it keeps the
   * line busy, as the projector's lamp shows it to the new owner and its delegates.
   */
  readonly previousOwnersCall: { readonly since: string } | null;
  /**
   * The inbox, recent calls and totals are the number's current ownership's (R10, R17), as the
   * projector's read side shows the inbox and history: messages and calls that came while the number
   * was another party's stay that party's, and are neither listed nor counted.
   */
  readonly voicemails: readonly VoicemailMessage[];
  /** Newest last: those of the current ownership among the line's last few finished calls. */
  readonly recentCalls: readonly FinishedCall[];
  readonly totals: LineTotals;
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
    const ownerNow = context.delegator.partyId;
    const call = callOfCurrentOwnership(state, ownerNow);
    return {
      accountId,
      number: number.e164,
      revision: revision === 'no_stream' ? null : revision.toString(),
      busy: state.call !== null,
      call,
      previousOwnersCall: state.call && !call ? { since: state.call.startedAt } : null,
      voicemails: [...state.voicemails.values()].filter((message) =>
        ofCurrentOwnership(message.owner, ownerNow),
      ),
      recentCalls: recentCallsOf(state, ownerNow),
      totals: totalsOf(state, ownerNow),
    };
  }
}
