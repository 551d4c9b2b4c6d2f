export * from './line-context.js';
export * from './command-history.js';
