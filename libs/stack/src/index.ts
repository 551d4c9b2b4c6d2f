// The built apps on this machine: where the build is, which build and machine a run measured, and
// starting the apps as child processes. For the CLI's `replay --fresh`, bench and the end-to-end tests.
export * from './manifest.js';
export * from './stack.js';
