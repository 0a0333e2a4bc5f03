import { describe, expect, it } from 'vitest';
import { canonicalIp } from '../../src/threat/ip-address.js';

describe('canonicalIp', () => {
  it('gives one spelling per address', () => {
    expect(canonicalIp('203.0.113.7')).toBe('203.0.113.7');
    expect(canonicalIp('2001:DB8:0:0:0::1')).toBe('2001:db8::1');
    for (const mapped of ['::ffff:1.2.3.4', '0:0:0:0:0:ffff:1.2.3.4', '::ffff:102:304', '::FFFF:0102:0304']) expect(canonicalIp(mapped), mapped).toBe('1.2.3.4');
    for (const zoned of ['fe80::1%eth0', 'fe80::1%eth0%x', 'fe80:0:0::1%1%2']) expect(canonicalIp(zoned), zoned).toBe('fe80::1');
  });

  it('answers null, never throws, for what is not an address', () => {
    for (const junk of ['', 'not-an-ip', '%eth0', '1.2.3', '::1::2', '[::1]', '2001:db8::1/64', 'x'.repeat(10_000)]) expect(canonicalIp(junk), junk.slice(0, 20)).toBeNull();
  });
});
