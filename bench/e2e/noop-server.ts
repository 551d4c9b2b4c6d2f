import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The baseline of bench:e2e: NestJS on Fastify with one route that does nothing, so the figure it
 * yields is the cost of the HTTP framework alone on this machine, measured in the same run.
 */
@Controller()
class NoopController {
  @Post('noop')
  @HttpCode(200)
  noop(@Body() body: unknown): { ok: boolean; received: boolean } {
    return { ok: true, received: body !== undefined };
  }
}

@Module({ controllers: [NoopController] })
class NoopModule {}

const app = await NestFactory.create<NestFastifyApplication>(NoopModule, new FastifyAdapter(), {
  logger: ['error'],
});
await app.listen(0, '127.0.0.1');
console.log(`noop listening on ${await app.getUrl()}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
