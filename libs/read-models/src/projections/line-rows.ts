import type { LineRowRule, LineRowRules } from '../engine/scope-checkpoints.js';

/** A list of row keys several lines add to (a party's calls, an owner's recordings): the line's own. */
const keysOfLine: LineRowRule = (value, ofLine) => {
  const kept = (value as string[]).filter(ofLine);
  return kept.length > 0 ? kept : undefined;
};

/**
 * Which rows of each projection a line's as-of query takes from its account's scope checkpoint (see
 * ScopeCheckpoints.load): a query about one line folds the account's stream, that line's and the
 * clocks', so its read models hold the account's rows, the clocks' and that line's, and of a row
 * every line of the account adds to, that line's part. A checkpoint restricted so holds exactly
 * what that fold holds at the checkpoint, row for row, and the fold goes on from it over the same
 * streams. Every table is named here: a new one must say which it is before line queries go on
 * from checkpoints (ScopeCheckpoints refuses rules that leave a table out).
 *
 * - `whole`: folded from the account's own stream or the clocks' alone (the account, its parties
 *   and delegations, the line names of R23, the clocks);
 * - `line`: keyed by its line (`<line>` or `<line>/…`, see line-key.ts) and folded from that line's
 *   stream alone;
 * - a function: a row of the account that several lines add to, restricted to the line's part.
 */
export const LINE_ROWS: LineRowRules = {
  accounts: { accounts: 'whole', parties: 'whole', delegations: 'whole' },
  calls: {
    calls: 'line',
    reusedCallIds: 'line',
    lines: 'line',
    // Call keys, by `<account>/<party>`.
    partyCalls: keysOfLine,
    // Line keys, by call id.
    callIdLines: keysOfLine,
    lineNames: 'whole',
  },
  voicemail: {
    messages: 'line',
    messageReuses: 'line',
    missedCalls: 'line',
    missedCallReuses: 'line',
    inboxes: 'line',
    ringing: 'line',
    lineNames: 'whole',
  },
  recordings: {
    recordings: 'line',
    recordingReuses: 'line',
    // Recording keys, by `<account>/<owner>`.
    byOwner: keysOfLine,
  },
  audit: { trails: 'line', reusedCallIds: 'line', messageCalls: 'line' },
  clock: { clocks: 'whole' },
};
