import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RecentCredentials } from '../../src/identity/recent-credentials.js';

describe('RecentCredentials', () => {
  it('answers until the ttl or the credential end, whichever comes first', () => {
    const recent = new RecentCredentials<string>(1000);
    recent.set('a', 'alice', 0, 10_000, 20_000);
    recent.set('b', 'bob', 0, 10_000, 10_300);
    expect(recent.get('a', 0, 10_999)).toBe('alice');
    expect(recent.get('a', 0, 11_000)).toBeUndefined();
    expect(recent.get('b', 0, 10_299)).toBe('bob');
    expect(recent.get('b', 0, 10_300)).toBeUndefined();
  });

  it('never answers with an entry read before a change (revision)', () => {
    const recent = new RecentCredentials<string>(1000);
    recent.set('a', 'alice', 7, 0, 5000);
    expect(recent.get('a', 8, 1)).toBeUndefined();
    // Dropped, not revived by the old revision.
    expect(recent.get('a', 7, 2)).toBeUndefined();
  });

  it('does not keep a credential that has already ended, and drops the oldest when full', () => {
    const recent = new RecentCredentials<number>(1000, 3);
    recent.set('ended', 0, 0, 500, 500);
    expect(recent.get('ended', 0, 500)).toBeUndefined();
    for (const [i, key] of ['k1', 'k2', 'k3', 'k4'].entries()) recent.set(key, i, 0, 0, 5000);
    expect(['k1', 'k2', 'k3', 'k4'].map((k) => recent.get(k, 0, 1))).toEqual([undefined, 1, 2, 3]);
  });

  it('keys credentials by their SHA-256, never by the token itself', () => {
    const key = RecentCredentials.key('lts_secret-token');
    expect(key).not.toContain('secret');
    expect(key).toBe(createHash('sha256').update('lts_secret-token').digest('base64'));
  });
});
