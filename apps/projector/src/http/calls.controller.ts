import {
  applyDecorators,
  ConflictException,
  Controller,
  Get,
  NotFoundException,
  Param,
  Query,
  Res,
} from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { lineKey, splitLineKey } from '#events';
import {
  accountParty,
  auditProjection,
  chained,
  findCall,
  namedAuditCsv,
  readAuditTrail,
  type ReadModels,
  whyRing,
} from '#read-models';
import { AsOfQuery, knownLine, malformed, validId } from './params.js';
import { ReadModelsService, type AsOf } from './read-models.service.js';
import { ANSWER_EXAMPLES } from './answer-examples.js';
import { AsOfQueries, QueryAnswer, QueryRefusals } from './route-docs.js';

const AUDIT_SUMMARY =
  'Audit trail of a call: every event with actor, on-behalf-of, permission, time, stream revision, $all ' +
  'position, correlation and causation ids, hash-chained; JSON or CSV';
const RING_SUMMARY =
  'R20: why a party did or did not ring for this call, from the recorded routing (R13, R19)';

const AuditAnswer = () =>
  applyDecorators(
    ApiProduces('application/json', 'text/csv'),
    QueryAnswer(
      'The hash-chained trail (JSON), or the same rows as CSV with `format=csv`',
      ANSWER_EXAMPLES.audit,
    ),
  );
const RingAnswer = () =>
  QueryAnswer('Whether the party rang, and the rule that decided it, in a sentence', ANSWER_EXAMPLES.whyRing);

/**
 * The parties a trail's entries name anywhere (actor, on behalf of, any string of their data that is a
 * party id of the account), each once, with its name.
 */
const namedIn = (
  entries: readonly { readonly actor: string; readonly onBehalfOf: string | null; readonly data: object }[],
  nameOf: (party: string) => string | null,
): { partyId: string; name: string }[] => {
  const named = new Map<string, string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      const name = named.has(value) ? undefined : nameOf(value);
      if (name !== undefined && name !== null) named.set(value, name);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  for (const entry of entries) visit([entry.actor, entry.onBehalfOf, entry.data]);
  return [...named].map(([partyId, name]) => ({ partyId, name }));
};

interface CallQuery {
  readonly callId: string;
  readonly accountId?: string;
  readonly number?: string;
}

/**
 * A call id names one call of its line (R12), and other lines may use it too: `/calls/:callId/…`
 * answers while one line used the id and 409 `AMBIGUOUS_CALL_ID` (listing the lines) once several
 * did; `/lines/:accountId/:number/calls/:callId/…` always names one call.
 */
@ApiTags('calls')
@Controller()
export class CallsController {
  constructor(private readonly readModels: ReadModelsService) {}

  @Get('calls/:callId/audit')
  @ApiOperation({ summary: AUDIT_SUMMARY })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @AsOfQueries('answer')
  @AuditAnswer()
  @QueryRefusals({ asOf: true, edge: ['CALL_NOT_FOUND', 'AMBIGUOUS_CALL_ID'] })
  audit(
    @Param('callId') callId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
    @AsOfQuery() query: AsOf,
    @Query('format') format?: string,
  ) {
    return this.auditOf({ callId }, reply, format, query);
  }

  @Get('lines/:accountId/:number/calls/:callId/audit')
  @ApiOperation({ summary: AUDIT_SUMMARY })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @AsOfQueries('answer')
  @AuditAnswer()
  @QueryRefusals({ asOf: true, line: true, edge: ['CALL_NOT_FOUND'] })
  lineAudit(
    @Param('accountId') accountId: string,
    @Param('number') number: string,
    @Param('callId') callId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
    @AsOfQuery() query: AsOf,
    @Query('format') format?: string,
  ) {
    return this.auditOf({ callId, accountId, number }, reply, format, query);
  }

  @Get('calls/:callId/diagnostics/ring')
  @ApiOperation({ summary: RING_SUMMARY })
  @ApiQuery({ name: 'party', description: 'party id' })
  @AsOfQueries('answer')
  @RingAnswer()
  @QueryRefusals({ asOf: true, edge: ['CALL_NOT_FOUND', 'AMBIGUOUS_CALL_ID'] })
  async whyRing(
    @Param('callId') callId: string,
    @Query('party') party: string | undefined,
    @AsOfQuery() query: AsOf,
  ) {
    const readModels = await this.readModels.at(query, this.readModels.callIdScope(callId));
    return whyRing(readModels, this.callOf(readModels, { callId }).call, validId(party, 'party'));
  }

  @Get('lines/:accountId/:number/calls/:callId/diagnostics/ring')
  @ApiOperation({ summary: RING_SUMMARY })
  @ApiQuery({ name: 'party', description: 'party id' })
  @AsOfQueries('answer')
  @RingAnswer()
  @QueryRefusals({ asOf: true, line: true, edge: ['CALL_NOT_FOUND'] })
  async lineWhyRing(
    @Param('accountId') accountId: string,
    @Param('number') number: string,
    @Param('callId') callId: string,
    @Query('party') party: string | undefined,
    @AsOfQuery() query: AsOf,
  ) {
    const readModels = await this.readModels.at(query, this.readModels.scopeOf(accountId, number));
    const { call } = this.callOf(readModels, { callId, accountId, number });
    return whyRing(readModels, call, validId(party, 'party'));
  }

  private async auditOf(query: CallQuery, reply: FastifyReply, format: string | undefined, asOf: AsOf) {
    // An unknown format is a mistake to say, not a reason to answer JSON anyway.
    if (format !== undefined && format !== 'json' && format !== 'csv') {
      throw malformed('format', 'must be json or csv');
    }
    const scope =
      query.accountId === undefined
        ? this.readModels.callIdScope(query.callId)
        : this.readModels.scopeOf(query.accountId, query.number);
    const readModels = await this.readModels.at(asOf, scope);
    const { call } = this.callOf(readModels, query);
    const revisions = readModels.state(auditProjection).trails.get(call.key) ?? [];
    const read = await readAuditTrail(this.readModels.store.client, call.line, revisions);
    // Auditors read who acted by name and trace them by id: each entry carries both (names outside the chain).
    const { accountId } = splitLineKey(call.line);
    const nameOf = (party: string | null): string | null =>
      party === null ? null : (accountParty(readModels, accountId, party)?.name ?? null);
    const entries = chained(read).map((entry) => ({
      ...entry,
      actorName: nameOf(entry.actor),
      onBehalfOfName: nameOf(entry.onBehalfOf),
    }));
    if (format === 'csv') {
      void reply.header('content-type', 'text/csv; charset=utf-8');
      void reply.header('content-disposition', `attachment; filename="call-${call.callId}-audit.csv"`);
      return namedAuditCsv(entries);
    }
    return {
      callId: call.callId,
      line: splitLineKey(call.line),
      // R23: the name the line had when the call started, beside its number.
      lineName: call.lineName,
      // R10/R17: whose number the line was when the call started, whoever owns it now.
      lineOwner: call.owner,
      position: String(readModels.position ?? 0n),
      entries,
      // Every party the steps name (who was alerted, to whom a transfer went …), for a reader telling them by name.
      parties: namedIn(read, nameOf),
    };
  }

  private callOf(readModels: ReadModels, query: CallQuery) {
    const callId = validId(query.callId, 'callId');
    const line =
      query.accountId === undefined
        ? undefined
        : lineKey(query.accountId, knownLine(readModels, query.accountId, query.number));
    const found = findCall(readModels, callId, line);
    if (found.kind === 'notFound')
      throw new NotFoundException({ code: 'CALL_NOT_FOUND', message: found.message });
    if (found.kind === 'ambiguous') {
      const lines = found.lines.map((key) => {
        const { accountId, number } = splitLineKey(key);
        return { accountId, number, path: `/lines/${accountId}/${number}/calls/${callId}` };
      });
      throw new ConflictException({
        code: 'AMBIGUOUS_CALL_ID',
        message:
          `call id ${callId} was used on ${lines.length} lines (a call id names one call of its line): ` +
          'ask for the call on its line',
        lines,
      });
    }
    return found;
  }
}
