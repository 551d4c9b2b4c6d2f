import 'reflect-metadata';
import { createApiApp } from './bootstrap.js';

const app = await createApiApp();
await app.listen(Number(process.env.API_PORT ?? 3000), process.env.API_HOST ?? '127.0.0.1');
console.log(`api listening on ${await app.getUrl()}`);
