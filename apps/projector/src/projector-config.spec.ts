import { ConfigurationError } from '#http';
import { projectorSettingsFrom } from './projector-config.js';

describe("the projector's configuration", () => {
  it('takes the README defaults from an empty environment', () => {
    expect(projectorSettingsFrom({})).toMatchObject({
      port: 3001,
      host: '127.0.0.1',
      dataDir: 'data/projector',
      rebuild: false,
      parkFailedEvents: false,
      eventStoreConnectionString: 'esdb://127.0.0.1:2113?tls=false',
      clock: { mode: 'realtime' },
    });
  });

  it('reads its switches as 1 or 0', () => {
    expect(
      projectorSettingsFrom({
        PROJECTOR_REBUILD: '1',
        PROJECTOR_PARK_FAILED_EVENTS: '0',
        PROJECTOR_DATA_DIR: '/var/p',
      }),
    ).toMatchObject({ rebuild: true, parkFailedEvents: false, dataDir: '/var/p' });
  });

  it('finds the api for the panel where the CLI does: SWITCHBOARD_API_URL, else API_HOST and API_PORT', () => {
    // With no variable set it is the default address, which the panel's refusals tell apart (API_ADDRESS_NOT_SET)
    expect(projectorSettingsFrom({}).api).toEqual({ url: 'http://127.0.0.1:3000', byDefault: true });
    expect(projectorSettingsFrom({ API_HOST: '192.168.1.5', API_PORT: '4100' }).api).toEqual({
      url: 'http://192.168.1.5:4100',
    });
    expect(projectorSettingsFrom({ API_HOST: '::', SWITCHBOARD_API_URL: 'http://api:3000' }).api).toEqual({
      url: 'http://api:3000',
    });
  });

  it('names every invalid variable at once', () => {
    // Given a switch that is neither on nor off, a bad port and a bad clock
    const read = () =>
      projectorSettingsFrom({
        PROJECTOR_PORT: '3001x',
        PROJECTOR_PARK_FAILED_EVENTS: 'yes',
        CLOCK_MODE: 'fast',
      });
    // Then the start stops with each named, where "yes" used to mean "off" silently
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(
      [
        'projector: invalid configuration:',
        '  - PROJECTOR_PORT must be a port number from 0 to 65535, not "3001x"',
        '  - PROJECTOR_PARK_FAILED_EVENTS must be 1 (on) or 0 (off), not "yes"',
        '  - CLOCK_MODE must be "realtime" or "virtual", not "fast"',
      ].join('\n'),
    );
  });
});
