/**
 * The whole product as `npm start` runs it (embedded store, api, projector, each a process) comes from
 * the CLI's launcher, which the benchmark and `replay` use too: one way to start the stack.
 */
export { startStack, type Stack, type StartedProcess } from '../../libs/stack/src/stack.js';
