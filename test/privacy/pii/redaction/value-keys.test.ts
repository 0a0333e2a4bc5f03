import { describe, expect, it } from 'vitest';
import type { EntityType } from '../../../../src/privacy/pii/entity-types.js';
import { canonicalIp } from '../../../../src/privacy/pii/redaction/ip-canonical.js';
import { redactText } from '../../../../src/privacy/pii/redaction/operators.js';
import { syntheticValue } from '../../../../src/privacy/pii/redaction/synthetic-values.js';
import { valueKey } from '../../../../src/privacy/pii/redaction/value-keys.js';

/** One value written several ways is one value to `hash` and `synthetic`: review M3 (obfuscated emails, IPv6 forms), L2 (national phones). */

const key = new Uint8Array(32).fill(9);
const seed = new Uint8Array(32).fill(0x42);
const tokenOf = (type: EntityType, value: string) => redactText(value, [{ start: 0, end: value.length, type, score: 1, recognizer: 'test' }], { method: 'hash', key }).text;

const oneValue = (type: EntityType, spellings: string[]) => {
  expect(new Set(spellings.map((s) => tokenOf(type, s))).size, spellings.join(' | ')).toBe(1);
  expect(new Set(spellings.map((s) => syntheticValue(seed, type, s))).size, spellings.join(' | ')).toBe(1);
};

describe('email keys', () => {
  it('read obfuscated addresses as the email recognizer does', () => {
    oneValue('email', [
      'jane.doe@corp.com',
      'jane.doe [at] corp [dot] com',
      'jane.doe(at)corp.com',
      'Jane.Doe AT Corp DOT com',
      'jane.doe {at} corp {dot} com',
      'jane.doe <at> corp.com',
    ]);
    expect(valueKey('email', 'jane.doe [at] mail [dot] corp [dot] co [dot] uk')).toBe('jane.doe@mail.corp.co.uk');
    expect(tokenOf('email', 'john.doe [at] corp [dot] com')).not.toBe(tokenOf('email', 'jane.doe@corp.com'));
  });
});

describe('ip_address keys', () => {
  it('are one per address: RFC 5952 for IPv6, IPv4-mapped as IPv4', () => {
    oneValue('ip_address', ['2001:db8:85a3::8a2e:370:7334', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:db8:85a3:0:0:8a2e:370:7334', '2001:DB8:85A3::8A2E:370:7334']);
    expect(new Set(['192.0.2.1', '::ffff:192.0.2.1', '::ffff:c000:201'].map((s) => tokenOf('ip_address', s))).size).toBe(1);
    expect(tokenOf('ip_address', '2001:db8::1')).not.toBe(tokenOf('ip_address', '2001:db8::2'));
  });

  it('a mapped address gets its IPv4 address\'s fake, written mapped', () => {
    const v4 = syntheticValue(seed, 'ip_address', '192.0.2.1');
    expect(syntheticValue(seed, 'ip_address', '::ffff:192.0.2.1')).toBe(`::ffff:${v4}`);
  });

  it.each([
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of equal runs
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group stays
    ['0:0:0:0:0:0:0:0', '::'],
    ['::FFFF:C000:0201', '192.0.2.1'],
    ['fe80::0001%eth0', 'fe80::1%eth0'],
    ['10.1.2.3', '10.1.2.3'],
    ['not an address', 'not an address'],
  ])('canonicalIp(%s) is %s', (input, canonical) => {
    expect(canonicalIp(input)).toBe(canonical);
  });
});

describe('phone keys', () => {
  it('an eleven-digit national number after a trunk 0 names no country: not the UK number', () => {
    // Berlin 030 12345678 was read as the UK number +44 30 1234 5678 and shared its token.
    expect(tokenOf('phone', '030 12345678')).not.toBe(tokenOf('phone', '+44 301 234 5678'));
    expect(valueKey('phone', '090-1234-5678')).toBe('09012345678');
    expect(new Set(['+44 7911 123456', '+44 (0) 7911 123456', '0044 7911 123456'].map((s) => tokenOf('phone', s))).size).toBe(1);
  });
});
