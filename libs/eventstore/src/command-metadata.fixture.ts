import type { CommandMetadata } from './event-store.js';

/**
 * The metadata of a command `actor` gave on its own behalf, as a spec writes it: its id is its
 * correlation and causation id too (a command nothing else caused), and its simulated time a fixed
 * one unless it names another. No request digest unless it names one: as for a command no client
 * request carried.
 */
export const ownCommandMetadata = ({
  commandId,
  actor,
  simulatedTime = '2026-01-05T09:00:00.000Z',
  requestDigest,
}: {
  commandId: string;
  actor: string;
  simulatedTime?: string;
  requestDigest?: string;
}): CommandMetadata => ({
  $correlationId: commandId,
  $causationId: commandId,
  commandId,
  actor,
  onBehalfOf: null,
  permission: null,
  simulatedTime,
  ...(requestDigest === undefined ? {} : { requestDigest }),
});
