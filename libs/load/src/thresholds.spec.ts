import { evaluateThreshold, parseThreshold, type ThresholdInputs } from './thresholds.js';

const inputs: ThresholdInputs = {
  commands: 1000,
  errors: 5,
  lateSends: 0,
  commandsPerSecond: 2100,
  latency: {
    all: { count: 1000, p50: 2, p90: 5, p95: 12, p99: 40, 'p99.9': 70, max: 90, mean: 3 },
    lag: { count: 900, p50: 3, p90: 6, p95: 50, p99: 120, 'p99.9': 200, max: 250, mean: 4 },
    placeCall: { count: 100, p50: 2, p90: 4, p95: 30, p99: 60, 'p99.9': 60, max: 60, mean: 3 },
  },
};

const check = (text: string) => evaluateThreshold(parseThreshold(text), inputs);

/** Expects each threshold refused when parsed, with its message (or a part of it). */
const expectRefused = (cases: readonly (readonly [text: string, message: string | RegExp])[]) => {
  for (const [text, message] of cases) expect(() => parseThreshold(text)).toThrow(message);
};

describe('SLO thresholds', () => {
  it('parses latency, count, percentage and rate thresholds', () => {
    expect(parseThreshold('p99<50ms')).toMatchObject({
      metric: 'p99',
      comparator: '<',
      value: 50,
      scope: undefined,
    });
    expect(parseThreshold('p99.9<=0.2s')).toMatchObject({ metric: 'p99.9', comparator: '<=', value: 200 });
    expect(parseThreshold('lag.p99<100ms')).toMatchObject({ scope: 'lag', metric: 'p99' });
    expect(parseThreshold('p95<20ms')).toMatchObject({ metric: 'p95', value: 20, scope: undefined });
    expect(parseThreshold('lag.p95<1s')).toMatchObject({ scope: 'lag', metric: 'p95', value: 1000 });
    expect(parseThreshold('placeCall.p99.9<80')).toMatchObject({
      scope: 'placeCall',
      metric: 'p99.9',
      value: 80,
    });
    expect(parseThreshold('errors<1%')).toMatchObject({ metric: 'errors', percent: true, value: 1 });
    expect(parseThreshold('errors<=0')).toMatchObject({ metric: 'errors', percent: false, value: 0 });
    expect(parseThreshold('rate>=2000')).toMatchObject({ metric: 'rate', comparator: '>=', value: 2000 });
  });

  it('refuses what it cannot check', () => {
    expectRefused([
      ['p98<5ms', /unknown metric/],
      ['p99<5%', /duration, not a percentage/],
      ['lag.errors<1', /only latency metrics take a scope/],
      ['p99 = 5', /metric<value/],
    ]);
  });

  it('refuses a scope nothing is measured under, before the run rather than after it', () => {
    // Given latency thresholds scoped by a mistyped command type and an unknown flow, When parsed,
    // Then each is refused naming the scopes there are: `hangup.p99<100ms` failed only once the run
    // was over, on "no samples for hangup"
    expectRefused([
      [
        'hangup.p99<100ms',
        /^threshold "hangup\.p99<100ms": unknown scope "hangup"; use lag, all, a command type \(.*hangUp.*\) or a call flow \(place, ring-answer/,
      ],
      ['ringing.p50<5ms', /unknown scope "ringing"/],
    ]);
    // And every scope a run measures under is read
    for (const scope of ['lag', 'all', 'hangUp', 'receiveIncomingCall', 'ring-answer', 'hold-pickup'])
      expect(parseThreshold(`${scope}.p99<1s`)).toMatchObject({ scope });
  });

  it('refuses a percentage above 100%, which no run can reach', () => {
    // Given share-of-commands thresholds, When parsed,
    // Then 0% to 100% are read, and beyond is refused: `errors<200%` passed every run, however bad
    expect(parseThreshold('errors<100%')).toMatchObject({ metric: 'errors', percent: true, value: 100 });
    expect(parseThreshold('late>=1%')).toMatchObject({ metric: 'late', percent: true, value: 1 });
    expect(() => parseThreshold('errors<200%')).toThrow(
      'threshold "errors<200%": a percentage is between 0% and 100%, e.g. errors<1%',
    );
    expect(() => parseThreshold('late<=100.5%')).toThrow(/a percentage is between 0% and 100%, e.g. late<1%/);
    // And a count is no percentage: 200 errors is a bar a run can fail
    expect(parseThreshold('errors<200')).toMatchObject({ percent: false, value: 200 });
  });

  it('refuses a threshold every run passes, whatever its figures', () => {
    // Given bars at or beyond the values a metric can take (a share at most 100%, anything at least 0),
    // When parsed, Then each is refused, naming itself and the bound its metric never crosses
    expectRefused([
      ['errors<=100%', 'threshold "errors<=100%" can never fail: errors is never above 100%'],
      ['late>=0%', 'threshold "late>=0%" can never fail: late is never below 0%'],
      ['errors>=0', 'threshold "errors>=0" can never fail: errors is never below 0 commands'],
      ['rate>=0', 'threshold "rate>=0" can never fail: rate is never below 0 commands/s'],
      ['lag.p99>=0s', 'threshold "lag.p99>=0s" can never fail: p99 is never below 0 ms'],
    ]);
  });

  it('refuses a threshold no run passes, whatever its figures', () => {
    // Given bars on the far side of the values a metric can take, When parsed, Then each is refused
    expectRefused([
      ['errors<0%', 'threshold "errors<0%" can never pass: errors is never below 0%'],
      ['errors>100%', 'threshold "errors>100%" can never pass: errors is never above 100%'],
      ['late<0', 'threshold "late<0" can never pass: late is never below 0 commands'],
      ['rate<0', 'threshold "rate<0" can never pass: rate is never below 0 commands/s'],
      ['p99<0ms', 'threshold "p99<0ms" can never pass: p99 is never below 0 ms'],
    ]);
  });

  it('keeps the bars a run can land on either side of, the edges of the range included', () => {
    // Given bars that touch the range of their metric from inside, When parsed, Then they are read:
    // a run with every command failed misses `errors<100%`, one without errors meets `errors<=0%`
    for (const text of [
      'errors<100%',
      'errors>=100%',
      'errors<=0%',
      'errors>0%',
      'errors<=0',
      'rate>0',
      'p99<=0ms',
    ])
      expect(parseThreshold(text)).toMatchObject({ text });
  });

  it('evaluates against a run', () => {
    expect(check('p99<50ms').passed).toBe(true);
    expect(check('p99<40ms').passed).toBe(false);
    expect(check('p99<=40ms').passed).toBe(true);
    expect(check('errors<1%')).toMatchObject({ actual: 0.5, passed: true });
    expect(check('errors<5').passed).toBe(false);
    expect(check('lag.p99<100ms')).toMatchObject({ actual: 120, passed: false });
    expect(check('placeCall.p99<50ms').passed).toBe(false);
    expect(check('rate>=2000').passed).toBe(true);
    expect(check('p95<20ms')).toMatchObject({ actual: 12, passed: true, unit: 'ms' });
    expect(check('lag.p95<40ms')).toMatchObject({ actual: 50, passed: false });
  });

  it("names each figure's unit, so a summary can print it", () => {
    expect(check('p99<50ms').unit).toBe('ms');
    expect(check('errors<1%').unit).toBe('%');
    expect(check('errors<5').unit).toBe('commands');
    expect(check('late<5').unit).toBe('commands');
    expect(check('rate>=2000').unit).toBe('commands/s');
  });

  it('fails a threshold on a scope with no samples, saying so', () => {
    expect(check('holdCall.p99<50ms')).toMatchObject({ passed: false, actual: null });
  });

  it('fails every threshold of a run in which nothing completed', () => {
    expect(evaluateThreshold(parseThreshold('errors<1%'), { ...inputs, commands: 0, errors: 0 }).passed).toBe(
      false,
    );
  });
});
