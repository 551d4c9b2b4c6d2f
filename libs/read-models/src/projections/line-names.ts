import { accountIdOf, lineKey, type LineNamed, type PartyDirectNumbersChanged } from '#events';
import type { StoredEvent } from '#eventstore';
import { ACCOUNT_EVENTS_IRRELEVANT } from './catalogue.js';

/**
 * R23: the name of every named line as the log has it so far, by line key, with the party that owns
 * it. Projections that start a row for a call or a message copy the name in at that moment, so a
 * history entry keeps the name its call was placed under and a later rename changes only what comes
 * after (replays see the account's events in the same `$all` order, so they copy the same names).
 */
export type LineNames = Map<string, { readonly partyId: string; readonly name: string }>;

const keyOf = (stored: StoredEvent, number: string): string =>
  lineKey(accountIdOf(stored.stream), number.replace(/^\+/, ''));

export const applyLineNamed = (names: LineNames, stored: StoredEvent<LineNamed>): void => {
  const { partyId, number, name } = stored.event.data;
  if (name === null) names.delete(keyOf(stored, number));
  else names.set(keyOf(stored, number), { partyId, name });
};

/** A number its owner gives up loses its name, as in the domain. */
export const applyDirectNumbersChanged = (
  names: LineNames,
  stored: StoredEvent<PartyDirectNumbersChanged>,
): void => {
  const { partyId, directNumbers } = stored.event.data;
  const kept = new Set(directNumbers.map((number) => keyOf(stored, number)));
  for (const [key, line] of names) if (line.partyId === partyId && !kept.has(key)) names.delete(key);
};

/** The name of the line `key` now, `null` when unnamed. */
export const lineNameOf = (names: LineNames, key: string): string | null => names.get(key)?.name ?? null;

/**
 * The account-event handlers of a projection that copies line names into its rows (state
 * `lineNames`): of the account events it follows only those that name or unname a line.
 */
export const accountEventsNamingLines = <S extends { lineNames: LineNames }>() => ({
  ...ACCOUNT_EVENTS_IRRELEVANT,
  LineNamed: (state: S, stored: StoredEvent<LineNamed>) => applyLineNamed(state.lineNames, stored),
  PartyDirectNumbersChanged: (state: S, stored: StoredEvent<PartyDirectNumbersChanged>) =>
    applyDirectNumbersChanged(state.lineNames, stored),
});
