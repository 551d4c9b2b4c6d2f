export * from './line-context.js';
export * from './command-history.js';
export * from './delegation-ready-user.js';
