/** How the app writes numbers, times and durations: E.164 with its `+`, in the viewer's own locale. */

import { named, STEERS_DIRECTION } from '../../../libs/domain/src/shared/named.js';

/** Lines are addressed by digits and callers by E.164; people read `+` and the digits either way. */
export const phone = (number: string): string => (number.startsWith('+') ? number : `+${number}`);

/**
 * The stack's times are UTC and the viewer's browser may be anywhere: each time names the zone it is
 * shown in, so a time read off the page (an auditor's note, a screenshot) is one instant, not a guess.
 * `timeStyle` cannot be combined with `timeZoneName`, so the fields are named one by one.
 */
const TIME = { hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'short' } as const;
const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  ...TIME,
});
const timeOnly = new Intl.DateTimeFormat(undefined, TIME);

/** A time in the viewer's locale and time zone, named; today's times without the date. */
export const when = (iso: string, today: Date = new Date()): string => {
  const at = new Date(iso);
  return at.toDateString() === today.toDateString() ? timeOnly.format(at) : dateTime.format(at);
};

/**
 * The name of the viewer's time zone at a time (summer and winter may differ), as the times shown
 * name it: what a time typed into the page is read in.
 */
export const zoneName = (at: Date): string => {
  const valid = Number.isNaN(at.getTime()) ? new Date() : at;
  return timeOnly.formatToParts(valid).find((part) => part.type === 'timeZoneName')?.value ?? '';
};

/** "for 1 min 05 s": how long a lamp has been in its state, from the stack's clock. */
export const elapsed = (sinceIso: string, nowMs: number): string => {
  const seconds = Math.max(0, Math.floor((nowMs - Date.parse(sinceIso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
};

export const duration = (seconds: number | null): string =>
  seconds === null ? '' : seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;

/** Permission and reason ids as words: `pickUpHeldCalls` → "pick up held calls". */
export const words = (id: string): string =>
  id
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replaceAll('_', ' ')
    .toLowerCase();

/** A permission as a list of what a delegate may do says it: `optInOut` alone reads wrong as its words. */
export const permissionWords = (permission: string): string =>
  permission === 'optInOut' ? 'opt in and out' : words(permission);

/** A stream as people name it: `line-acme.15550100` is line +15550100, `account-acme` the account. */
export const streamWords = (stream: string): string => {
  const line = /^line-[^.]+\.(\d+)$/.exec(stream);
  if (line) return `line ${phone(line[1]!)}`;
  if (stream.startsWith('account-')) return 'the account';
  if (stream === 'clock-virtual') return 'the virtual clock';
  return stream;
};

/**
 * A name people typed (a party, an account, a line, a speed-dial key), or a server text carrying one,
 * set apart from what surrounds it: its right-to-left letters or direction overrides then cannot
 * reorder the text after it, such as the number after a line's name (`+15550100` shown as
 * `00105551+`). The same function sets names apart in the sentences the servers build, so a name
 * reads the same in both.
 */
export { named };

/**
 * A line's R11 label (`My number <name> · <number>`, or `<owner> · <name> · <number>` for a delegate),
 * worded by the read models; with its names set apart when either could reorder the number.
 */
export const lineLabel = (line: {
  readonly label: string;
  readonly role: string;
  readonly name: string | null;
  readonly number: string;
  readonly owner: { readonly name: string };
}): string => {
  if (!STEERS_DIRECTION.test(`${line.name ?? ''}${line.owner.name}`)) return line.label;
  const nameAndNumber =
    line.name === null ? phone(line.number) : `${named(line.name)} · ${phone(line.number)}`;
  return line.role === 'delegator'
    ? `My number ${nameAndNumber}`
    : `${named(line.owner.name)} · ${nameAndNumber}`;
};
