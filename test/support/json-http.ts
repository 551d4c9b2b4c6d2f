/** An answer of the api or the projector as an end-to-end test reads it. */
export interface Answer {
  readonly status: number;
  /** The JSON body; `{}` when the body is empty or not JSON (the projector's /metrics is text). */
  readonly body: Record<string, unknown> & { position?: string };
  readonly text: string;
}

/** One request to a running app, with a JSON body when one is given. */
export const send = async (base: string, method: string, path: string, body?: object): Promise<Answer> => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const json = res.headers.get('content-type')?.startsWith('application/json') ?? false;
  return { status: res.status, body: text && json ? (JSON.parse(text) as Answer['body']) : {}, text };
};

/**
 * Requests to the app at `base()` (read when each is sent, so it can name an app a `beforeAll` starts):
 * `send`, and `ok`, which throws with the answer unless the app answered 2xx.
 */
export const requestsTo = (base: () => string) => {
  const api = (method: string, path: string, body?: object): Promise<Answer> =>
    send(base(), method, path, body);
  const ok = async (method: string, path: string, body?: object): Promise<Answer> => {
    const answer = await api(method, path, body);
    if (answer.status >= 300)
      throw new Error(`${method} ${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer;
  };
  return { api, ok };
};
