import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { ID_PATTERN, ID_RULE } from '#eventstore';

/** Path and query ids follow the store's id rule: anything else is a client error, never a lookup. */
export const validId = (value: string | undefined, field: string): string => {
  if (value === undefined || !ID_PATTERN.test(value)) {
    throw new BadRequestException({
      code: 'INVALID_REQUEST',
      message: `invalid request: ${field} ${ID_RULE}`,
      errors: [{ field, messages: [ID_RULE] }],
    });
  }
  return value;
};

export const forbidden = (rule: string, reason: string): ForbiddenException =>
  new ForbiddenException({ code: 'NOT_VISIBLE_TO_VIEWER', rule, message: reason });
