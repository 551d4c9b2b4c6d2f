import { createHash } from 'node:crypto';
import type { InviteDelegate } from '#domain';
import { ID_PATTERN, ID_RULE, type CallingPlan, type Permission } from '#events';
import { HttpClient, type HttpResponse } from './http.js';

/**
 * Every api route and request body the CLI uses lives in this one module: when the api's routes
 * change, this is the only file to adjust. Load runs, recordings, scenarios and the benchmark speak
 * `ApiCommand`s, a vocabulary of their own that a recording keeps valid across route changes.
 */

/** The catalogue's own types: a plan or permission the events cannot carry cannot be sent either. */
export type { CallingPlan, Permission };

/**
 * What an invitation names (R6, R10), as the domain's command takes it: the body cannot ask for a
 * delegation the command could not carry, and follows it when it changes.
 */
type InvitationTerms = Pick<
  InviteDelegate,
  'delegationId' | 'delegatorId' | 'delegateId' | 'permissions' | 'sharedLines'
>;

interface Base {
  /** Party id of whoever issues the command. */
  readonly actor: string;
  /** Client-chosen command id: a resend appends nothing and returns the first result. */
  readonly commandId?: string;
  /** Simulated time the command takes effect (virtual clock only, R21). */
  readonly at?: string;
  /**
   * The flow the command belongs to, sent as `X-Correlation-Id` (the events' `$correlationId`). A call's
   * commands default to the call's own (`callCorrelationId`); others to none, so the api uses the
   * command id.
   */
  readonly correlationId?: string;
}

interface OnLine extends Base {
  readonly accountId: string;
  /** The shared line's number, E.164 (`+15550000001`). */
  readonly line: string;
}

interface OnCall extends OnLine {
  readonly callId: string;
}

export type ApiCommand =
  | (Base & { readonly type: 'createAccount'; readonly accountId: string; readonly name: string })
  | (Base & {
      readonly type: 'registerPhoneUser';
      readonly accountId: string;
      readonly partyId: string;
      readonly name: string;
      /** E.164 direct numbers (R1). */
      readonly numbers: readonly string[];
      readonly callingPlan: CallingPlan;
      readonly powerPack?: boolean;
      /** R4: the Assistant panel, needed by a delegate to accept an invitation. */
      readonly assistant?: { readonly platform: 'windows' | 'macos'; readonly version: string };
    })
  | (Base & InvitationTerms & { readonly type: 'inviteDelegate'; readonly accountId: string })
  | (Base & { readonly type: 'acceptDelegation'; readonly accountId: string; readonly delegationId: string })
  | (OnCall & { readonly type: 'placeCall'; readonly to: string })
  /** The external caller acts without an account identity: `actor` is kept for the record, not sent. */
  | (OnCall & { readonly type: 'receiveIncomingCall'; readonly from: string })
  | (OnCall & { readonly type: 'answerCall' })
  | (OnCall & { readonly type: 'declineCall' })
  | (OnCall & { readonly type: 'holdCall'; readonly privacyLock?: boolean })
  | (OnCall & { readonly type: 'resumeCall' })
  | (OnCall & { readonly type: 'pickUpHeldCall' })
  | (OnCall & { readonly type: 'transferCall'; readonly to: string })
  | (OnCall & { readonly type: 'hangUp' })
  | (Base & { readonly type: 'advanceClock'; readonly bySeconds?: number; readonly to?: string });

export type ApiCommandType = ApiCommand['type'];

/** The commands that act on a call of a shared line: their route names the line and the call. */
export const CALL_COMMAND_TYPES: readonly ApiCommandType[] = [
  'placeCall',
  'receiveIncomingCall',
  'answerCall',
  'declineCall',
  'holdCall',
  'resumeCall',
  'pickUpHeldCall',
  'transferCall',
  'hangUp',
];

export const COMMAND_TYPES: readonly ApiCommandType[] = [
  'createAccount',
  'registerPhoneUser',
  'inviteDelegate',
  'acceptDelegation',
  ...CALL_COMMAND_TYPES,
  'advanceClock',
];

/** The members a command of each type cannot be sent without: text, or a list (`[]`). */
const REQUIRED_MEMBERS: Readonly<Record<ApiCommandType, readonly string[]>> = (() => {
  const onCall = ['actor', 'accountId', 'line', 'callId'];
  return {
    createAccount: ['actor', 'accountId', 'name'],
    registerPhoneUser: ['actor', 'accountId', 'partyId', 'name', 'callingPlan', 'numbers[]'],
    inviteDelegate: [
      'actor',
      'accountId',
      'delegationId',
      'delegatorId',
      'delegateId',
      'permissions[]',
      'sharedLines[]',
    ],
    acceptDelegation: ['actor', 'accountId', 'delegationId'],
    placeCall: [...onCall, 'to'],
    receiveIncomingCall: [...onCall, 'from'],
    answerCall: onCall,
    declineCall: onCall,
    holdCall: onCall,
    resumeCall: onCall,
    pickUpHeldCall: onCall,
    transferCall: [...onCall, 'to'],
    hangUp: onCall,
    advanceClock: ['actor'],
  };
})();

/** The ids a command's route is made of: one the api's id rule refuses names no resource. */
const ROUTE_IDS = ['accountId', 'callId', 'delegationId'] as const;

/**
 * What keeps a command read from a file (a recording) from being sent as it stands, in words naming
 * the member, or undefined when nothing does. A member missing from a hand-edited line was sent
 * anyway: a call command without its line failed in the CLI itself ("Cannot read properties of
 * undefined"), counted as a network error of the run, which then ended with exit code 0.
 */
export const commandShapeProblem = (command: { readonly type: ApiCommandType }): string | undefined => {
  const members = command as unknown as Record<string, unknown>;
  for (const required of REQUIRED_MEMBERS[command.type]) {
    const list = required.endsWith('[]');
    const name = list ? required.slice(0, -2) : required;
    const value = Object.hasOwn(members, name) ? members[name] : undefined;
    const ok = list
      ? Array.isArray(value) && value.every((item) => typeof item === 'string')
      : typeof value === 'string' && value !== '';
    if (!ok) {
      const found = value === undefined ? 'missing' : JSON.stringify(value);
      return `${command.type} needs ${name} (${list ? 'a list of text' : 'text'}), found ${found}`;
    }
  }
  for (const name of ROUTE_IDS) {
    const value = members[name];
    if (typeof value === 'string' && !ID_PATTERN.test(value)) {
      return `${command.type} has ${name} ${JSON.stringify(value)}, which ${ID_RULE}`;
    }
  }
  return undefined;
};

export interface ApiRequest {
  readonly method: 'POST' | 'GET';
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The correlation id of a call's flow: every command on one call (placed or received, answered, held,
 * transferred, hung up) and every event its timers fire carry it, so EventStoreDB's `$by_correlation_id`
 * projection gathers the call's whole story in one `$bc-<id>` stream. An id of the api's id rule (64
 * characters at most: a longer one is hashed).
 */
export const callCorrelationId = (command: OnCall): string => {
  const readable = `call-${command.accountId}-${command.line.replace(/^\+/, '')}-${command.callId}`;
  return readable.length <= 64
    ? readable
    : `call-${createHash('sha256').update(readable).digest('hex').slice(0, 40)}`;
};

const isCallCommand = (command: ApiCommand): command is ApiCommand & OnCall =>
  CALL_COMMAND_TYPES.includes(command.type);

const seg = encodeURIComponent;
const common = (command: Base): Record<string, unknown> => ({
  actor: command.actor,
  ...(command.commandId === undefined ? {} : { commandId: command.commandId }),
  ...(command.at === undefined ? {} : { at: command.at }),
});
/** The line in a path: its digits (the api accepts the number with or without "+"). */
const linePath = (c: OnLine): string =>
  `/accounts/${seg(c.accountId)}/lines/${seg(c.line.replace(/^\+/, ''))}`;
const callPath = (c: OnCall, action: string): string => `${linePath(c)}/calls/${seg(c.callId)}/${action}`;

/** The route, body and headers of a command. */
export const toRequest = (command: ApiCommand): ApiRequest => {
  const correlationId =
    command.correlationId ?? (isCallCommand(command) ? callCorrelationId(command) : undefined);
  return {
    ...routeOf(command),
    headers: correlationId === undefined ? {} : { 'x-correlation-id': correlationId },
  };
};

const routeOf = (command: ApiCommand): Omit<ApiRequest, 'headers'> => {
  const post = (path: string, body: Record<string, unknown> = {}): Omit<ApiRequest, 'headers'> => ({
    method: 'POST',
    path,
    body: { ...common(command), ...body },
  });
  switch (command.type) {
    case 'createAccount':
      return post('/accounts', { accountId: command.accountId, name: command.name });
    case 'registerPhoneUser':
      return post(`/accounts/${seg(command.accountId)}/phone-users`, {
        partyId: command.partyId,
        name: command.name,
        directNumbers: command.numbers,
        callingPlan: command.callingPlan,
        ...(command.powerPack === undefined ? {} : { powerPack: command.powerPack }),
        ...(command.assistant ? { assistantEnabled: true, desktopClient: command.assistant } : {}),
      });
    case 'inviteDelegate':
      return post(`/accounts/${seg(command.accountId)}/delegations`, {
        delegationId: command.delegationId,
        delegatorId: command.delegatorId,
        delegateId: command.delegateId,
        permissions: command.permissions,
        sharedLines: command.sharedLines,
      });
    case 'acceptDelegation':
      return post(`/accounts/${seg(command.accountId)}/delegations/${seg(command.delegationId)}/accept`);
    case 'placeCall':
      return post(`${linePath(command)}/calls`, {
        callId: command.callId,
        to: command.to,
      });
    case 'receiveIncomingCall':
      return {
        method: 'POST',
        path: `${linePath(command)}/incoming-calls`,
        body: {
          ...(command.commandId === undefined ? {} : { commandId: command.commandId }),
          ...(command.at === undefined ? {} : { at: command.at }),
          callId: command.callId,
          from: command.from,
        },
      };
    case 'answerCall':
      return post(callPath(command, 'answer'));
    case 'declineCall':
      return post(callPath(command, 'decline'));
    case 'holdCall':
      return post(
        callPath(command, 'hold'),
        command.privacyLock === undefined ? {} : { privacyLock: command.privacyLock },
      );
    case 'resumeCall':
      return post(callPath(command, 'resume'));
    case 'pickUpHeldCall':
      return post(callPath(command, 'pick-up'));
    case 'transferCall':
      return post(callPath(command, 'transfer'), { to: command.to });
    case 'hangUp':
      return post(callPath(command, 'hang-up'));
    case 'advanceClock':
      return post('/clock/advance', {
        ...(command.bySeconds === undefined ? {} : { bySeconds: command.bySeconds }),
        ...(command.to === undefined ? {} : { to: command.to }),
      });
  }
};

/** What the CLI reads from a command's answer. */
export interface CommandResult {
  readonly status: number;
  readonly ok: boolean;
  /** The domain's stable reason code of a rejection (`LINE_BUSY`), or the api's error code. */
  readonly code: string | undefined;
  readonly message: string | undefined;
  /** `$all` commit position of the command's last event: what read models must reach. */
  readonly position: bigint | undefined;
  readonly body: unknown;
}

const toBigInt = (value: unknown): bigint | undefined => {
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return undefined;
};

export const readResult = (res: HttpResponse): CommandResult => {
  const body = (res.json ?? {}) as Record<string, unknown>;
  return {
    status: res.status,
    ok: res.status >= 200 && res.status < 300,
    code: typeof body.code === 'string' ? body.code : undefined,
    message: typeof body.message === 'string' ? body.message : undefined,
    position: toBigInt(body.position),
    body: res.json,
  };
};

/** The api, as the CLI sees it. */
export class ApiClient {
  readonly http: HttpClient;

  constructor(baseUrl: string, maxSockets?: number) {
    this.http = new HttpClient(baseUrl, maxSockets);
  }

  async send(command: ApiCommand, timeoutMs?: number): Promise<CommandResult> {
    const { method, path, body, headers } = toRequest(command);
    return readResult(await this.http.send(method, path, body, timeoutMs, headers));
  }

  async health(): Promise<boolean> {
    try {
      return (await this.http.send('GET', '/health', undefined, 2_000)).status === 200;
    } catch {
      return false;
    }
  }

  close(): void {
    this.http.close();
  }
}
