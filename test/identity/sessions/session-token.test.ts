import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestsMatch, mintSessionToken, parseSessionToken, sessionTokenDigest } from '../../../src/identity/sessions/session-token.js';

describe('session tokens', () => {
  it('mints lts_<32 hex id>_<256-bit base64url secret> and its SHA-256 digest', () => {
    const minted = mintSessionToken();
    expect(minted.token).toMatch(/^lts_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(minted.token.startsWith(`lts_${minted.id}_`)).toBe(true);
    expect(Buffer.from(minted.token.slice(37), 'base64url')).toHaveLength(32);
    expect(minted.digest).toBe(createHash('sha256').update(minted.token).digest('hex'));
    expect(parseSessionToken(minted.token)).toEqual({ id: minted.id, token: minted.token });
    expect(new Set(Array.from({ length: 100 }, () => mintSessionToken().token)).size).toBe(100);
  });

  it('parses only the exact shape, with one spelling per secret', () => {
    const { token } = mintSessionToken();
    for (const bad of ['', 'lts_', token + 'A', token.slice(0, -1), token.replace('lts_', 'ltx_'), token.toUpperCase(), ` ${token}`, token.replace(/_/, '-')]) {
      expect(parseSessionToken(bad)).toBeNull();
    }
    for (const bad of [null, undefined, 42, { token }]) expect(parseSessionToken(bad)).toBeNull();
    // 43 base64url characters carry 258 bits; the last two must be zero. 'A' -> 'B' sets one.
    const canonical = `lts_${'0'.repeat(32)}_${Buffer.alloc(32).toString('base64url')}`;
    expect(parseSessionToken(canonical)).not.toBeNull();
    expect(parseSessionToken(canonical.slice(0, -1) + 'B')).toBeNull();
  });

  it('compares digests in full', () => {
    const a = sessionTokenDigest('lts_a');
    expect(digestsMatch(a, a)).toBe(true);
    expect(digestsMatch(a, sessionTokenDigest('lts_b'))).toBe(false);
    expect(digestsMatch(a, a.slice(0, 62))).toBe(false);
    expect(digestsMatch('', '')).toBe(false);
  });
});
