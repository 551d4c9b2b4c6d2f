import type {
  ApiStatus,
  Directory,
  PanelError,
  PendingTimers,
  Seat,
  SeatsStart,
  Steps,
} from '../../projector/src/panel/seat-contract.js';

/** A refused request: the reason code and sentence the api (or the projector) answered with. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly rule?: string,
    /** The request's fields a 400 names as invalid (`errors[].field`), for the page to mark where typed. */
    readonly fields: readonly string[] = [],
  ) {
    super(message);
  }
}

const STACK_DOWN = 'STACK_UNAVAILABLE';

const refusalOf = async (response: Response): Promise<Refusal> => {
  const body = (await response.json().catch(() => ({}))) as Partial<PanelError> & {
    rule?: string;
    errors?: readonly { readonly field?: unknown }[];
  };
  const fields = (Array.isArray(body.errors) ? body.errors : []).flatMap((error) =>
    typeof error?.field === 'string' ? [error.field] : [],
  );
  return new Refusal(
    response.status,
    body.code ?? `HTTP_${response.status}`,
    body.message ?? response.statusText,
    body.rule,
    fields,
  );
};

const request = async <T>(path: string, init?: RequestInit): Promise<T> => {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new Refusal(0, STACK_DOWN, 'The Switchboard stack is not answering. Start it with `npm start`.');
  }
  if (!response.ok) throw await refusalOf(response);
  return (await response.json()) as T;
};

/**
 * How long the page waits before asking a stack that did not answer again: the browser's own wait
 * before it opens a dropped event stream again, so a page and its stream come back together.
 */
export const STACK_RETRY_MS = 3_000;

/** Whether a refusal (or a refusal as shown) is the stack's not answering, not its saying no. */
export const isStackDown = (error: { readonly code: string } | undefined): boolean =>
  error !== undefined && (error.code === STACK_DOWN || error.code === 'API_UNAVAILABLE');

/**
 * Whether a refusal is the api's being away from the projector (not answering, or no address for it),
 * which the page's own connection, to the projector, does not tell.
 */
export const isApiAway = (error: { readonly code: string }): boolean =>
  error.code === 'API_UNAVAILABLE' || error.code === 'API_ADDRESS_NOT_SET';

/** Whether the projector reaches the api now; a projector not answering does not. */
export const apiAnswers = (): Promise<boolean> =>
  request<ApiStatus>('/panel/api-status').then(
    (status) => status.answering,
    () => false,
  );

/** The api's pending timers, as the projector asks for them; a projector not answering cannot ask. */
export const pendingTimers = (): Promise<PendingTimers> =>
  request<PendingTimers>('/panel/timers').catch((): PendingTimers => ({
    answering: false,
    pendingTimers: [],
  }));

/** A read-model query of the projector (same origin as the page). */
export const loadJson = <T>(path: string): Promise<T> => request(path);

let directory: Promise<Directory> | undefined;

/**
 * Every account and its parties. Kept for the tab's life, so moving between an account's seats and
 * rooms asks nothing again; `fresh` looks again (a party added since, or the landing page opened).
 */
export const loadDirectory = (fresh = false): Promise<Directory> => {
  if (fresh || !directory) {
    const loading = request<Directory>('/panel/directory');
    directory = loading;
    loading.catch(() => {
      if (directory === loading) directory = undefined;
    });
  }
  return directory;
};

/** A point of time travel: a `$all` position, or a simulated time (ISO-8601), as the projector takes them. */
export type PastPoint = { readonly asOf: string } | { readonly asOfTime: string };

/** The seat now, or (time travel) as of a `$all` position or a simulated time. */
export const loadSeat = (account: string, viewer: string, past?: PastPoint): Promise<Seat> =>
  request(`/panel/seat?${new URLSearchParams({ account, viewer, ...past })}`);

/**
 * Time travel event by event: the account's events around a view as of `position`, with no step back
 * from the event the seats of `viewers` start at (the projector knows where, and no view before it shows them).
 */
export const loadSteps = (account: string, position: string, viewers: readonly string[]): Promise<Steps> =>
  request(`/panel/steps?${new URLSearchParams({ account, position, viewers: viewers.join(',') })}`);

/** Where the seats of `viewers` start: the event that made the last of them a party, and its earliest time. */
export const loadSeatsStart = (account: string, viewers: readonly string[]): Promise<SeatsStart> =>
  request(`/panel/seats-start?${new URLSearchParams({ account, viewers: viewers.join(',') })}`);

/**
 * Every action is an api command with the viewer as actor. The page sends it to its own origin
 * (/panel/api/…), which the projector forwards to the api as is; always as JSON. A command on a call
 * carries the call's correlation id (`callCorrelationId`), and every command a command id of its own
 * (`Idempotency-Key`), sent again with it when its answer was lost (`unanswered`).
 */
export const command = async (
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body: Record<string, unknown>,
): Promise<unknown> => {
  const asked = `${method} ${path} ${JSON.stringify(body)}`;
  const earlier = unanswered.get(asked);
  const resent = earlier && Date.now() - earlier.since < RESEND_WITHIN_MS ? earlier : undefined;
  const sent = resent?.callId === undefined ? body : { ...body, callId: resent.callId };
  const call = (method === 'POST' ? placementOf(path, sent) : undefined) ?? actionOnCallOf(path);
  const correlationId = call && (await callCorrelationId(call));
  const commandId = resent?.commandId ?? `panel-${randomHex()}`;
  try {
    const answer = await request(`/panel/api/${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'idempotency-key': commandId,
        ...(correlationId === undefined ? {} : { 'x-correlation-id': correlationId }),
      },
      body: JSON.stringify(call?.placed ? { ...sent, callId: call.callId } : sent),
    });
    unanswered.delete(asked);
    return answer;
  } catch (error) {
    if (error instanceof Refusal && ANSWER_LOST.has(error.status)) {
      const callId = call?.placed ? call.callId : undefined;
      unanswered.set(asked, { commandId, callId, since: resent?.since ?? Date.now() });
    } else {
      unanswered.delete(asked);
    }
    throw error;
  }
};

/**
 * Commands whose answer never came, by what was asked: the stack did not answer (0), or the projector
 * or the api said the api did not (502, 503, 504). The api may have taken such a command all the same,
 * so the same action asked again is sent with the same command id, and a placement with the same call
 * id: the api then answers with the first outcome instead of placing, ringing or holding twice. Kept
 * well inside the api's idempotency window (15 minutes by default), past which it would decide again.
 */
const unanswered = new Map<
  string,
  { readonly commandId: string; readonly callId?: string; readonly since: number }
>();
const ANSWER_LOST: ReadonlySet<number> = new Set([0, 502, 503, 504]);
const RESEND_WITHIN_MS = 10 * 60_000;

/** The call a command is about: its account, its line's number and its id. */
interface CallOfCommand {
  readonly account: string;
  readonly number: string;
  readonly callId: string;
  /** The command places the call. */
  readonly placed: boolean;
}

const LINE_CALLS = /^accounts\/([^/]+)\/lines\/([^/]+)\/(?:calls|incoming-calls)$/;
const SPEED_DIAL_CALLS = /^accounts\/([^/]+)\/.*\/speed-dials\/[^/]+\/calls$/;
const ON_CALL = /^accounts\/([^/]+)\/lines\/([^/]+)\/calls\/([^/]+)(?:\/|$)/;

/**
 * Placing a call (on a line, or from a speed dial with the line in the body) or an outside caller's
 * call to a line starts the call's flow, so the page names the call rather than leave that to the api:
 * the command then carries the same correlation id as every later command on the call.
 */
const placementOf = (path: string, body: Record<string, unknown>): CallOfCommand | undefined => {
  const callId = typeof body.callId === 'string' ? body.callId : newCallId();
  const onLine = LINE_CALLS.exec(path);
  if (onLine) {
    return {
      account: decodeURIComponent(onLine[1]!),
      number: decodeURIComponent(onLine[2]!),
      callId,
      placed: true,
    };
  }
  const fromSpeedDial = SPEED_DIAL_CALLS.exec(path);
  if (fromSpeedDial && typeof body.line === 'string') {
    return { account: decodeURIComponent(fromSpeedDial[1]!), number: body.line, callId, placed: true };
  }
  return undefined;
};

const actionOnCallOf = (path: string): CallOfCommand | undefined => {
  const match = ON_CALL.exec(path);
  if (!match) return undefined;
  const [account, number, callId] = match.slice(1).map((part) => decodeURIComponent(part ?? ''));
  return { account: account!, number: number!, callId: callId!, placed: false };
};

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

/** 16 random hex digits: after a prefix, within the api's id rule, and no two of a person's commands alike. */
const randomHex = (): string => hex(crypto.getRandomValues(new Uint8Array(8)));

const newCallId = (): string => `call-${randomHex()}`;

/**
 * The call's flow id as the CLI's load runs and scenarios send it (`call-<account>-<digits>-<call>`,
 * libs/load's callCorrelationId, SHA-256-hashed beyond 64 characters): the call's events then share one
 * `$correlationId` whoever acted. Other commands start their own (the api uses their command id).
 * `crypto.subtle` exists only in a secure context; elsewhere a long id is left to the api.
 */
const callCorrelationId = async ({ account, number, callId }: CallOfCommand): Promise<string | undefined> => {
  const readable = `call-${account}-${number.replace(/^\+/, '')}-${callId}`;
  if (readable.length <= 64) return readable;
  if (!globalThis.crypto?.subtle) return undefined;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(readable));
  return `call-${hex(new Uint8Array(digest)).slice(0, 40)}`;
};

/** The api path of a line: the number keeps its `+`, encoded. */
export const linePath = (account: string, number: string): string =>
  `accounts/${encodeURIComponent(account)}/lines/${encodeURIComponent(number)}`;
