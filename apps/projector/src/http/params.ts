import { edgeSentenceOf, named, sentenceOf } from '#domain';
import {
  BadRequestException,
  createParamDecorator,
  ForbiddenException,
  NotFoundException,
  type ExecutionContext,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ID_PATTERN, ID_RULE } from '#events';
import {
  accountParty,
  accountsProjection,
  lineOwner,
  type AccountRow,
  shownNumber,
  type PartyRow,
  type ReadModels,
} from '#read-models';
import type { AsOf } from './read-models.service.js';

const asOfOf = (request: FastifyRequest): AsOf => {
  const { asOf, asOfTime } = request.query as AsOf;
  return { asOf, asOfTime };
};

/** A route's `asOf` and `asOfTime` queries (documented by AsOfQueries), as ReadModelsService.at takes them. */
export const AsOfQuery = createParamDecorator((_: unknown, context: ExecutionContext): AsOf =>
  asOfOf(context.switchToHttp().getRequest<FastifyRequest>()),
);

/** What a route answering a line as its viewer sees it is asked, each part as the request gave it. */
export interface LineViewQuery {
  readonly accountId: string;
  readonly number: string;
  readonly viewer: string | undefined;
  readonly asOf: AsOf;
}

/** A route's line (`:accountId/:number`), its `viewer` query and its AsOfQuery, read as one LineViewQuery. */
export const LineViewerQuery = createParamDecorator(
  (_: unknown, context: ExecutionContext): LineViewQuery => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const { accountId, number } = request.params as { accountId: string; number: string };
    const { viewer } = request.query as { viewer?: string };
    return { accountId, number, viewer, asOf: asOfOf(request) };
  },
);

/** A path or query value that is none of what `field` takes: malformed, naming the field and its rule. */
export const malformed = (field: string, rule: string): BadRequestException =>
  new BadRequestException({
    code: 'INVALID_REQUEST',
    message: `invalid request: ${field} ${rule}`,
    errors: [{ field, messages: [rule] }],
  });

/** Path and query ids follow the store's id rule: anything else is a client error, never a lookup. */
export const validId = (value: string | undefined, field: string): string => {
  if (value === undefined || !ID_PATTERN.test(value)) throw malformed(field, ID_RULE);
  return value;
};

/** The api's shape of a line number in a path (its PhoneNumberPipe): an optional "+" and 3-15 digits. */
const NUMBER_SHAPE = /^\+?[0-9]{3,15}$/;
const NUMBER_MESSAGE = 'must be a phone number: an optional "+" and 3-15 digits';

/**
 * A line's number as the api takes it, `+15550100` (E.164) or `15550100`, answered as its digits: lines
 * are keyed by digits (`+` is no stream-id character), so both spellings name the same line.
 */
export const lineNumber = (value: string | undefined, field = 'number'): string => {
  if (value === undefined || !NUMBER_SHAPE.test(value)) {
    throw new BadRequestException({
      code: 'INVALID_NUMBER',
      message: `${field} ${NUMBER_MESSAGE}; got ${JSON.stringify(value ?? null)}`,
      errors: [{ field, messages: [NUMBER_MESSAGE] }],
    });
  }
  return value.replace(/^\+/, '');
};

export const forbidden = (rule: string, reason: string): ForbiddenException =>
  new ForbiddenException({ code: 'NOT_VISIBLE_TO_VIEWER', rule, message: reason });

/** An account the read models know, else 404: an unknown account is not an account with nothing in it. */
export const knownAccount = (readModels: ReadModels, accountId: string): AccountRow => {
  const account = readModels.state(accountsProjection).accounts.get(validId(accountId, 'accountId'));
  if (!account) {
    throw new NotFoundException({
      code: 'ACCOUNT_NOT_FOUND',
      message: edgeSentenceOf('ACCOUNT_NOT_FOUND', { account: accountId }),
    });
  }
  return account;
};

/**
 * PARTY_NOT_FOUND's sentence: the account is named by its name, which people gave, so it is set apart
 * (see `named`) and cannot reorder the sentence around it.
 */
export const notAPartySentence = (party: string, account: { readonly name: string }): string =>
  edgeSentenceOf('PARTY_NOT_FOUND', { party, account: named(account.name) });

/** A party of a known account, else 404 (the account's first). */
export const knownParty = (readModels: ReadModels, accountId: string, partyId: string): PartyRow => {
  const account = knownAccount(readModels, accountId);
  const party = accountParty(readModels, accountId, validId(partyId, 'partyId'));
  if (!party) {
    throw new NotFoundException({
      code: 'PARTY_NOT_FOUND',
      message: notAPartySentence(partyId, account),
    });
  }
  return party;
};

/**
 * A shared line of a known account, answered as its digits, else 404 `LINE_NOT_FOUND` (R10: a shared line
 * is a party's direct number), as the api answers a command on it.
 */
export const knownLine = (readModels: ReadModels, accountId: string, number: string | undefined): string => {
  knownAccount(readModels, accountId);
  const digits = lineNumber(number);
  if (!lineOwner(readModels, accountId, digits)) {
    throw new NotFoundException({
      code: 'LINE_NOT_FOUND',
      rule: 'R10',
      message: sentenceOf('LINE_NOT_FOUND', { case: 'unowned', line: shownNumber(digits) }),
    });
  }
  return digits;
};
