export * from './line.commands.js';
export * from './line.context.js';
export * from './line.state.js';
export * from './line.decide.js';
export * from './line.decider.js';
export * from './line.routing.js';
export * from './line.timers.js';
export * from './line.explain.js';
