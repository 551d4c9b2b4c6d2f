import type { RunManifest } from '#stack';
import type { Percentiles } from './metrics.js';
import type { IntervalRow, LoadSummary } from './report.js';
import { columns, duration, figure, intervalLine, percent, renderSummary } from './summary-table.js';

const percentiles = (p50: number, p99: number, max: number, count = 100): Percentiles => ({
  count,
  p50,
  p90: p99 * 0.8,
  p95: p99 * 0.9,
  p99,
  'p99.9': max,
  max,
  mean: p50,
});

const summary = (overrides: Partial<LoadSummary> = {}): LoadSummary => ({
  manifest: { command: 'load run' } as RunManifest,
  model: { kind: 'open', rate: 50, durationMs: 10_000 },
  accountId: 'load-e2e-one',
  elapsedMs: 10_012.4,
  calls: { started: 500, completed: 480, failed: 20 },
  commands: { sent: 1_836, completed: 1_836, ok: 1_764, errors: 72 },
  rate: {
    targetCallsPerSecond: 50,
    targetCommandsPerSecond: null,
    achievedCallsPerSecond: 49.94,
    commandsPerSecond: 183.37,
    lateSends: 3,
    lateThresholdMs: 5,
    sendDelayMs: percentiles(0.04, 3, 6),
  },
  latency: {
    all: percentiles(2.345, 164.095, 201.3),
    byType: { answerCall: percentiles(1.5, 12.25, 14, 400), placeCall: percentiles(3.1, 48.5, 1_234, 500) },
    byFlow: {},
  },
  outcomes: { ok: 1_764, '409 LINE_BUSY': 50, '409 CALL_ENDED': 22 },
  failuresByType: { 'placeCall 409 LINE_BUSY': 50, 'hangUp 409 CALL_ENDED': 22 },
  lag: { ...percentiles(1.1, 4.2, 9, 1_764), unresolved: 0, pollErrors: 0 },
  warmUp: null,
  thresholds: [
    { threshold: 'p99<50ms', actual: 164.095, unit: 'ms', passed: false },
    { threshold: 'errors<1%', actual: 3.9215686274509802, unit: '%', passed: false },
    { threshold: 'lag.p95<100ms', actual: 3.78, unit: 'ms', passed: true },
  ],
  passed: false,
  interrupted: false,
  warnings: [],
  merge: {
    shard: null,
    startedAtMs: 0,
    endedAtMs: 10_012.4,
    scheduledCalls: 500,
    histograms: { all: '', sendDelay: '', byType: {}, byFlow: {}, lag: null },
  },
  ...overrides,
});

describe('end-of-run figures', () => {
  it('round to at most three significant digits, without exponents, and whole thousands', () => {
    // Given figures as a run measures them, When formatted, Then each reads at a glance
    expect(figure(164.095)).toBe('164');
    expect(figure(3.9215686274509802)).toBe('3.92');
    expect(figure(16.44)).toBe('16.4');
    expect(figure(0.0421)).toBe('0.042');
    expect(figure(0)).toBe('0');
    expect(figure(50)).toBe('50.0');
    expect(figure(5)).toBe('5.00');
    expect(figure(1589.4)).toBe('1,589');
    expect(figure(0.000_001)).toBe('0.000');
  });

  it('write durations in ms below a second and in seconds from one', () => {
    expect(duration(164.095)).toBe('164 ms');
    expect(duration(0.001)).toBe('0.001 ms');
    expect(duration(1_234)).toBe('1.23 s');
    expect(duration(10_012.4)).toBe('10.0 s');
  });

  it('write shares as percentages, and none of nothing', () => {
    expect(percent(72, 1_836)).toBe('3.92%');
    expect(percent(0, 10)).toBe('0%');
    expect(percent(1, 0)).toBe('-');
  });
});

describe('columns', () => {
  it('pad text left and figures right to the widest cell, leaving no trailing spaces', () => {
    // Given rows of a name, a count and an empty note
    const rows = [
      ['ok', '1,764', ''],
      ['409 LINE_BUSY', '50', 'x'],
    ];
    // When laid out, Then names align on the left, counts on the right
    expect(columns(rows, ['left', 'right', 'left'])).toEqual([
      'ok             1,764',
      '409 LINE_BUSY     50  x',
    ]);
  });
});

describe('the end-of-run table', () => {
  const table = renderSummary(summary());
  const lines = table.split('\n');
  /** The `count` lines printed under a section's heading. */
  const under = (heading: string, count: number): string[] => {
    const start = lines.indexOf(heading);
    return lines.slice(start + 1, start + 1 + count);
  };

  it('says what ran, its rates against the target, and its counts', () => {
    expect(lines[0]).toBe('load run: open model, 50 calls/s, account load-e2e-one');
    expect(table).toContain('  elapsed ............ 10.0 s\n');
    expect(table).toContain('  calls .............. 500 started, 480 completed, 20 failed\n');
    expect(table).toContain('  commands ........... 1,836 completed, 72 errors (3.92%)\n');
    expect(table).toContain('  rate ............... 183 commands/s, 49.9 calls/s (target 50.0)\n');
  });

  it.each([
    [
      'latency percentiles per command type and the read-model lag in aligned columns',
      '  latency, from the intended send time',
      [
        '                    count      p50      p90      p95      p99      max',
        '    all commands      100  2.35 ms   131 ms   148 ms   164 ms   201 ms',
        '    answerCall        400  1.50 ms  9.80 ms  11.0 ms  12.3 ms  14.0 ms',
        '    placeCall         500  3.10 ms  38.8 ms  43.6 ms  48.5 ms   1.23 s',
        '    read-model lag  1,764  1.10 ms  3.36 ms  3.78 ms  4.20 ms  9.00 ms',
      ],
    ],
    [
      'outcomes by reason, most frequent first, with their share',
      '  outcomes',
      [
        '    ok              1,764  96.1%',
        '    409 LINE_BUSY      50  2.72%',
        '    409 CALL_ENDED     22  1.20%',
      ],
    ],
    [
      'failed commands by type and reason',
      '  failed commands, by type',
      ['    placeCall  409 LINE_BUSY   50', '    hangUp     409 CALL_ENDED  22'],
    ],
    [
      'each threshold with its verdict and its figure, rounded',
      '  thresholds',
      [
        '    FAIL  p99<50ms        164 ms',
        '    FAIL  errors<1%        3.92%',
        '    PASS  lag.p95<100ms  3.78 ms',
      ],
    ],
  ])('lays out %s', (_what, heading, expected) => {
    expect(under(heading, expected.length)).toEqual(expected);
  });

  it('ends with the overall verdict on the thresholds', () => {
    expect(lines.at(-2)).toBe('FAIL: 2 of 3 thresholds failed');
  });

  it.each([
    ['a run that held every threshold', {}, 'PASS: the threshold holds'],
    [
      'a run stopped by Ctrl-C whose part that ran held every threshold',
      { interrupted: true, passed: false },
      'FAIL: stopped before its planned end, it passes no threshold',
    ],
  ])('ends with a verdict that agrees with the exit code: %s', (_what, overrides, expected) => {
    // Given a run whose one threshold held over what it ran
    const held = [{ threshold: 'p99<1s', actual: 164.095, unit: 'ms' as const, passed: true }];
    // When its summary is rendered, Then its last line says PASS only of a run that passed
    const rendered = renderSummary(summary({ thresholds: held, passed: true, ...overrides })).split('\n');
    expect(rendered.at(-2)).toBe(expected);
  });

  it('says how many calls a stopped run left before their last step, so that its call counts add up', () => {
    // Given a run stopped by Ctrl-C with 4 of its 500 calls under way, which end after their step in flight
    const stopped = summary({ calls: { started: 500, completed: 476, failed: 20 }, interrupted: true });
    // When its summary is rendered, Then the 4 are counted on the calls line
    expect(renderSummary(stopped)).toContain(
      '  calls .............. 500 started, 476 completed, 20 failed, 4 stopped before their last step\n',
    );
  });

  it.each([
    [{ rate: 1 / 60, durationMs: 60_000 }, 'open model, 0.01667 calls/s'],
    [
      { rate: 2, rampStep: -1, rampIntervalMs: 1_000, maxCalls: 10 },
      'open model, 2 calls/s, -1/s every 1.00 s',
    ],
    [
      { rate: 5, rampStep: 5, rampIntervalMs: 1_000, maxRate: 20, durationMs: 4_000 },
      'open model, 5 calls/s, +5/s every 1.00 s up to 20/s',
    ],
  ])(
    'names the open model %j by its rates as given, to 4 digits, a ramp with its sign',
    (model, expected) => {
      const first = renderSummary(summary({ model: { kind: 'open', ...model } })).split('\n')[0];
      expect(first).toBe(`load run: ${expected}, account load-e2e-one`);
    },
  );

  it('shows no warm-up line for a run without one', () => {
    expect(table).not.toContain('warm-up');
  });

  it('shows a warm-up on a line of its own, apart from the measured figures, with its errors by reason', () => {
    // Given a run that warmed up for 5 s and met refusals while doing so
    const warmUp = {
      durationMs: 5_000,
      calls: { started: 150, completed: 131, failed: 19 },
      commands: { sent: 560, completed: 560, errors: 19 },
      outcomes: { ok: 541, '409 CALL_ENDED': 4, '409 LINE_BUSY': 15 },
    };
    // When its summary is rendered
    const warmed = renderSummary(summary({ warmUp }));
    // Then the warm-up line comes before the measured window's, its errors by reason, most frequent first
    expect(warmed).toContain(
      '  warm-up ............ 5.00 s not measured: 150 calls, 560 commands, 19 errors ' +
        '(409 LINE_BUSY 15, 409 CALL_ENDED 4)\n  elapsed ............ 10.0 s\n',
    );
    // And the measured counts are the run's own
    expect(warmed).toContain('  calls .............. 500 started, 480 completed, 20 failed\n');
  });

  it('names a threshold with nothing to measure, and a replay by its file and pace', () => {
    const replay = renderSummary(
      summary({
        manifest: { command: 'load replay' } as RunManifest,
        model: { kind: 'replay', file: 'run.ndjson', speed: 2, commands: 200, loadCommands: 160 },
        rate: { ...summary().rate, targetCallsPerSecond: null, targetCommandsPerSecond: 160 },
        lag: null,
        thresholds: [
          {
            threshold: 'holdCall.p99<50ms',
            actual: null,
            unit: 'ms',
            passed: false,
            note: 'no samples for holdCall',
          },
        ],
      }),
    );
    expect(replay.split('\n')[0]).toBe('load replay: replay of run.ndjson at x2, account load-e2e-one');
    expect(replay).toContain('  rate ............... 183 commands/s (target 160), 49.9 calls/s\n');
    expect(replay).not.toContain('read-model lag');
    expect(replay).toContain('    FAIL  holdCall.p99<50ms  n/a  (no samples for holdCall)\n');
    expect(replay.endsWith('FAIL: 1 of 1 thresholds failed\n')).toBe(true);
  });
});

describe('the live interval line', () => {
  const row: IntervalRow = {
    elapsedMs: 5_003,
    sent: 900,
    completed: 898,
    errors: 12,
    inflight: 2,
    lateSends: 0,
    intervalCompleted: 183,
    intervalErrors: 3,
    intervalCommandsPerSecond: 183.2,
    p50: 2.345,
    p90: 40,
    p95: 45.5,
    p99: 164.095,
    max: 201,
    lagPending: 1,
    lagP99: 4.2,
  };

  it('keeps its fields at fixed widths, so that successive lines read as columns', () => {
    const first = intervalLine(row);
    const later = intervalLine({
      ...row,
      elapsedMs: 15_000,
      intervalCommandsPerSecond: 2_001,
      p99: 3,
      errors: 1_200,
    });
    expect(first).toBe(
      '[  5.00 s]    183 commands/s  p50  2.35 ms  p95  45.5 ms  p99   164 ms  max   201 ms' +
        '  errors     3 (total     12)  in flight    2  lag p99  4.20 ms\n',
    );
    expect(later.length).toBe(first.length);
    expect(later.indexOf('p99')).toBe(first.indexOf('p99'));
  });

  it('shows no latency for an interval in which nothing completed', () => {
    expect(intervalLine({ ...row, intervalCompleted: 0, lagP99: null })).toContain('p50        -');
  });
});
