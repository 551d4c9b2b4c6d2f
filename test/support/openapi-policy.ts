import { rawRequest, type RawAnswer } from './raw-http.js';

/** An OpenAPI document as served at `/docs-json`: only what the request-policy checks read. */
interface ServedDocument {
  readonly paths: Record<string, Record<string, { readonly responses?: Record<string, unknown> }>>;
}

const COMMAND_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/**
 * Every operation of a served document with the request policy's answers it lacks (421 and 403 on
 * all, 415 on commands), as `METHOD path: status`, and how many commands it holds.
 */
export const policyAnswersMissing = (
  document: ServedDocument,
): { missing: string[]; operations: number; commands: number } => {
  const missing: string[] = [];
  let operations = 0;
  let commands = 0;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      operations++;
      const command = COMMAND_METHODS.has(method);
      if (command) commands++;
      const documented = new Map(Object.entries(operation.responses ?? {}));
      for (const status of command ? ['421', '403', '415'] : ['421', '403'])
        if (!documented.has(status)) missing.push(`${method.toUpperCase()} ${path}: ${status}`);
    }
  }
  return { missing, operations, commands };
};

/** The OpenAPI document an app at `url` serves at /docs-json, asked under the name it answers to. */
export const servedDocument = (url: string): Promise<RawAnswer> =>
  rawRequest(url, { path: '/docs-json', headers: { host: `127.0.0.1:${new URL(url).port}` } });

/**
 * The app at `url` documents its request policy on every operation (421 and 403, and 415 on every
 * command), and serves more than `moreOperationsThan` operations, commands among them.
 */
export async function expectPolicyDocumented(url: string, moreOperationsThan: number): Promise<void> {
  const served = await servedDocument(url);
  expect(served.status).toBe(200);
  const { missing, operations, commands } = policyAnswersMissing(served.body);
  expect(missing).toEqual([]);
  expect(operations).toBeGreaterThan(moreOperationsThan);
  expect(commands).toBeGreaterThan(0);
}
