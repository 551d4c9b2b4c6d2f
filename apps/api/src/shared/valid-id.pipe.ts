import { Injectable } from '@nestjs/common';
import { ID_PATTERN, ID_RULE } from '#events';
import { PatternPipe } from './pattern.pipe.js';

/**
 * Validates an id taken from the path (`@Param('accountId', ValidIdPipe)`) before anything builds a
 * stream name from it: `$all`, `$$x`, `a/b`, `..`, `acme.x`, control characters or 65+ characters get
 * a 400 `INVALID_ID` naming the parameter, instead of reaching the store or another category.
 */
@Injectable()
export class ValidIdPipe extends PatternPipe {
  constructor() {
    super('INVALID_ID', ID_PATTERN, ID_RULE, 'id');
  }
}
