import { BadRequestException, Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiForbiddenResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  accountsProjection,
  type Action,
  delegationKey,
  type DelegationRow,
  partyHistory,
  partyKey,
  partyName,
  recordingsProjection,
  whyCannot,
} from '#read-models';
import { forbidden, validId } from './params.js';
import { ReadModelsService } from './read-models.service.js';

const ACTIONS: readonly Action[] = ['answer', 'pickUp', 'placeCall', 'join'];

@ApiTags('accounts')
@Controller('accounts/:accountId')
export class AccountsController {
  constructor(private readonly readModels: ReadModelsService) {}

  @Get('roster')
  @ApiOperation({
    summary: 'Delegation roster of the account per delegator and per delegate, with status and permissions',
  })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'asOfTime', required: false })
  async roster(
    @Param('accountId') accountId: string,
    @Query('asOf') asOf?: string,
    @Query('asOfTime') asOfTime?: string,
  ) {
    const readModels = await this.readModels.at({ asOf, asOfTime });
    const { accounts, delegations } = readModels.state(accountsProjection);
    const account = accounts.get(validId(accountId, 'accountId'));
    if (!account)
      throw new NotFoundException({ code: 'ACCOUNT_NOT_FOUND', message: `no account ${accountId}` });
    const rows = account.delegations.map((id) => delegations.get(delegationKey(accountId, id))!);
    const entry = (d: DelegationRow) => ({
      ...d,
      delegatorName: partyName(readModels, accountId, d.delegatorId),
      delegateName: partyName(readModels, accountId, d.delegateId),
    });
    const group = (key: 'delegatorId' | 'delegateId') => {
      // Keyed by party ids: a Map made into own properties, so no id can reach Object.prototype.
      const grouped = new Map<string, ReturnType<typeof entry>[]>();
      for (const d of rows) {
        const list = grouped.get(d[key]) ?? grouped.set(d[key], []).get(d[key])!;
        list.push(entry(d));
      }
      return Object.fromEntries(grouped);
    };
    return {
      accountId,
      name: account.name,
      position: String(readModels.position ?? 0n),
      byDelegator: group('delegatorId'),
      byDelegate: group('delegateId'),
    };
  }

  @Get('parties/:partyId/roster')
  @ApiOperation({
    summary: "One party's delegations: as delegator (its delegates) and as delegate (its delegators)",
  })
  async partyRoster(@Param('accountId') accountId: string, @Param('partyId') partyId: string) {
    const readModels = this.readModels.projector.readModels;
    const { accounts, delegations } = readModels.state(accountsProjection);
    const rows = (accounts.get(validId(accountId, 'accountId'))?.delegations ?? []).map((id) =>
      delegations.get(delegationKey(accountId, id))!,
    );
    validId(partyId, 'partyId');
    return {
      partyId,
      name: partyName(readModels, accountId, partyId),
      asDelegator: rows.filter((d) => d.delegatorId === partyId),
      asDelegate: rows.filter((d) => d.delegateId === partyId),
    };
  }

  @Get('parties/:partyId/history')
  @ApiOperation({ summary: 'Calls a party took part in, newest first, with the history labels (R17)' })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'asOfTime', required: false })
  async history(
    @Param('accountId') accountId: string,
    @Param('partyId') partyId: string,
    @Query('asOf') asOf?: string,
    @Query('asOfTime') asOfTime?: string,
  ) {
    validId(accountId, 'accountId');
    validId(partyId, 'partyId');
    const readModels = await this.readModels.at({ asOf, asOfTime });
    return {
      partyId,
      position: String(readModels.position ?? 0n),
      calls: partyHistory(readModels, validId(accountId, 'accountId'), validId(partyId, 'partyId')),
    };
  }

  @Get('parties/:partyId/recordings')
  @ApiOperation({ summary: 'Recordings a party started; visible only to that party (R18)' })
  @ApiQuery({ name: 'viewer', description: 'must be the owner' })
  @ApiForbiddenResponse({ description: 'R18: recordings are visible only to the party who started them' })
  recordings(
    @Param('accountId') accountId: string,
    @Param('partyId') partyId: string,
    @Query('viewer') viewer?: string,
  ) {
    validId(accountId, 'accountId');
    if (validId(viewer, 'viewer') !== validId(partyId, 'partyId')) {
      throw forbidden('R18', `recordings are visible only to the party who started them, not to ${viewer}`);
    }
    const { byOwner, recordings } = this.readModels.projector.readModels.state(recordingsProjection);
    return {
      owner: partyId,
      recordings: (byOwner.get(partyKey(accountId, partyId)) ?? [])
        .map((key) => recordings.get(key)!)
        .reverse(),
    };
  }

  @Get('parties/:partyId/diagnostics')
  @ApiOperation({
    summary:
      'R20: why a party can or cannot answer / pick up / place a call / join on a line, naming the rule',
  })
  @ApiQuery({ name: 'line', description: 'the shared number' })
  @ApiQuery({ name: 'action', enum: ACTIONS })
  @ApiQuery({ name: 'asOf', required: false, description: 'diagnose as of this $all commit position' })
  @ApiQuery({
    name: 'asOfTime',
    required: false,
    description:
      "diagnose as of this simulated time (ISO-8601); by default at the api's now: the virtual clock's time, " +
      "or the wall clock's in realtime mode",
  })
  async whyCannot(
    @Param('accountId') accountId: string,
    @Param('partyId') partyId: string,
    @Query('line') line?: string,
    @Query('action') action?: string,
    @Query('asOf') asOf?: string,
    @Query('asOfTime') asOfTime?: string,
  ) {
    if (!ACTIONS.includes(action as Action)) {
      throw new BadRequestException({
        code: 'INVALID_REQUEST',
        message: `action must be one of ${ACTIONS.join(', ')}`,
      });
    }
    const readModels = await this.readModels.at({ asOf, asOfTime });
    return whyCannot(
      readModels,
      validId(accountId, 'accountId'),
      validId(line, 'line'),
      validId(partyId, 'partyId'),
      action as Action,
      this.readModels.timeOf(readModels, { asOf, asOfTime }),
    );
  }
}
