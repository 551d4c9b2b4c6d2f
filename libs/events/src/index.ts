export * from './event.js';
export * from './metadata.js';
export * from './schemas.js';
export * from './clock.events.js';
export * from './account.events.js';
export * from './line.events.js';
export * from './catalogue.js';
