export * from './account.commands.js';
export * from './account.state.js';
export * from './account.decide.js';
export * from './account.decider.js';
export * from './account.eligibility.js';
export * from './account.queries.js';
export * from './account.values.js';
export * from './account.assistant.decide.js';
export { explainOptInOrOut } from './account.delegation.decide.js';
