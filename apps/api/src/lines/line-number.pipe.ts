import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { PhoneNumberPipe } from '../shared/phone-number.pipe.js';

/**
 * A shared line's number as the api uses it: `e164` (`+` and digits) is how the account spells a
 * direct number (R1), `digits` is what goes into the stream name (`+` is not a stream-id character).
 */
export interface LineNumber {
  readonly e164: string;
  readonly digits: string;
}

export const lineNumberOf = (digits: string): LineNumber => ({ e164: `+${digits}`, digits });

/** Validates `:number` in a path (`+15550000001` or `15550000001`, else 400 INVALID_NUMBER) and normalises it. */
@Injectable()
export class LineNumberPipe implements PipeTransform<unknown, LineNumber> {
  private readonly shape = new PhoneNumberPipe();

  transform(value: unknown, metadata: ArgumentMetadata): LineNumber {
    const number = this.shape.transform(value, metadata);
    return lineNumberOf(number.startsWith('+') ? number.slice(1) : number);
  }
}
