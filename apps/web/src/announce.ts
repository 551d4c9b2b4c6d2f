import type { Lamp, Seat } from '../../projector/src/panel/seat-contract.js';
import { lineLabel, named, phone } from './format.js';

const lampWords = (lamp: Lamp): string => {
  switch (lamp.state) {
    case 'idle':
      return 'idle';
    case 'ringing':
      return `ringing from ${phone(lamp.from)}`;
    case 'busy':
      return lamp.transferringTo !== null ? 'transferring' : 'busy';
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
  const was = new Map(before.lines.map((line) => [line.number, lampWords(line.lamp)]));
  const whose = inRoom ? `${named(after.viewer.name)}: ` : '';
  return after.lines.flatMap((line) => {
    const now = lampWords(line.lamp);
    return was.has(line.number) && was.get(line.number) !== now
      ? [`${whose}${lineLabel(line)} is ${now}.`]
      : [];
  });
};
