export * from './shared/domain-error.js';
export * from './shared/named.js';
export * from './reasons.js';
export * from './shared/decider.js';
export * from './account/index.js';
export * from './line/index.js';
export * from './line-context/index.js';
