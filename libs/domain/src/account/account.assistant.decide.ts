import { refuse, refusal } from '../shared/domain-error.js';
import type { Authority } from '../shared/decider.js';
import { named } from '../shared/named.js';
import type * as C from './account.commands.js';
import {
  decidedOn,
  partyOf,
  requireAdmin,
  requireListEditor,
  requireSelfOrAdmin,
  stamped,
  type DecideOn,
  type DecideWithAuthority,
} from './account.decide.shared.js';
import { MAX_SPEED_DIALS_LIMIT, type ActiveAccount, type Party, type SpeedDial } from './account.state.js';
import { PHONE_NUMBER_PATTERN } from './account.values.js';

/** Fits a desk phone's key label and the panel's line key. */
export const MAX_LABEL_LENGTH = 40;
export const MAX_LINE_NAME_LENGTH = 40;

/** A character people see: not whitespace, a control character (Cc) or an invisible format one (Cf). */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}]/u;

/**
 * What no one-line name (a party's, a line's, a speed-dial label) may hold, as a regular expression's
 * character class: control characters (a newline, a tab, NUL), which no list or lamp can show, and the
 * bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what
 * follows the name on its line wherever it is shown ("answered by <name> on behalf of Alice" read
 * backwards on a seat, an audit trail or a CSV).
 */
export const NOT_IN_A_NAME = '\\p{Cc}\\u202A-\\u202E\\u2066-\\u2069';
const UNSHOWABLE = new RegExp(`[${NOT_IN_A_NAME}]`, 'u');

/**
 * A label or a line name is one line people read: blank when nothing in it is visible (`\u200b`,
 * `\u0000` and the like are as blank as spaces), and never holding a character NOT_IN_A_NAME.
 */
const isBlankOrLong = (text: string, max: number): boolean =>
  !VISIBLE.test(text) || UNSHOWABLE.test(text) || text.length > max;

/** R23: a name as people read it, so two that look the same are the same name. */
const readAs = (name: string): string =>
  name
    .normalize('NFC')
    .replace(/\p{Cf}/gu, '')
    .trim();

// ── Speed dials (R22) ────────────────────────────────────────────────────────────────────────────

/** R22: who edits (and dials from) the speed dials of `owner`. */
const requireSpeedDialEditor = (state: ActiveAccount, actor: string, owner: Party): Authority =>
  requireListEditor(
    state,
    actor,
    owner.id,
    'manageSpeedDials',
    refusal('ACTOR_NOT_ALLOWED', 'R22', { case: 'speedDialEditor', actor, owner: owner.id }),
  );

const entryOf = (owner: Party, entryId: string): SpeedDial =>
  owner.speedDials.find((entry) => entry.entryId === entryId) ??
  refuse('SPEED_DIAL_NOT_FOUND', 'R22', { owner: owner.id, entry: entryId });

/**
 * The entry a command edits (relabel, move, remove), once its editor may (R22): the owner, then the
 * actor's authority over its list, then the entry, so an actor who may not edit is refused as such
 * before any entry is looked up.
 */
const editedEntry = (
  state: ActiveAccount,
  command: { readonly actor: string; readonly ownerId: string; readonly entryId: string },
): {
  readonly owner: Party;
  readonly authority: Authority;
  readonly entry: SpeedDial;
  /** How the speed-dial events name the entry. */
  readonly key: { readonly ownerId: string; readonly entryId: string };
} => {
  const owner = partyOf(state, command.ownerId);
  const authority = requireSpeedDialEditor(state, command.actor, owner);
  const entry = entryOf(owner, command.entryId);
  return { owner, authority, entry, key: { ownerId: owner.id, entryId: entry.entryId } };
};

const requireFreeKey = (state: ActiveAccount, owner: Party, position: number, entryId: string): void => {
  if (!Number.isInteger(position) || position < 1 || position > state.maxSpeedDials)
    refuse('SPEED_DIAL_POSITION_OUT_OF_RANGE', 'R22', { position, limit: state.maxSpeedDials });
  const holder = owner.speedDials.find((entry) => entry.position === position);
  if (holder && holder.entryId !== entryId)
    refuse('SPEED_DIAL_POSITION_TAKEN', 'R22', { position, owner: owner.id, entry: holder.entryId });
};

const requireLabel = (label: string): void => {
  if (isBlankOrLong(label, MAX_LABEL_LENGTH))
    refuse('INVALID_SPEED_DIAL_LABEL', 'R22', { max: MAX_LABEL_LENGTH });
};

export const addSpeedDial: DecideWithAuthority<C.AddSpeedDial> = (command, state, { now }) => {
  const { entryId, label, number, position } = command;
  const owner = partyOf(state, command.ownerId);
  const authority = requireSpeedDialEditor(state, command.actor, owner);
  requireLabel(label);
  if (!PHONE_NUMBER_PATTERN.test(number)) refuse('INVALID_NUMBER', 'R22', { number });
  const existing = owner.speedDials.find((entry) => entry.entryId === entryId);
  if (existing) {
    // A resend of the same add changes nothing; a different entry under a taken id is refused.
    const same = existing.label === label && existing.number === number && existing.position === position;
    if (!same) refuse('SPEED_DIAL_ID_TAKEN', 'R22', { owner: owner.id, entry: entryId });
    return decidedOn(authority);
  }
  // Keys are positions 1…limit holding one entry each, so a free key within the limit is also room
  // under it: the size limit needs no count of its own.
  requireFreeKey(state, owner, position, entryId);
  const added = { ownerId: owner.id, entryId, label, number, position };
  return decidedOn(authority, stamped(command, now, 'SpeedDialAdded', added));
};

export const relabelSpeedDial: DecideWithAuthority<C.RelabelSpeedDial> = (command, state, { now }) => {
  const { authority, entry, key } = editedEntry(state, command);
  requireLabel(command.label);
  if (entry.label === command.label) return decidedOn(authority);
  return decidedOn(authority, stamped(command, now, 'SpeedDialRelabelled', { ...key, label: command.label }));
};

export const moveSpeedDial: DecideWithAuthority<C.MoveSpeedDial> = (command, state, { now }) => {
  const { owner, authority, entry, key } = editedEntry(state, command);
  requireFreeKey(state, owner, command.position, entry.entryId);
  if (entry.position === command.position) return decidedOn(authority);
  const moved = { ...key, fromPosition: entry.position, position: command.position };
  return decidedOn(authority, stamped(command, now, 'SpeedDialMoved', moved));
};

export const removeSpeedDial: DecideWithAuthority<C.RemoveSpeedDial> = (command, state, { now }) => {
  const { authority, key } = editedEntry(state, command);
  return decidedOn(authority, stamped(command, now, 'SpeedDialRemoved', key));
};

/**
 * R22: the limit bounds both how many keys a party fills and their highest position. Lowering it
 * under what a party uses is refused rather than silently hiding keys, so the list a party sees is
 * always within the limit.
 */
export const changeSpeedDialLimit: DecideOn<C.ChangeSpeedDialLimit> = (command, state, { now }) => {
  requireAdmin(state, command.actor, 'R22', 'change the speed-dial limit');
  const limit = command.maxSpeedDials;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SPEED_DIALS_LIMIT)
    refuse('INVALID_SPEED_DIAL_LIMIT', 'R22', { max: MAX_SPEED_DIALS_LIMIT });
  for (const party of state.parties.values())
    if (party.speedDials.some((entry) => entry.position > limit))
      refuse('SPEED_DIAL_LIMIT_BELOW_USE', 'R22', { owner: party.id, limit });
  if (limit === state.maxSpeedDials) return [];
  return [stamped(command, now, 'SpeedDialLimitChanged', { maxSpeedDials: limit })];
};

/**
 * R22: the number a speed-dial key dials, for `actor` pressing it. The call itself is then the very
 * `PlaceCallOnSharedLine` dialling that number would be, decided by the line (R10–R12): this only
 * says which number, and that the actor may use the list.
 */
export const speedDialNumber = (
  state: ActiveAccount,
  request: { readonly actor: string; readonly ownerId: string; readonly entryId: string },
): SpeedDial => {
  const owner = partyOf(state, request.ownerId);
  requireSpeedDialEditor(state, request.actor, owner);
  return entryOf(owner, request.entryId);
};

// ── Named shared lines (R23) ─────────────────────────────────────────────────────────────────────

export const nameLine: DecideOn<C.NameLine> = (command, state, { now }) => {
  const party = partyOf(state, command.partyId);
  requireSelfOrAdmin(state, command.actor, party.id, 'R23', `name the lines of ${party.id}`);
  if (!party.directNumbers.includes(command.number))
    refuse('LINE_NOT_FOUND', 'R23', { case: 'notOwn', line: command.number, party: party.id });
  // Kept without the spaces around it, which nobody sees.
  const name = command.name === null ? null : command.name.trim();
  if (name !== null) {
    if (isBlankOrLong(name, MAX_LINE_NAME_LENGTH))
      refuse('INVALID_LINE_NAME', 'R23', { max: MAX_LINE_NAME_LENGTH });
    for (const [number, other] of party.lineNames)
      if (number !== command.number && readAs(other) === readAs(name))
        refuse('LINE_NAME_TAKEN', 'R23', { party: party.id, line: number, name: named(other) });
  }
  if ((party.lineNames.get(command.number) ?? null) === name) return [];
  return [stamped(command, now, 'LineNamed', { partyId: party.id, number: command.number, name })];
};
