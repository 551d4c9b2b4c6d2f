import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { speedDialList } from '#read-models';
import { AsOfQuery, knownParty, validId } from './params.js';
import { ReadModelsService, type AsOf } from './read-models.service.js';
import { AsOfQueries, QueryAnswer, QueryRefusals } from './route-docs.js';

const SPEED_DIALS_EXAMPLE = {
  accountId: 'acme',
  ownerId: 'alice',
  ownerName: 'Alice',
  maxSpeedDials: 24,
  position: '1841',
  entries: [
    {
      entryId: 'bob',
      label: 'Bob',
      number: '+15550000002',
      position: 1,
      target: {
        kind: 'internal',
        partyId: 'bob',
        partyName: 'Bob',
        lineName: 'Desk',
        presence: 'busy',
      },
    },
    {
      entryId: 'travel',
      label: 'Travel desk',
      number: '+15558880001',
      position: 2,
      target: { kind: 'external' },
    },
  ],
};

/** A party's speed-dial keys (R22) with the BLF presence of internal parties and line names (R23). */
@ApiTags('accounts')
@Controller('accounts/:accountId/parties/:partyId/speed-dials')
export class SpeedDialsController {
  constructor(private readonly readModels: ReadModelsService) {}

  @Get()
  @ApiOperation({
    summary:
      "A party's speed dials in key order (R22): label, number, position; internal parties with their " +
      'name, the line name (R23) and BLF presence (busy/idle)',
  })
  @AsOfQueries('answer')
  @QueryAnswer(
    'The keys in order, each internal target with its name, line name and presence',
    SPEED_DIALS_EXAMPLE,
  )
  @QueryRefusals({ asOf: true, edge: ['ACCOUNT_NOT_FOUND', 'PARTY_NOT_FOUND'] })
  async list(
    @Param('accountId') accountId: string,
    @Param('partyId') partyId: string,
    @AsOfQuery() query: AsOf,
  ) {
    validId(accountId, 'accountId');
    validId(partyId, 'partyId');
    const readModels = await this.readModels.at(query, this.readModels.scopeOf(accountId));
    // An unknown account is ACCOUNT_NOT_FOUND, as on every route naming one, not a party missing from it.
    knownParty(readModels, accountId, partyId);
    const list = speedDialList(readModels, accountId, partyId)!;
    return { ...list, position: String(readModels.position ?? 0n) };
  }
}
