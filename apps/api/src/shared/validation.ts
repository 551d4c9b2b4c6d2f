import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

const flatten = (errors: readonly ValidationError[], prefix = ''): { field: string; messages: string[] }[] =>
  errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });

/**
 * Malformed input is answered with 400 and a message per field. Unknown properties are rejected, not
 * silently dropped: a typo in a permission name must not grant or remove something quietly.
 */
export const validationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new BadRequestException({
        code: 'INVALID_REQUEST',
        message: `invalid request: ${fields.map((f) => `${f.field} (${f.messages.join('; ')})`).join(', ')}`,
        errors: fields,
      });
    },
  });
