import { Controller, Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { auditProjection } from '../projections/audit.projection.js';
import { whyRing } from '../queries/diagnostics.js';
import { auditCsv, chained } from './audit-csv.js';
import { validId } from './params.js';
import { ReadModelsService } from './read-models.service.js';

@ApiTags('calls')
@Controller('calls/:callId')
export class CallsController {
  constructor(private readonly readModels: ReadModelsService) {}

  @Get('audit')
  @ApiOperation({
    summary:
      'Audit trail of a call: every event with actor, on-behalf-of, permission, time, stream revision, $all ' +
      'position, correlation and causation ids, hash-chained; JSON or CSV',
  })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiQuery({ name: 'asOf', required: false, description: 'answer as of this $all commit position' })
  @ApiQuery({ name: 'asOfTime', required: false, description: 'answer as of this simulated time (ISO-8601)' })
  async audit(
    @Param('callId') callId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('format') format?: string,
    @Query('asOf') asOf?: string,
    @Query('asOfTime') asOfTime?: string,
  ) {
    const readModels = await this.readModels.at({ asOf, asOfTime });
    const entries = readModels.state(auditProjection).trails.get(validId(callId, 'callId'));
    if (!entries)
      throw new NotFoundException({ code: 'CALL_NOT_FOUND', message: `no call ${callId} in the log` });
    if (format === 'csv') {
      void reply.header('content-type', 'text/csv; charset=utf-8');
      void reply.header('content-disposition', `attachment; filename="call-${callId}-audit.csv"`);
      return auditCsv(entries);
    }
    return { callId, position: String(readModels.position ?? 0n), entries: chained(entries) };
  }

  @Get('diagnostics/ring')
  @ApiOperation({
    summary: 'R20: why a party did or did not ring for this call, from the recorded routing (R13, R19)',
  })
  @ApiQuery({ name: 'party', description: 'party id' })
  async whyRing(
    @Param('callId') callId: string,
    @Query('party') party: string | undefined,
    @Query('asOf') asOf?: string,
    @Query('asOfTime') asOfTime?: string,
  ) {
    const readModels = await this.readModels.at({ asOf, asOfTime });
    const diagnosis = whyRing(readModels, validId(callId, 'callId'), validId(party, 'party'));
    if (!diagnosis)
      throw new NotFoundException({ code: 'CALL_NOT_FOUND', message: `no call ${callId} in the log` });
    return diagnosis;
  }
}
