import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';

/**
 * The baselines of bench:e2e, measured in the same run:
 * - `POST /noop` does nothing: the cost of the HTTP framework alone on this machine;
 * - `POST /append` appends one event through the official client to the store named by
 *   `EVENTSTORE_CONNECTION_STRING` and answers: the cheapest command this stack could serve, with
 *   no validation, no domain, no caches.
 */
const store = process.env.EVENTSTORE_CONNECTION_STRING
  ? EventStoreDBClient.connectionString(process.env.EVENTSTORE_CONNECTION_STRING)
  : undefined;
/** Spread over many streams, as commands on many lines are. */
const STREAMS = 1024;
let appended = 0;

@Controller()
class NoopController {
  @Post('noop')
  @HttpCode(200)
  noop(@Body() body: unknown): { ok: boolean; received: boolean } {
    return { ok: true, received: body !== undefined };
  }

  @Post('append')
  @HttpCode(200)
  async append(@Body() body: unknown): Promise<{ ok: boolean; position: string | undefined }> {
    if (!store) throw new Error('POST /append needs EVENTSTORE_CONNECTION_STRING');
    const result = await store.appendToStream(
      `baseline-${appended++ % STREAMS}`,
      jsonEvent({ type: 'BaselineAppended', data: { received: body !== undefined } }),
    );
    return { ok: true, position: result.position?.commit.toString() };
  }
}

@Module({ controllers: [NoopController] })
class NoopModule {}

const app = await NestFactory.create<NestFastifyApplication>(NoopModule, new FastifyAdapter(), {
  logger: ['error'],
});
await app.listen(0, '127.0.0.1');
console.log(`noop listening on ${await app.getUrl()}`);
process.on('SIGTERM', () => void Promise.all([app.close(), store?.dispose()]).then(() => process.exit(0)));
