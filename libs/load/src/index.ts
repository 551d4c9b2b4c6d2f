// The load generator and the api client it drives: plans, schedules, recordings, the runner,
// metrics, thresholds and reports. The CLI's `load` command wires it to options; bench drives it directly.
export * from './api-client.js';
export * from './http.js';
export * from './lag-poller.js';
export * from './line-file.js';
export * from './merge.js';
export * from './metrics.js';
export * from './mix.js';
export * from './plan.js';
export * from './prng.js';
export * from './recording.js';
export * from './report.js';
export * from './runner.js';
export * from './schedule.js';
export * from './shard.js';
export * from './start-at.js';
export * from './summary-table.js';
export * from './think-time.js';
export * from './thresholds.js';
