import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CALL_ACTIONS, type CallAction } from '#domain';
import {
  accountDelegations,
  activationRefusalsOf,
  type Action,
  type DelegationRow,
  newestFirst,
  partyHistory,
  partyKey,
  partyHistoryAccess,
  partyName,
  recordingsProjection,
  whyCannot,
} from '#read-models';
import { AsOfQuery, forbidden, knownAccount, knownParty, lineNumber, malformed, validId } from './params.js';
import { ReadModelsService, type AsOf } from './read-models.service.js';
import { ANSWER_EXAMPLES } from './answer-examples.js';
import { AsOfQueries, DiagnosisRoute, QueryAnswer, QueryRefusals } from './route-docs.js';

const ACTIONS: readonly Action[] = [
  'answer',
  'pickUp',
  'placeCall',
  'join',
  'merge',
  ...(Object.keys(CALL_ACTIONS) as CallAction[]),
];

@ApiTags('accounts')
@Controller('accounts/:accountId')
export class AccountsController {
  constructor(private readonly readModels: ReadModelsService) {}

  @Get('roster')
  @ApiOperation({
    summary: 'Delegation roster of the account per delegator and per delegate, with status and permissions',
  })
  @AsOfQueries()
  @QueryAnswer('The roster, grouped by delegator and by delegate', ANSWER_EXAMPLES.roster)
  @QueryRefusals({ asOf: true, edge: ['ACCOUNT_NOT_FOUND'] })
  async roster(@Param('accountId') accountId: string, @AsOfQuery() query: AsOf) {
    const readModels = await this.readModels.at(query, this.readModels.scopeOf(accountId));
    const account = knownAccount(readModels, accountId);
    const rows = accountDelegations(readModels, accountId);
    const refusalOf = activationRefusalsOf(readModels, accountId);
    const entry = (d: DelegationRow) => ({
      ...d,
      delegatorName: partyName(readModels, accountId, d.delegatorId),
      delegateName: partyName(readModels, accountId, d.delegateId),
      activationRefused: refusalOf(d.delegationId),
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
  @QueryAnswer("The party's delegations in both roles", ANSWER_EXAMPLES.partyRoster)
  @QueryRefusals({ edge: ['INVALID_REQUEST', 'ACCOUNT_NOT_FOUND', 'PARTY_NOT_FOUND'] })
  partyRoster(@Param('accountId') accountId: string, @Param('partyId') partyId: string) {
    const readModels = this.readModels.projector.readModels;
    const party = knownParty(readModels, accountId, partyId);
    const refusalOf = activationRefusalsOf(readModels, accountId);
    const rows = accountDelegations(readModels, accountId).map((d) => ({
      ...d,
      activationRefused: refusalOf(d.delegationId),
    }));
    return {
      partyId,
      name: party.name,
      asDelegator: rows.filter((d) => d.delegatorId === partyId),
      asDelegate: rows.filter((d) => d.delegateId === partyId),
    };
  }

  @Get('parties/:partyId/history')
  @ApiOperation({
    summary:
      'Calls a party took part in, newest first, with the history labels (R17): for the party itself, or ' +
      'for a party sharing lines with it through an active delegation, who sees the calls on the lines it ' +
      'may see and those it took part in',
  })
  @ApiQuery({ name: 'viewer', description: 'party id of whoever looks at the history' })
  @AsOfQueries()
  @QueryAnswer("The party's calls the viewer may see", ANSWER_EXAMPLES.partyHistory)
  @QueryRefusals({ asOf: true, edge: ['ACCOUNT_NOT_FOUND', 'PARTY_NOT_FOUND', 'NOT_VISIBLE_TO_VIEWER'] })
  async history(
    @Param('accountId') accountId: string,
    @Param('partyId') partyId: string,
    @AsOfQuery() query: AsOf,
    @Query('viewer') viewer?: string,
  ) {
    validId(accountId, 'accountId');
    validId(partyId, 'partyId');
    validId(viewer, 'viewer');
    const readModels = await this.readModels.at(query, this.readModels.scopeOf(accountId));
    knownParty(readModels, accountId, partyId);
    const access = partyHistoryAccess(readModels, accountId, partyId, viewer!);
    if (!access.allowed) throw forbidden(access.rule, access.reason);
    return {
      partyId,
      viewerRole: access.role,
      position: String(readModels.position ?? 0n),
      calls: partyHistory(readModels, accountId, partyId, viewer!),
    };
  }

  @Get('parties/:partyId/recordings')
  @ApiOperation({ summary: 'Recordings a party started; visible only to that party (R18)' })
  @ApiQuery({ name: 'viewer', description: 'must be the owner' })
  @QueryAnswer('The recordings the party started', ANSWER_EXAMPLES.recordings)
  @QueryRefusals({
    edge: ['INVALID_REQUEST', 'ACCOUNT_NOT_FOUND', 'PARTY_NOT_FOUND', 'NOT_VISIBLE_TO_VIEWER'],
  })
  recordings(
    @Param('accountId') accountId: string,
    @Param('partyId') partyId: string,
    @Query('viewer') viewer?: string,
  ) {
    validId(accountId, 'accountId');
    if (validId(viewer, 'viewer') !== validId(partyId, 'partyId')) {
      throw forbidden('R18', `recordings are visible only to the party who started them, not to ${viewer}`);
    }
    const readModels = this.readModels.projector.readModels;
    knownParty(readModels, accountId, partyId);
    const { byOwner, recordings } = readModels.state(recordingsProjection);
    return {
      owner: partyId,
      recordings: newestFirst(recordings, byOwner.get(partyKey(accountId, partyId))),
    };
  }

  @Get('parties/:partyId/diagnostics')
  @DiagnosisRoute({
    summary:
      'R20: why a party can or cannot answer / pick up / place a call / join / merge on a line, or decline, ' +
      'hold (locked), resume, lock, transfer, record or hang up its call in progress, naming the rule',
    queries: [
      { name: 'line', description: 'the shared number' },
      { name: 'action', enum: ACTIONS },
    ],
    asOf: [
      'diagnose',
      "; by default at the api's now: the virtual clock's time, or the wall clock's in realtime mode",
    ],
    answer: 'Whether the party can, and the rule that decides it, in a sentence',
    example: ANSWER_EXAMPLES.whyCannot,
  })
  async whyCannot(
    @Param('accountId') accountId: string,
    @Param('partyId') partyId: string,
    @AsOfQuery() query: AsOf,
    @Query('line') line?: string,
    @Query('action') action?: string,
  ) {
    if (!ACTIONS.includes(action as Action)) {
      throw malformed('action', `must be one of ${ACTIONS.join(', ')}`);
    }
    const readModels = await this.readModels.at(query, this.readModels.scopeOf(accountId, line));
    // A diagnosis names R1 for an unknown party and R10 for an unknown line itself (R20); an unknown
    // account is no account to ask about.
    knownAccount(readModels, accountId);
    return whyCannot(
      readModels,
      accountId,
      lineNumber(line, 'line'),
      validId(partyId, 'partyId'),
      action as Action,
      this.readModels.timeOf(readModels, query),
    );
  }
}
