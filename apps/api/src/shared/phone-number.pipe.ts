import { Injectable } from '@nestjs/common';
import { PatternPipe } from './pattern.pipe.js';

/**
 * The shape of a phone number at the edge: an optional "+" and 3-15 digits. The domain then insists on
 * E.164 and answers with its own reason code (R1), so this only keeps garbage out of the commands.
 */
export const NUMBER_SHAPE = /^\+?[0-9]{3,15}$/;
export const NUMBER_MESSAGE = 'must be a phone number: an optional "+" and 3-15 digits';

/** Validates a phone number taken from the path (`@Param('number', PhoneNumberPipe)`): 400 `INVALID_NUMBER`. */
@Injectable()
export class PhoneNumberPipe extends PatternPipe {
  constructor() {
    super('INVALID_NUMBER', NUMBER_SHAPE, NUMBER_MESSAGE, 'number');
  }
}
