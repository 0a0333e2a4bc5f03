import { describe, expect, it } from 'vitest';
import { secretsEqual } from '../../src/core/constant-time.js';

describe('secretsEqual', () => {
  it('is true for equal strings only, whatever their lengths', () => {
    expect(secretsEqual('ltsso_abc', 'ltsso_abc')).toBe(true);
    expect(secretsEqual('ltsso_abc', 'ltsso_abd')).toBe(false);
    expect(secretsEqual('short', 'a much longer secret string')).toBe(false);
    expect(secretsEqual('', '')).toBe(true);
    expect(secretsEqual('é', 'e\u0301')).toBe(false); // compared as UTF-8 bytes, not normalised
  });
});
