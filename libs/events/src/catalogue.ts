import { accountEventSchemaVersions, type AccountEvent } from './account.events.js';
import { clockEventSchemaVersions, type ClockEvent } from './clock.events.js';
import { lineEventSchemaVersions, lineEventUpcasters, type LineEvent } from './line.events.js';
import { dataChecks } from './data-schemas.js';
import { EventSchemaRegistry } from './schemas.js';

/** Every event Switchboard writes. */
export type SwitchboardEvent = AccountEvent | LineEvent | ClockEvent;

/** The one registry every reader and writer uses. */
export const eventSchemas = new EventSchemaRegistry(
  {
    ...accountEventSchemaVersions,
    ...lineEventSchemaVersions,
    ...clockEventSchemaVersions,
  },
  {
    ...lineEventUpcasters,
  },
  dataChecks,
);
