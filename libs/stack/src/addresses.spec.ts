import { stackAddress } from './addresses.js';

describe('where a client finds the apps of a running stack', () => {
  it('follows the ports and hosts npm start was given, else the default ports on loopback', () => {
    // Given the variables that place the api and the projector, When a client asks for their address,
    // Then it is the one they listen on
    expect(stackAddress({}, 'api')).toEqual({ url: 'http://127.0.0.1:3000', byDefault: true });
    expect(stackAddress({}, 'projector')).toEqual({ url: 'http://127.0.0.1:3001', byDefault: true });
    expect(stackAddress({ API_PORT: '4100', PROJECTOR_PORT: '4101' }, 'api')).toEqual({
      url: 'http://127.0.0.1:4100',
    });
    expect(stackAddress({ API_PORT: '4100', PROJECTOR_PORT: '4101' }, 'projector')).toEqual({
      url: 'http://127.0.0.1:4101',
    });
    expect(stackAddress({ API_HOST: '192.168.1.5', API_PORT: ' 4100 ' }, 'api')).toEqual({
      url: 'http://192.168.1.5:4100',
    });
    expect(stackAddress({ PROJECTOR_HOST: 'switchboard.lan' }, 'projector')).toEqual({
      url: 'http://switchboard.lan:3001',
    });
    // And blank variables count as unset, as the apps read them
    expect(stackAddress({ API_HOST: ' ', API_PORT: '' }, 'api')).toEqual({
      url: 'http://127.0.0.1:3000',
      byDefault: true,
    });
  });

  it('connects over loopback to an app bound to every address, and brackets an IPv6 one', () => {
    expect(stackAddress({ API_HOST: '0.0.0.0' }, 'api')).toEqual({ url: 'http://127.0.0.1:3000' });
    expect(stackAddress({ API_HOST: '::' }, 'api')).toEqual({ url: 'http://[::1]:3000' });
    expect(stackAddress({ PROJECTOR_HOST: 'fe80::1' }, 'projector')).toEqual({
      url: 'http://[fe80::1]:3001',
    });
    expect(stackAddress({ PROJECTOR_HOST: '[::1]' }, 'projector')).toEqual({ url: 'http://[::1]:3001' });
  });

  it('takes SWITCHBOARD_API_URL and SWITCHBOARD_PROJECTOR_URL over the ports', () => {
    const env = { API_PORT: '4100', SWITCHBOARD_API_URL: 'https://api.example', PROJECTOR_PORT: '4101' };
    expect(stackAddress(env, 'api')).toEqual({ url: 'https://api.example' });
    expect(stackAddress({ ...env, SWITCHBOARD_PROJECTOR_URL: 'http://p:9' }, 'projector')).toEqual({
      url: 'http://p:9',
    });
  });

  it('names no address, saying why, when the environment cannot tell it', () => {
    // Given a port of 0 (the app picks one) or a value that is no port or URL,
    // When a client asks, Then it gets the reason instead of a made-up address
    expect(stackAddress({ API_PORT: '0' }, 'api')).toEqual({
      problem: 'API_PORT is 0, so the api listens on a port it picks itself',
    });
    expect(stackAddress({ PROJECTOR_PORT: '3001x' }, 'projector')).toEqual({
      problem: 'PROJECTOR_PORT must be a port number from 1 to 65535, not "3001x"',
    });
    expect(stackAddress({ API_PORT: '65536' }, 'api')).toHaveProperty('problem');
    expect(stackAddress({ SWITCHBOARD_API_URL: '127.0.0.1:3000' }, 'api')).toEqual({
      problem: 'SWITCHBOARD_API_URL must be an http(s) URL, not "127.0.0.1:3000"',
    });
  });

  it('reads only variables the environment holds, not members of every object', () => {
    expect(stackAddress(Object.create({ API_PORT: '9' }) as NodeJS.ProcessEnv, 'api')).toEqual({
      url: 'http://127.0.0.1:3000',
      byDefault: true,
    });
  });

  it('tells a default address apart from one the environment gives, even when they are alike', () => {
    // Given no variable placing the api, When a client asks, Then the address is marked as the default
    expect(stackAddress({ PROJECTOR_PORT: '4101' }, 'api')).toEqual({
      url: 'http://127.0.0.1:3000',
      byDefault: true,
    });
    // Given any one variable placing it, even to the default's value, Then it is the environment's
    expect(stackAddress({ API_PORT: '3000' }, 'api')).toEqual({ url: 'http://127.0.0.1:3000' });
    expect(stackAddress({ API_HOST: '127.0.0.1' }, 'api')).toEqual({ url: 'http://127.0.0.1:3000' });
  });
});
