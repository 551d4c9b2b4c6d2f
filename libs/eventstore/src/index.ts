export * from './connection.js';
export * from './errors.js';
export * from './event-ids.js';
export * from './event-store.js';
export * from './aggregate-repository.js';
export * from './foreign-events.js';
export * from './aggregate-snapshots.js';
export * from './store-repair-check.js';
