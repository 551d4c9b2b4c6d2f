import { Command } from 'commander';
import { stackAddress, stackAddressVariables, type StackApp } from '#stack';
import { ApiRefusal, DEFAULT_DEMO, fillDemoAccount } from './demo-account.js';

/** Where `npm start` put the app, as the CLI finds it; none when the environment names no address. */
const defaultUrl = (app: StackApp): string | undefined => {
  const address = stackAddress(process.env, app);
  return 'url' in address ? address.url : undefined;
};

/**
 * `npm run demo`: fills a demo account on the running stack (`npm start`) and prints where to open
 * the panel. Run it again with another --account for a second one.
 */
const options = new Command('demo')
  .description('Fill a demo account through the api and print the panel address')
  .option('--api <url>', `the api (by default from ${stackAddressVariables('api')})`, defaultUrl('api'))
  .option(
    '--projector <url>',
    `the projector serving the panel (by default from ${stackAddressVariables('projector')})`,
    defaultUrl('projector'),
  )
  .option('--account <id>', 'account id', DEFAULT_DEMO.accountId)
  .option('--executives <n>', 'executives', String(DEFAULT_DEMO.executives))
  .option('--lines <n>', 'direct numbers per executive', String(DEFAULT_DEMO.linesPerExecutive))
  .option('--assistants <n>', 'assistants, each covering every executive', String(DEFAULT_DEMO.assistants))
  .parse()
  .opts<{
    api?: string;
    projector?: string;
    account: string;
    executives: string;
    lines: string;
    assistants: string;
  }>();

for (const app of ['api', 'projector'] as const) {
  const address = stackAddress(process.env, app);
  if (options[app] === undefined && 'problem' in address) {
    console.error(`--${app} has no default, as ${address.problem}: give --${app}`);
    process.exit(1);
  }
}
const api = options.api!;
const projector = options.projector!;

const seats = (accountId: string, ...viewers: string[]): string => {
  const query = new URLSearchParams({ account: accountId });
  for (const viewer of viewers) query.append('viewer', viewer);
  return `${projector}/panel?${query}`;
};

/** The panel's addresses for an account: a delegate's seat, a delegator's beside it, every seat. */
const printPanel = (accountId: string, delegator: string | undefined, delegate: string | undefined): void => {
  const seat = delegate ?? delegator;
  if (seat !== undefined) console.log(`Panel: ${seats(accountId, seat)}`);
  if (delegator !== undefined && delegate !== undefined) {
    console.log(
      `A room (the executive and an assistant side by side): ${seats(accountId, delegator, delegate)}`,
    );
  }
  console.log(`Every seat: ${projector}/panel`);
  console.log('Ring a line from the page with "An outside number … calls … Ring", then answer it on a seat.');
};

interface Roster {
  readonly byDelegator: Record<string, readonly { readonly delegateId: string }[]>;
}

/**
 * `npm start` keeps its events across restarts, so `npm run demo` after a restart finds its account
 * there: its seats are shown again from the projector's roster rather than the run failing on the
 * api's 409.
 */
const printExistingAccount = async (accountId: string): Promise<void> => {
  console.log(
    `Account "${accountId}" is already on this stack (its store keeps events across restarts), so nothing ` +
      'was added; give --account <id> to fill another.',
  );
  // Without the projector's roster (not answering, or not there yet) the landing page still lists it.
  const roster = await fetch(`${projector}/accounts/${encodeURIComponent(accountId)}/roster`).then(
    async (response) => (response.ok ? ((await response.json()) as Roster) : undefined),
    () => undefined,
  );
  const [delegator, delegations] = Object.entries(roster?.byDelegator ?? {})[0] ?? [];
  printPanel(accountId, delegator, delegations?.[0]?.delegateId);
};

try {
  const demo = await fillDemoAccount(api, {
    ...DEFAULT_DEMO,
    accountId: options.account,
    name: options.account === DEFAULT_DEMO.accountId ? DEFAULT_DEMO.name : options.account,
    executives: Number(options.executives),
    linesPerExecutive: Number(options.lines),
    assistants: Number(options.assistants),
  });
  console.log(`Demo account "${demo.accountId}" is ready.`);
  printPanel(demo.accountId, demo.executives[0]!.partyId, demo.assistants[0]?.partyId);
} catch (error) {
  if (error instanceof ApiRefusal && error.code === 'ACCOUNT_ALREADY_EXISTS') {
    await printExistingAccount(options.account);
  } else {
    console.error(
      error instanceof TypeError
        ? `The api at ${api} is not answering: start the stack first (npm start).`
        : (error as Error).message,
    );
    process.exit(1);
  }
}
