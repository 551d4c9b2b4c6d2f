import type { ApiClient, CommandResult } from './api-client.js';

/** What an api answers a command it took: 200 with no events to wait for. */
const TAKEN: CommandResult = {
  status: 200,
  ok: true,
  code: undefined,
  message: undefined,
  position: undefined,
  body: {},
};

/**
 * An api that takes every command at once, for a spec of the runner alone: no sockets, no stack.
 * `onSend` is told of each command as it is sent, before its answer settles.
 */
export const instantApi = (onSend: () => void = () => undefined): ApiClient =>
  ({
    send: (): Promise<CommandResult> => {
      onSend();
      return Promise.resolve(TAKEN);
    },
  }) as unknown as ApiClient;
