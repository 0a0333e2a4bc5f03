import { describe, expect, it } from 'vitest';
import { scannerFor } from '../../../src/privacy/pii/entity-scanner.js';

describe('scannerFor', () => {
  it('gives the same scanner for the same settings (types in any order, repeated), a different one otherwise, and scans alike', () => {
    const a = scannerFor({ types: ['email', 'phone'], threshold: 0.5 });
    expect(scannerFor({ types: ['phone', 'email', 'phone'], threshold: 0.5 })).toBe(a);
    expect(scannerFor({ types: ['email', 'phone'], threshold: 0.6 })).not.toBe(a);
    expect(scannerFor({ threshold: 0.5 })).toBe(scannerFor({ threshold: 0.5 }));
    expect(scannerFor({ threshold: 0.5 })).not.toBe(a);
    const text = 'mail ada@example.org from 198.51.100.7';
    expect(a.scan(text).map((f) => f.type)).toEqual(['email']);
    expect(a.scan(text)).toEqual(a.scan(text)); // no state carried from one scan to the next
  });
});
