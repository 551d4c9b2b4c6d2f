import { clockEventSchemaVersions } from './clock.events.js';
import { EventSchemaRegistry } from './schemas.js';

/** The one registry every reader and writer uses. */
export const eventSchemas = new EventSchemaRegistry({ ...clockEventSchemaVersions });
