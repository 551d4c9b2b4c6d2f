import { idempotencyOptionsFromEnv } from './idempotency.js';

describe('IDEMPOTENCY_WINDOW_SECONDS', () => {
  it('defaults to SPEC §2 15 minutes', () => {
    expect(idempotencyOptionsFromEnv({})).toEqual({ idempotencyWindowMs: 900_000 });
    expect(idempotencyOptionsFromEnv({ IDEMPOTENCY_WINDOW_SECONDS: '' })).toEqual({
      idempotencyWindowMs: 900_000,
    });
  });

  it('takes a whole number of seconds', () => {
    expect(idempotencyOptionsFromEnv({ IDEMPOTENCY_WINDOW_SECONDS: '3600' })).toEqual({
      idempotencyWindowMs: 3_600_000,
    });
  });

  it.each(['15m', '0', '-5', '1.5', ' 60', 'abc'])('stops the start on %p, naming the variable', (raw) => {
    expect(() => idempotencyOptionsFromEnv({ IDEMPOTENCY_WINDOW_SECONDS: raw })).toThrow(
      /IDEMPOTENCY_WINDOW_SECONDS must be a whole number of seconds/,
    );
  });
});
