// The built apps on this machine: where the build is, which build and machine a run measured,
// starting the apps as child processes (for the CLI's `replay --fresh`, bench and the end-to-end
// tests), and where a client finds the apps of a running stack.
export * from './manifest.js';
export * from './stack.js';
export * from './addresses.js';
export * from './default-ports.js';
