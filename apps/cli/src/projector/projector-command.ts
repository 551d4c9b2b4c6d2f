import { Command } from 'commander';
import { HttpClient } from '#load';
import { EXIT_ERROR, stackUrlOption } from '../options.js';

interface ParkedOptions {
  projector: string;
  json: boolean;
}

interface ParkedEvent {
  readonly position: string;
  readonly stream: string;
  readonly revision: string;
  readonly id: string;
  readonly type: string;
  readonly reason: string;
  readonly projection: string | null;
  readonly detail: string;
}

/** `switchboard projector parked`: the events the projector's read models skip, and why. */
export const projectorCommand = (): Command => {
  const projector = new Command('projector').description('Look at the projector (read models)');
  projector
    .command('parked')
    .description(
      'List the events the read models skip (parked): foreign events, and events a projection could not apply ' +
        'when the projector runs with --park-failed-events; position, stream, type, reason',
    )
    .addOption(stackUrlOption('projector', 'projector base url'))
    .option('--json', 'print the list as JSON', false)
    .action(async (options: ParkedOptions) => {
      const http = new HttpClient(options.projector, 1);
      try {
        const res = await http.send('GET', '/parked', undefined, 30_000);
        const body = res.json as { count?: number; parkFailedEvents?: boolean; events?: ParkedEvent[] };
        if (res.status !== 200 || !Array.isArray(body?.events))
          throw new Error(`GET /parked answered ${res.status}: ${res.text}`);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          `${body.events.length} parked event(s); events a projection cannot apply are ` +
            `${body.parkFailedEvents ? 'parked' : 'not parked (the projector stops on them)'}\n`,
        );
        for (const event of body.events) {
          process.stdout.write(
            `  ${event.position.padStart(12)}  ${event.stream}@${event.revision}  ${event.type}  ${event.reason}` +
              `${event.projection ? ` (${event.projection})` : ''}: ${event.detail}\n`,
          );
        }
      } catch (error) {
        process.stderr.write(`switchboard projector parked: ${(error as Error).message}\n`);
        process.exitCode = EXIT_ERROR;
      } finally {
        http.close();
      }
    });
  return projector;
};
