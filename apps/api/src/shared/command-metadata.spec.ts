import { requestDigestOf } from './command-metadata.js';

describe('requestDigestOf: what a resend under the same command id must repeat', () => {
  const request = { method: 'POST', url: '/accounts/acme/lines/15550000001/calls' };
  const digest = (body: unknown, changes: Partial<typeof request> = {}) =>
    requestDigestOf({ ...request, ...changes, body });

  it('Given the same request, When its key order, spacing or command id differ, Then the digest is the same', () => {
    const first = digest({ actor: 'alice', to: '+15550100', commandId: 'k-1' });
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(digest({ to: '+15550100', actor: 'alice' })).toBe(first);
    expect(digest({ commandId: 'k-2', to: '+15550100', actor: 'alice' })).toBe(first);
    expect(digest({ actor: 'alice', to: '+15550100' }, { url: `${request.url}?ignored=1` })).toBe(first);
  });

  it('Given another body, path or method, Then the digest differs', () => {
    const first = digest({ actor: 'alice', to: '+15550100' });
    expect(digest({ actor: 'alice', to: '+15550199' })).not.toBe(first);
    expect(digest({ actor: 'alice', to: '+15550100', at: '2026-01-05T09:00:00Z' })).not.toBe(first);
    expect(
      digest({ actor: 'alice', to: '+15550100' }, { url: '/accounts/acme/lines/15550000002/calls' }),
    ).not.toBe(first);
    expect(digest({ actor: 'alice', to: '+15550100' }, { method: 'DELETE' })).not.toBe(first);
  });

  it('Given a body nested too deep to walk, Then it has no digest (validation refuses it with a 400)', () => {
    const deep = JSON.parse(`{"actor":"alice","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`) as unknown;
    expect(digest(deep)).toBeUndefined();
  });
});
