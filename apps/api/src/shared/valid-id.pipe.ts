import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ID_PATTERN, ID_RULE } from '#events';

/**
 * Validates an id taken from the path (`@Param('accountId', ValidIdPipe)`) before anything builds a
 * stream name from it: `$all`, `$$x`, `a/b`, `..`, `acme.x`, control characters or 65+ characters get
 * a 400 `INVALID_ID` naming the parameter, instead of reaching the store or another category.
 */
@Injectable()
export class ValidIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && ID_PATTERN.test(value)) return value;
    const field = metadata.data ?? 'id';
    const message = `${field} ${ID_RULE}`;
    throw new BadRequestException({
      code: 'INVALID_ID',
      message: `${message}; got ${JSON.stringify(value)}`,
      errors: [{ field, messages: [message] }],
    });
  }
}
