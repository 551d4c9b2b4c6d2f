import { eventSchemas } from './catalogue.js';
import { dataSchemas } from './data-schemas.js';
import { EventSchemaRegistry } from './schemas.js';

describe('event schema registry', () => {
  const registry = new EventSchemaRegistry(
    { CallRang: 3 },
    {
      CallRang: {
        1: (data) => ({ ...data, alerted: data.alerted ?? [] }),
        2: (data) => ({ ...data, ringTimeoutSeconds: data.ringTimeoutSeconds ?? 30 }),
      },
    },
  );

  it('upcasts old data through every version to the current shape', () => {
    expect(registry.upcast('CallRang', 1, { callId: 'c1' })).toEqual({
      callId: 'c1',
      alerted: [],
      ringTimeoutSeconds: 30,
    });
  });

  it('leaves current data untouched and knows unversioned types as v1', () => {
    expect(registry.upcast('CallRang', 3, { callId: 'c1' })).toEqual({ callId: 'c1' });
    expect(registry.currentVersion('Unknown')).toBe(1);
  });

  it('refuses data from a newer build instead of misreading it', () => {
    expect(() => registry.upcast('CallRang', 4, {})).toThrow(/newer than this build/);
  });

  it('refuses a gap in the upcaster chain', () => {
    const broken = new EventSchemaRegistry({ X: 2 });
    expect(() => broken.upcast('X', 1, {})).toThrow(/no upcaster for X from v1/);
  });

  it('the catalogue reads every type from v1: an upcaster for each version below the current', () => {
    for (const type of Object.keys(dataSchemas)) {
      expect(() => eventSchemas.upcast(type, 1, {})).not.toThrow();
    }
  });
});
