export * from './line-context.js';
