/**
 * A demo account filled through the api as a person would: executives with direct numbers, and
 * assistants who accepted delegations sharing every executive's lines. `npm run demo` prints the
 * panel's address; the browser tests fill their accounts with the same code.
 */
export interface DemoOptions {
  readonly accountId: string;
  readonly name: string;
  readonly executives: number;
  readonly linesPerExecutive: number;
  readonly assistants: number;
  /** Permissions every delegation grants (R6). */
  readonly permissions: readonly string[];
}

export const DEFAULT_DEMO: DemoOptions = {
  accountId: 'demo',
  name: 'Demo & Co',
  executives: 2,
  linesPerExecutive: 2,
  assistants: 2,
  permissions: ['placeCalls', 'answerCalls', 'pickUpHeldCalls', 'joinAndMerge', 'optInOut'],
};

export interface DemoParty {
  readonly partyId: string;
  readonly name: string;
  readonly numbers: string[];
}

export interface DemoAccount {
  readonly accountId: string;
  readonly executives: DemoParty[];
  readonly assistants: DemoParty[];
  readonly delegations: {
    readonly delegationId: string;
    readonly delegatorId: string;
    readonly delegateId: string;
  }[];
  /** The $all position of the last command: the projector shows everything once it reached it. */
  readonly position: string;
}

/** The api refused a command: its status and reason code, for a caller that can go on after one. */
export class ApiRefusal extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: unknown,
  ) {
    super(message);
  }
}

/** One api command; a refusal stops the fill with the api's reason. */
export const send = async (
  api: string,
  method: string,
  path: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> => {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) {
    throw new ApiRefusal(
      `${method} ${path} → ${response.status} ${JSON.stringify(answer)}`,
      response.status,
      answer.code,
    );
  }
  return answer;
};

/** E.164 numbers that differ per account, executive and line (+1 555 then 7 digits). */
const numberOf = (accountSeed: number, party: number, line: number): string =>
  `+1555${String(accountSeed % 100).padStart(2, '0')}${String(party).padStart(3, '0')}${String(line).padStart(2, '0')}`;

const seedOf = (accountId: string): number =>
  [...accountId].reduce((sum, char) => (sum * 31 + char.charCodeAt(0)) % 9973, 7);

/**
 * The body that provisions a phone user able to take part in delegation and use the Assistant panel:
 * a calling plan (R2), the Assistant enabled on a supported desktop client (R4).
 */
export const delegationReadyPhoneUser = (
  actor: string,
  partyId: string,
  name: string,
  numbers: string[],
) => ({
  actor,
  partyId,
  name,
  directNumbers: numbers,
  callingPlan: 'pro',
  assistantEnabled: true,
  desktopClient: { platform: 'windows', version: '6.4.0' },
});

export async function fillDemoAccount(
  api: string,
  options: DemoOptions = DEFAULT_DEMO,
): Promise<DemoAccount> {
  const { accountId } = options;
  const admin = 'admin';
  const seed = seedOf(accountId);
  let position = '0';
  const track = (answer: Record<string, unknown>): void => {
    if (typeof answer.position === 'string' && BigInt(answer.position) > BigInt(position)) {
      position = answer.position;
    }
  };
  track(await send(api, 'POST', '/accounts', { actor: admin, accountId, name: options.name }));
  const provision = async (partyId: string, name: string, numbers: string[]): Promise<DemoParty> => {
    track(
      await send(
        api,
        'POST',
        `/accounts/${accountId}/phone-users`,
        delegationReadyPhoneUser(admin, partyId, name, numbers),
      ),
    );
    return { partyId, name, numbers };
  };
  const executives: DemoParty[] = [];
  for (let e = 0; e < options.executives; e++) {
    const numbers = Array.from({ length: options.linesPerExecutive }, (_, line) => numberOf(seed, e, line));
    executives.push(await provision(`exec${e + 1}`, `Executive ${e + 1}`, numbers));
  }
  const assistants: DemoParty[] = [];
  for (let a = 0; a < options.assistants; a++) {
    assistants.push(await provision(`assistant${a + 1}`, `Assistant ${a + 1}`, [numberOf(seed, 900 + a, 0)]));
  }
  const delegations: DemoAccount['delegations'][number][] = [];
  for (const executive of executives) {
    for (const assistant of assistants) {
      const invited = await send(api, 'POST', `/accounts/${accountId}/delegations`, {
        actor: executive.partyId,
        delegatorId: executive.partyId,
        delegateId: assistant.partyId,
        permissions: options.permissions,
        sharedLines: executive.numbers,
      });
      track(invited);
      delegations.push({
        delegationId: invited.delegationId as string,
        delegatorId: executive.partyId,
        delegateId: assistant.partyId,
      });
      track(
        await send(
          api,
          'POST',
          `/accounts/${accountId}/delegations/${invited.delegationId as string}/accept`,
          {
            actor: assistant.partyId,
          },
        ),
      );
    }
  }
  return { accountId, executives, assistants, delegations, position };
}
