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
