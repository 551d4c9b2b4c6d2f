// The read side as a library: the projection engine, the projections and the queries over them.
// The projector app hosts it over HTTP; the CLI replays it offline (audit, history); bench measures it.
export * from './engine/canonical-json.js';
export * from './engine/projection.js';
export * from './engine/projector.js';
export * from './engine/read-models.js';
export * from './engine/replay.js';
export * from './engine/row-capture.js';
export * from './engine/snapshot-file.js';
export * from './projections/accounts.projection.js';
export * from './projections/audit.projection.js';
export * from './projections/calls.projection.js';
export * from './projections/catalogue.js';
export * from './projections/clock.projection.js';
export * from './projections/index.js';
export * from './projections/line-key.js';
export * from './projections/recordings.projection.js';
export * from './projections/voicemail.projection.js';
export * from './queries/access.js';
export * from './queries/account-state.js';
export * from './queries/audit-trail.js';
export * from './queries/audit-csv.js';
export * from './queries/call-lookup.js';
export * from './queries/diagnosis-time.js';
export * from './queries/diagnostics.js';
export * from './queries/line-facts.js';
export * from './queries/line-views.js';
export * from './engine/time-machine.js';
