import type { Directory, PanelError, Seat, Steps } from '../../projector/src/panel/seat-contract.js';

/** A refused request: the reason code and sentence the api (or the projector) answered with. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly rule?: string,
  ) {
    super(message);
  }
}

const STACK_DOWN = 'STACK_UNAVAILABLE';

const refusalOf = async (response: Response): Promise<Refusal> => {
  const body = (await response.json().catch(() => ({}))) as Partial<PanelError> & { rule?: string };
  return new Refusal(
    response.status,
    body.code ?? `HTTP_${response.status}`,
    body.message ?? response.statusText,
    body.rule,
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

export const isStackDown = (error: unknown): boolean =>
  error instanceof Refusal && (error.code === STACK_DOWN || error.code === 'API_UNAVAILABLE');

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

/** The seat now, or (time travel) as of a `$all` position or a simulated time. */
export const loadSeat = (
  account: string,
  viewer: string,
  past: { readonly asOf?: string; readonly asOfTime?: string } = {},
): Promise<Seat> => request(`/panel/seat?${new URLSearchParams({ account, viewer, ...past })}`);

/** Time travel event by event: the account's events around a view as of `position`. */
export const loadSteps = (account: string, position: string): Promise<Steps> =>
  request(`/panel/steps?${new URLSearchParams({ account, position })}`);

/**
 * Every action is an api command with the viewer as actor. The page sends it to its own origin
 * (/panel/api/…), which the projector forwards to the api as is; always as JSON.
 */
export const command = (
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body: Record<string, unknown>,
): Promise<unknown> => {
  const correlationId = callCorrelationOf(path);
  return request(`/panel/api/${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(correlationId === undefined ? {} : { 'x-correlation-id': correlationId }),
    },
    body: JSON.stringify(body),
  });
};

const CALL_PATH = /^accounts\/([^/]+)\/lines\/([^/]+)\/calls\/([^/]+)(?:\/|$)/;

/**
 * An action on a call joins the call's flow, as the CLI's load runs and scenarios send it
 * (`call-<account>-<digits>-<call>`, libs/load's callCorrelationId): the call's events then share one
 * `$correlationId` whoever acted. Other actions start their own (the api uses their command id).
 */
const callCorrelationOf = (path: string): string | undefined => {
  const match = CALL_PATH.exec(path);
  if (!match) return undefined;
  const [, account, number, call] = match.map((part) => decodeURIComponent(part ?? ''));
  const id = `call-${account}-${number!.replace(/^\+/, '')}-${call}`;
  // Longer ids are hashed by the CLI; the page lets the api use the command id rather than guess.
  return id.length <= 64 ? id : undefined;
};

/** The api path of a line: the number keeps its `+`, encoded. */
export const linePath = (account: string, number: string): string =>
  `accounts/${encodeURIComponent(account)}/lines/${encodeURIComponent(number)}`;
