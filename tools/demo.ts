import { Command } from 'commander';
import { DEFAULT_DEMO, fillDemoAccount } from './demo-account.js';

/**
 * `npm run demo`: fills a demo account on the running stack (`npm start`) and prints where to open
 * the panel. Run it again with another --account for a second one.
 */
const options = new Command('demo')
  .description('Fill a demo account through the api and print the panel address')
  .option(
    '--api <url>',
    'the api',
    process.env.SWITCHBOARD_API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? 3000}`,
  )
  .option(
    '--projector <url>',
    'the projector serving the panel',
    `http://127.0.0.1:${process.env.PROJECTOR_PORT ?? 3001}`,
  )
  .option('--account <id>', 'account id', DEFAULT_DEMO.accountId)
  .option('--executives <n>', 'executives', String(DEFAULT_DEMO.executives))
  .option('--lines <n>', 'direct numbers per executive', String(DEFAULT_DEMO.linesPerExecutive))
  .option('--assistants <n>', 'assistants, each covering every executive', String(DEFAULT_DEMO.assistants))
  .parse()
  .opts<{
    api: string;
    projector: string;
    account: string;
    executives: string;
    lines: string;
    assistants: string;
  }>();

try {
  const demo = await fillDemoAccount(options.api, {
    ...DEFAULT_DEMO,
    accountId: options.account,
    name: options.account === DEFAULT_DEMO.accountId ? DEFAULT_DEMO.name : options.account,
    executives: Number(options.executives),
    linesPerExecutive: Number(options.lines),
    assistants: Number(options.assistants),
  });
  const seats = (...viewers: string[]): string => {
    const query = new URLSearchParams({ account: demo.accountId });
    for (const viewer of viewers) query.append('viewer', viewer);
    return `${options.projector}/panel?${query}`;
  };
  const executive = demo.executives[0]!.partyId;
  const assistant = demo.assistants[0]?.partyId;
  console.log(`Demo account "${demo.accountId}" is ready.`);
  console.log(`Panel: ${seats(assistant ?? executive)}`);
  if (assistant) {
    console.log(`A room (the executive and an assistant side by side): ${seats(executive, assistant)}`);
  }
  console.log(`Every seat: ${options.projector}/panel`);
  console.log('Ring a line from the page with "An outside number … calls … Ring", then answer it on a seat.');
} catch (error) {
  console.error(
    error instanceof TypeError
      ? `The api at ${options.api} is not answering: start the stack first (npm start).`
      : (error as Error).message,
  );
  process.exit(1);
}
