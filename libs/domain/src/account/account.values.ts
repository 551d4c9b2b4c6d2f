import { PERMISSIONS, type BusinessHours, type Permission, type Weekday } from '#events';

/** R6: a delegation without one of these lets the delegate do nothing on the shared lines. */
export const CORE_PERMISSIONS: readonly Permission[] = ['placeCalls', 'answerCalls', 'pickUpHeldCalls'];

/** R5: permissions that are VIP delegation features, available only with the delegator's Power Pack. */
export const VIP_PERMISSIONS: readonly Permission[] = ['manageVipContacts', 'vipOnly'];

export const isPermission = (value: string): value is Permission =>
  (PERMISSIONS as readonly string[]).includes(value);

/** Deduplicated, in canonical order, so equal sets compare equal and events read the same. */
export const canonicalPermissions = (permissions: readonly Permission[]): Permission[] =>
  PERMISSIONS.filter((permission) => permissions.includes(permission));

/**
 * Direct numbers and caller numbers in E.164 (`+` and 7–15 digits): one spelling per number, so R1's
 * uniqueness and R19's VIP matching compare exactly.
 */
export const PHONE_NUMBER_PATTERN = /^\+[1-9][0-9]{6,14}$/;

export const VERSION_PATTERN = /^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$/;

/** Numeric, segment by segment (`6.10` > `6.9`); missing segments count as 0. */
export const compareVersions = (a: string, b: string): number => {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
};

const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const CLOCK_TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;
const MAX_UTC_OFFSET_MINUTES = 14 * 60;

const minutesOf = (clock: string): number => {
  const [hours = 0, minutes = 0] = clock.split(':').map(Number);
  return hours * 60 + minutes;
};

/** Why the hours are malformed, or `null` when they are well-formed. */
export const businessHoursProblem = (hours: BusinessHours): string | null => {
  if (!Number.isInteger(hours.utcOffsetMinutes) || Math.abs(hours.utcOffsetMinutes) > MAX_UTC_OFFSET_MINUTES)
    return `utcOffsetMinutes must be a whole number between -${MAX_UTC_OFFSET_MINUTES} and ${MAX_UTC_OFFSET_MINUTES}`;
  for (const window of hours.windows) {
    if (!WEEKDAYS.includes(window.day)) return `"${window.day}" is not a weekday (use mon … sun)`;
    if (!CLOCK_TIME.test(window.from) || !CLOCK_TIME.test(window.to))
      return `window times must be HH:MM (24-hour, "24:00" for end of day), got ${window.from}–${window.to}`;
    if (minutesOf(window.from) >= minutesOf(window.to))
      return `a window must start before it ends, got ${window.day} ${window.from}–${window.to}`;
  }
  return null;
};

/** R13: whether `at` (ISO-8601) falls inside one of the weekly windows, in the hours' local time. */
export const isWithinBusinessHours = (hours: BusinessHours, at: string): boolean => {
  const local = new Date(Date.parse(at) + hours.utcOffsetMinutes * 60_000);
  const day = WEEKDAYS[local.getUTCDay()];
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  return hours.windows.some(
    (window) => window.day === day && minutesOf(window.from) <= minute && minute < minutesOf(window.to),
  );
};
