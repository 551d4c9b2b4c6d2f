import { BadRequestException, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

/**
 * A path parameter that must match a pattern before anything uses it. Ids and phone numbers are
 * refused alike: a 400 with the pipe's code, naming the parameter and its rule, so each pipe says
 * only what it checks.
 */
export abstract class PatternPipe implements PipeTransform<unknown, string> {
  protected constructor(
    private readonly code: string,
    private readonly pattern: RegExp,
    private readonly rule: string,
    /** The field named when the parameter has no name. */
    private readonly unnamed: string,
  ) {}

  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && this.pattern.test(value)) return value;
    const field = metadata.data ?? this.unnamed;
    const message = `${field} ${this.rule}`;
    throw new BadRequestException({
      code: this.code,
      message: `${message}; got ${JSON.stringify(value)}`,
      errors: [{ field, messages: [message] }],
    });
  }
}
