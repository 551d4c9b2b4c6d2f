import type { Lamp, Seat } from '../../projector/src/panel/seat-contract.js';
import { lineLabel, named, phone } from './format.js';

/**
 * A lamp in words, for `viewer`: whether a ringing call or a transfer is for the viewer is what it
 * must act on, and a call starting to ring for it (a VIP call escalating to the delegates) is news.
 */
const lampWords = (lamp: Lamp, viewer: string): string => {
  switch (lamp.state) {
    case 'idle':
      return 'idle';
    case 'ringing':
      return `ringing from ${phone(lamp.from)}${lamp.youAreAlerted ? ' for you' : ''}`;
    case 'busy':
      return lamp.transferringTo === null
        ? 'busy'
        : lamp.transferringTo === viewer
          ? 'transferring to you'
          : 'transferring';
    case 'held':
      return 'on hold';
    case 'occupied':
      return "busy with a call of the number's previous owner";
  }
};

/**
 * What a screen reader is told when a seat's lamps change: one sentence per line whose lamp changed
 * state (not each second of its timer), named as the seat names it, and in a room, whose seat it is.
 */
export const lampChanges = (before: Seat | undefined, after: Seat, inRoom: boolean): string[] => {
  if (!before) return [];
  const viewer = after.viewer.partyId;
  const was = new Map(before.lines.map((line) => [line.number, lampWords(line.lamp, viewer)]));
  const whose = inRoom ? `${named(after.viewer.name)}: ` : '';
  return after.lines.flatMap((line) => {
    const now = lampWords(line.lamp, viewer);
    return was.has(line.number) && was.get(line.number) !== now
      ? [`${whose}${lineLabel(line)} is ${now}.`]
      : [];
  });
};
