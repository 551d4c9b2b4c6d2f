import { splitLineKey } from '#events';
import type { ReadModels } from '../engine/read-models.js';
import { accountsProjection, type SpeedDialRow } from '../projections/accounts.projection.js';
import { callsProjection } from '../projections/calls.projection.js';
import { accountParty, lineOwner } from './access.js';
import { currentLineName } from './line-views.js';
import type { Presence, SpeedDialTarget } from './view-types.js';

export type { Presence, SpeedDialTarget };

export interface SpeedDialView extends SpeedDialRow {
  readonly target: SpeedDialTarget;
}

export interface SpeedDialList {
  readonly accountId: string;
  readonly ownerId: string;
  readonly ownerName: string;
  /** The account setting: keys are positions 1…maxSpeedDials. */
  readonly maxSpeedDials: number;
  readonly entries: readonly SpeedDialView[];
}

/** Parties on a call, or owning a line a call occupies, across the account's lines (ringing calls aside). */
const busyParties = (readModels: ReadModels, accountId: string): Set<string> => {
  const { lines, calls } = readModels.state(callsProjection);
  const busy = new Set<string>();
  for (const [key, line] of lines) {
    if (splitLineKey(key).accountId !== accountId) continue;
    for (const callKey of line.live) {
      const call = calls.get(callKey)!.live!;
      if (call.phase === 'ringing') continue;
      for (const party of call.parties) busy.add(party);
      if (call.hold) busy.add(call.hold.by);
      const owner = lineOwner(readModels, accountId, splitLineKey(key).number);
      if (owner) busy.add(owner.partyId);
    }
  }
  return busy;
};

/** A party's speed-dial keys in key order, each internal one with its party's BLF presence (R22, R23). */
export const speedDialList = (
  readModels: ReadModels,
  accountId: string,
  ownerId: string,
): SpeedDialList | undefined => {
  const account = readModels.state(accountsProjection).accounts.get(accountId);
  const owner = accountParty(readModels, accountId, ownerId);
  if (!account || !owner) return undefined;
  const busy = busyParties(readModels, accountId);
  const entries = owner.speedDials.map((entry): SpeedDialView => {
    const party = lineOwner(readModels, accountId, entry.number);
    return {
      ...entry,
      target: party
        ? {
            kind: 'internal',
            partyId: party.partyId,
            partyName: party.name,
            lineName: currentLineName(party, entry.number),
            presence: busy.has(party.partyId) ? 'busy' : 'idle',
          }
        : { kind: 'external' },
    };
  });
  return {
    accountId,
    ownerId,
    ownerName: owner.name,
    maxSpeedDials: account.maxSpeedDials,
    entries,
  };
};
