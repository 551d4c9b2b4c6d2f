export * from './event.js';
export * from './metadata.js';
