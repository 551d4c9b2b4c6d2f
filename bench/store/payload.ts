/** The event data every bench:store workload writes (and the canned server replays). */
export const benchPayload = {
  kind: 'CallDelegated',
  line: 'line-42',
  by: 'alice',
  to: 'bob',
  note: 'x'.repeat(120),
};
