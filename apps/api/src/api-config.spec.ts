import { ConfigurationError } from '#http';
import { apiSettingsFrom } from './api-config.js';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    apiSettingsFrom(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
};

describe("the api's configuration", () => {
  it.each([
    {
      // Given no variables, Then the documented defaults
      name: 'takes the README defaults from an empty environment',
      env: {},
      settings: {
        port: 3000,
        host: '127.0.0.1',
        eventStoreConnectionString: 'esdb://127.0.0.1:2113?tls=false',
        clock: { mode: 'realtime', virtualStart: new Date('2026-01-05T09:00:00Z') },
        idempotencyWindowMs: 900_000,
        log: { level: 'info', format: 'json' },
      },
      hosts: ['localhost', '127.0.0.1', '[::1]'],
    },
    {
      name: 'reads each documented variable',
      env: {
        API_PORT: '4710',
        API_HOST: '0.0.0.0',
        EVENTSTORE_CONNECTION_STRING: 'esdb://store:2113?tls=false',
        CLOCK_MODE: 'virtual',
        VIRTUAL_CLOCK_START: '2026-02-02T08:00:00Z',
        IDEMPOTENCY_WINDOW_SECONDS: '60',
        SWITCHBOARD_ALLOWED_HOSTS: 'api.example',
      },
      settings: {
        port: 4710,
        host: '0.0.0.0',
        eventStoreConnectionString: 'esdb://store:2113?tls=false',
        clock: { mode: 'virtual', virtualStart: new Date('2026-02-02T08:00:00Z') },
        idempotencyWindowMs: 60_000,
      },
      hosts: ['api.example'],
    },
  ])('$name', ({ env, settings, hosts }) => {
    const read = apiSettingsFrom(env);
    expect(read).toMatchObject(settings);
    expect(read.requestPolicy.hosts).toEqual(hosts.map((name) => ({ name })));
  });

  it('names every invalid variable at once, so one restart fixes them all', () => {
    // Given four invalid values, When the configuration is read, Then each is named with its value
    const problems = problemsOf({
      API_PORT: 'abc',
      CLOCK_MODE: 'sometimes',
      IDEMPOTENCY_WINDOW_SECONDS: '-1',
      SWITCHBOARD_ALLOWED_HOSTS: 'http://api.example',
    });
    expect(problems).toEqual([
      'API_PORT must be a port number from 0 to 65535, not "abc"',
      'CLOCK_MODE must be "realtime" or "virtual", not "sometimes"',
      'IDEMPOTENCY_WINDOW_SECONDS must be a whole number of seconds (at least 1), not "-1"',
      expect.stringMatching(/^SWITCHBOARD_ALLOWED_HOSTS: "http:\/\/api.example" is not a host name/),
    ]);
  });

  it.each([
    ['API_PORT', '65536'],
    ['API_PORT', '3000.5'],
    ['API_PORT', '-1'],
    ['VIRTUAL_CLOCK_START', 'soon'],
    ['SWITCHBOARD_ALLOWED_ORIGINS', 'ops.example'],
  ])('refuses %s=%j, naming it', (name, value) => {
    expect(problemsOf({ [name]: value })).toEqual([expect.stringContaining(name)]);
  });
});
