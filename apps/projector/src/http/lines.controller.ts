import { applyDecorators, Controller, Get, Param, Query, Sse, type MessageEvent } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { lineKey, lineStreamOfKey, parseStream } from '#events';
import { lineAccess, lineHistory, lineInbox, lineState, type ReadModels, whyBusy } from '#read-models';
import {
  AsOfQuery,
  forbidden,
  knownAccount,
  knownLine,
  lineNumber,
  LineViewerQuery,
  validId,
  type LineViewQuery,
} from './params.js';
import { ReadModelsService, type AsOf } from './read-models.service.js';
import { ANSWER_EXAMPLES } from './answer-examples.js';
import { AsOfQueries, DiagnosisRoute, EventStreamAnswer, QueryAnswer, QueryRefusals } from './route-docs.js';

/** Who may look at a line's shared state: R17. */
const SHARING_VIEWER = 'the delegator or an active delegate sharing the line';

/**
 * A route answering the line as its `viewer` query's party sees it, as of a point: refused like every
 * route on a line, and 403 for a viewer the line is not shared with (R17). Its inputs are read together
 * by LineViewerQuery, which OpenAPI cannot see into, so the path's parameters are documented here.
 * Applied in the order written, so the document lists the parameters as it always has.
 */
const LineViewRoute = (doc: {
  readonly summary: string;
  readonly viewer: string;
  readonly answer: string;
  readonly example: unknown;
}) =>
  applyDecorators(
    ApiOperation({ summary: doc.summary }),
    ApiParam({ name: 'accountId', type: String }),
    ApiParam({ name: 'number', type: String }),
    AsOfQueries('answer'),
    ApiQuery({ name: 'viewer', description: doc.viewer }),
    QueryAnswer(doc.answer, doc.example),
    QueryRefusals({ asOf: true, line: true, edge: ['NOT_VISIBLE_TO_VIEWER'] }),
  );

@ApiTags('lines')
@Controller('lines/:accountId/:number')
export class LinesController {
  constructor(private readonly readModels: ReadModelsService) {}

  /**
   * The line's digits once the account and the line are known (404 otherwise) and the viewer may see it
   * (403, R17): every route on a line answers the same way, whichever spelling of the number it is given.
   */
  private allowed(readModels: ReadModels, accountId: string, number: string, viewer: string | undefined) {
    const digits = knownLine(readModels, accountId, number);
    const access = lineAccess(readModels, accountId, digits, validId(viewer, 'viewer'));
    if (!access.allowed) throw forbidden(access.rule, access.reason);
    return { digits, access };
  }

  /** The read models as of the query, on the line's scope, and the line as the viewer may see it. */
  private async viewed({ accountId, number, viewer, asOf }: LineViewQuery) {
    const readModels = await this.readModels.at(asOf, this.readModels.scopeOf(accountId, number));
    return { readModels, ...this.allowed(readModels, accountId, number, viewer) };
  }

  @Get('state')
  @LineViewRoute({
    summary:
      "The line's busy lamp as the viewer sees it (R11, R12): idle, ringing, busy, held, or occupied by a call of the number's previous owner (R10)",
    viewer: 'party id of whoever looks at the line',
    answer: "The line's lamp and live calls as the viewer sees them",
    example: ANSWER_EXAMPLES.lineState,
  })
  async state(@LineViewerQuery() query: LineViewQuery) {
    const { readModels, digits, access } = await this.viewed(query);
    return {
      position: String(readModels.position ?? 0n),
      ...lineState(readModels, query.accountId, digits, query.viewer!, access),
    };
  }

  @Get('voicemail')
  @LineViewRoute({
    summary: 'The shared voicemail inbox (R14, R17): messages, read state, deletions, missed calls',
    viewer: SHARING_VIEWER,
    answer: "The line's voicemail and missed calls",
    example: ANSWER_EXAMPLES.voicemail,
  })
  async voicemail(@LineViewerQuery() query: LineViewQuery) {
    const { readModels, digits, access } = await this.viewed(query);
    const { messages: all, missedCalls } = lineInbox(readModels, query.accountId, digits);
    return {
      position: String(readModels.position ?? 0n),
      viewerRole: access.role,
      unread: all.filter((m) => !m.read && m.deleted === null).length,
      messages: all.filter((m) => m.deleted === null),
      deleted: all.filter((m) => m.deleted !== null),
      missedCalls,
    };
  }

  @Get('history')
  @LineViewRoute({
    summary: 'Shared call history of the line with placed/answered/picked up/transferred by labels (R17)',
    viewer: SHARING_VIEWER,
    answer: "The line's calls",
    example: ANSWER_EXAMPLES.lineHistory,
  })
  async history(@LineViewerQuery() query: LineViewQuery) {
    const { readModels, digits } = await this.viewed(query);
    return {
      position: String(readModels.position ?? 0n),
      calls: lineHistory(readModels, query.accountId, digits),
    };
  }

  @Get('diagnostics/busy')
  @DiagnosisRoute({
    summary: 'R20: why the line shows busy, naming the rule (R12, R15)',
    asOf: ['answer'],
    answer: 'Whether the line is busy, and the rule that makes it so, in a sentence',
    example: ANSWER_EXAMPLES.whyBusy,
  })
  async whyBusy(
    @Param('accountId') accountId: string,
    @Param('number') number: string,
    @AsOfQuery() query: AsOf,
  ) {
    const readModels = await this.readModels.at(query, this.readModels.scopeOf(accountId, number));
    // A diagnosis answers an unknown line itself, naming R10; an unknown account is no account to ask.
    knownAccount(readModels, accountId);
    return whyBusy(readModels, accountId, lineNumber(number));
  }

  @Sse('stream')
  @ApiOperation({ summary: "Server-sent events: the viewer's line state after every change to the line" })
  @ApiQuery({ name: 'viewer', description: SHARING_VIEWER })
  @EventStreamAnswer('`lineState` events: the body of GET …/state, now and after every change')
  @QueryRefusals({ line: true, edge: ['NOT_VISIBLE_TO_VIEWER'] })
  stream(
    @Param('accountId') accountId: string,
    @Param('number') number: string,
    @Query('viewer') viewer: string | undefined,
  ): Observable<MessageEvent> {
    const live = this.readModels.projector.readModels;
    const { digits } = this.allowed(live, accountId, number, viewer);
    const stream = lineStreamOfKey(lineKey(accountId, digits));
    const view = (): MessageEvent | undefined => {
      const readModels = this.readModels.projector.readModels;
      const access = lineAccess(readModels, accountId, digits, viewer!);
      if (!access.allowed) return undefined;
      const position = String(readModels.position ?? 0n);
      return {
        type: 'lineState',
        id: position,
        data: { position, ...lineState(readModels, accountId, digits, viewer!, access) },
      };
    };
    return new Observable<MessageEvent>((subscriber) => {
      const send = (): void => {
        const event = view();
        // A viewer whose delegation ends while watching stops receiving the line (R17).
        if (event) subscriber.next(event);
        else subscriber.complete();
      };
      send();
      return this.readModels.projector.onChange((change) => {
        if (change.stream === stream || parseStream(change.stream)?.kind === 'account') send();
      });
    });
  }
}
