import { auditCommand } from './audit/audit-command.js';
import { failureOf } from './failed-command.fixture.js';
import { historyCommand } from './history/history-command.js';
import { verifyCommand } from './verify/verify-command.js';

/** Nothing listens on port 1: the connection is refused at once. */
const NOBODY = 'esdb://127.0.0.1:1?tls=false';
const WHAT_TO_DO =
  `cannot reach the event store at ${NOBODY} (connect ECONNREFUSED 127.0.0.1:1): start it (npm start), ` +
  'or name the running one with --store or EVENTSTORE_CONNECTION_STRING\n';

describe('a CLI command whose store does not answer', () => {
  it.each([
    ['history export', historyCommand, ['export', '--no-progress']],
    ['verify', verifyCommand, ['--no-check-projector', '--no-progress']],
    ['audit', auditCommand, ['call', 'c1', '--source', 'store']],
  ] as const)(
    'switchboard %s says where it looked and how to name another store',
    async (name, command, args) => {
      // Given a store address nobody answers at, When the command runs
      const message = await failureOf(command(), [...args, '--store', NOBODY]);
      // Then it says so in a sentence, not in gRPC's words
      expect(message).toBe(`switchboard ${name}: ${WHAT_TO_DO}`);
    },
  );
});
