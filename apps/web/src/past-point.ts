import { ISO_INSTANT, isIsoInstant, isLogPosition } from '../../../libs/events/src/instant.js';
import type { SeatsStart } from '../../projector/src/panel/seat-contract.js';
import type { PastPoint, Refusal } from './api.js';
import { when } from './format.js';

/** A point of time travel as the address writes it: `asOf=9112` or `asOfTime=2026-01-05T09:00:00Z`. */
export const pointWords = (point: PastPoint): string =>
  'asOf' in point ? `asOf=${point.asOf}` : `asOfTime=${point.asOfTime}`;

/** What a point of time travel may be, for a page handed one that is none. */
const ACCEPTED =
  'A view in the past is asOf=<a $all position: digits, as "As of position …" shows> or ' +
  "asOfTime=<a time with its zone, e.g. 2026-01-05T09:00:00Z>, up to the stack's clock.";

/** What a page whose address names a point it cannot show shows instead, and how to leave it. */
const LIVE_BELOW = 'What is shown below is live; Back to live takes the point out of the address.';

/**
 * Why an address's point is none the projector takes, in the sentence the page shows, or undefined when
 * it is one: checked as the projector checks it, so the page asks nothing it would refuse (a 400 the
 * browser logs as an error).
 */
export const malformedPoint = (
  point: PastPoint,
): { readonly code: string; readonly message: string } | undefined => {
  const taken = 'asOf' in point ? isLogPosition(point.asOf) : isIsoInstant(point.asOfTime);
  if (taken) return undefined;
  // A time of the right shape on a day past its month's end (2026-02-31) is said as such: the page
  // would otherwise read it as a day of the next month, as Date.parse does, and show another time.
  const noSuchDay = 'asOfTime' in point && ISO_INSTANT.test(point.asOfTime);
  return {
    code: 'INVALID_REQUEST',
    message: noSuchDay
      ? `${pointWords(point)} names no such day: ${point.asOfTime.slice(0, 10)} is not in the calendar. ${ACCEPTED} ${LIVE_BELOW}`
      : `${pointWords(point)} is no point of time travel. ${ACCEPTED} ${LIVE_BELOW}`,
  };
};

/**
 * Why nothing shows as of a time after the stack's clock (ms both): nothing has happened then yet,
 * and a view "as of" it would be today's lamps with durations run on to then, a state no one saw.
 * Both times in the viewer's zone, named, as the page writes every time.
 */
export const notComeYet = (then: number, stackNow: number): string =>
  `${when(new Date(then).toISOString())} has not come yet: the stack's clock is at ${when(new Date(stackNow).toISOString())}.`;

/**
 * Why an address's point (well formed) is none the projector shows, or undefined: a time after the
 * stack's clock, said by the page as its time field says it rather than asked of the projector (whose
 * 422 the browser logs as an error, and whose sentence writes both times in UTC).
 */
export const pointNotCome = (
  point: PastPoint,
  stackNow: number,
): { readonly code: string; readonly message: string } | undefined => {
  if (!('asOfTime' in point)) return undefined;
  const then = Date.parse(point.asOfTime);
  if (then <= stackNow) return undefined;
  return {
    code: 'AS_OF_TIME_NOT_REACHED',
    message: `${pointWords(point)}: ${notComeYet(then, stackNow)} ${LIVE_BELOW}`,
  };
};

/**
 * Why the seats cannot be shown as of `point`, in a sentence that names the point: the projector's own
 * answers name a field (`asOf must be …`) or say there is no account "(yet)", which read as a fault of
 * the page to someone who followed a link or stepped back before the seat's first event.
 * `fromAddress`: the point came with the address (a link, a reload, Back, Forward), which still holds it
 * while the live seats are shown below.
 */
export const travelRefusal = (
  point: PastPoint,
  error: Refusal,
  fromAddress: boolean,
): { readonly code: string; readonly message: string } => {
  const asked = pointWords(point);
  const said =
    error.status === 400
      ? `${asked} is no point of time travel: ${error.message}. ${ACCEPTED}`
      : error.code === 'ACCOUNT_NOT_FOUND' || error.code === 'PARTY_NOT_FOUND'
        ? `${asked} is before this seat's history starts: ${error.message} Pick a later point.`
        : error.code === 'AS_OF_TIME_NOT_REACHED'
          ? error.message
          : `The seats cannot be shown as of ${asked}: ${error.message}`;
  return {
    code: error.code,
    message: fromAddress ? `${said} ${LIVE_BELOW}` : said,
  };
};

/**
 * Whether `point` is before the seats' first event: no view of it shows them (the projector answers
 * their seats 404), so the page shows them as of that event instead. A time is before it when its view
 * stops short of it; while the projector cannot say from when it shows (`time` null), a time is asked
 * for as it is.
 */
export const isBeforeStart = (point: PastPoint, start: SeatsStart): boolean =>
  'asOf' in point
    ? BigInt(point.asOf) < BigInt(start.position)
    : start.time !== null && Date.parse(point.asOfTime) < Date.parse(start.time);

/** What a page shows above seats it shows as of their first event, asked for an earlier `point`. */
export const fromStartWords = (point: PastPoint, start: SeatsStart, room: boolean): string =>
  `${pointWords(point)} is before ${room ? "these seats' history starts" : "this seat's history starts"}: ` +
  `shown as of ${room ? 'their' : 'its'} first event (position ${start.position}), when ` +
  `${room ? 'the last of their parties' : 'its party'} joined the account.`;
