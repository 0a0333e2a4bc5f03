import { describe, expect, it } from 'vitest';
import { ipAddressRecognizer } from '../../../../src/privacy/pii/recognizers/ip-address.js';

const values = (text: string): string[] => ipAddressRecognizer.find(text).map((f) => text.slice(f.start, f.end));

describe('ipAddressRecognizer', () => {
  it('finds an RFC 5737 IPv4 address with exact offsets', () => {
    const text = 'Login from 192.0.2.146 failed';
    const [finding] = ipAddressRecognizer.find(text);
    expect(finding).toMatchObject({ start: 11, end: 22, type: 'ip_address', recognizer: 'ip_address.net' });
    expect(finding?.score).toBeGreaterThanOrEqual(0.95);
  });

  it('finds all three RFC 5737 documentation ranges, with ports and CIDR suffixes', () => {
    expect(values('hosts 192.0.2.1, 198.51.100.23:8080 and 203.0.113.0/24.')).toEqual([
      '192.0.2.1',
      '198.51.100.23',
      '203.0.113.0',
    ]);
    expect(values('0.0.0.0 and 255.255.255.255')).toEqual(['0.0.0.0', '255.255.255.255']);
  });

  it('finds RFC 3849 IPv6 addresses in full and compressed forms', () => {
    expect(values('peer 2001:0db8:85a3:0000:0000:8a2e:0370:7334 up')).toEqual(['2001:0db8:85a3:0000:0000:8a2e:0370:7334']);
    expect(values('peer 2001:db8::1 up')).toEqual(['2001:db8::1']);
    expect(values('peer 2001:db8:0:0:1::1 and fe80::1 and ::1')).toEqual(['2001:db8:0:0:1::1', 'fe80::1', '::1']);
    expect(values('[2001:db8::8a2e:370:7334]:443')).toEqual(['2001:db8::8a2e:370:7334']);
    expect(values('refused 2001:db8::1: timeout')).toEqual(['2001:db8::1']);
  });

  it('finds an IPv6 address glued to its key by a colon, and no key or fingerprint as one', () => {
    expect(values('ip:2001:db8::1 addr:fe80::1, ipv6:2001:0db8:85a3:0000:0000:8a2e:0370:7334')).toEqual(['2001:db8::1', 'fe80::1', '2001:0db8:85a3:0000:0000:8a2e:0370:7334']);
    expect(ipAddressRecognizer.find('ip:2001:db8::1')[0]).toMatchObject({ start: 3, end: 14 });
    expect(values('fingerprint:C1:98:4A:3E:F4:5C:1E:2A:91:85:7B:0C:33:D2:6E:AA')).toEqual([]);
    expect(values('mac:00:1a:2b:3c:4d:5e at:12:30:45 x:y::1 ip::1')).toEqual([]);
  });

  it('reports an IPv4-mapped IPv6 address once, whole', () => {
    const text = 'client ::ffff:192.0.2.128 connected';
    expect(values(text)).toEqual(['::ffff:192.0.2.128']);
  });

  it('returns IPv6 and IPv4 findings in text order', () => {
    expect(values('203.0.113.9 then 2001:db8::2 then 198.51.100.7')).toEqual(['203.0.113.9', '2001:db8::2', '198.51.100.7']);
  });

  it('refuses out-of-range octets and leading zeros', () => {
    expect(values('256.1.1.1 999.0.0.1 192.168.1.300')).toEqual([]);
    expect(values('01.02.03.04')).toEqual([]);
  });

  it('refuses version strings and longer dotted numbers', () => {
    expect(values('version 1.2.3.4')).toEqual([]);
    expect(values('v1.2.3.4 and ver. 10.0.0.1 and build 4.3.2.1 and release: 2.0.0.1')).toEqual([]);
    expect(values('1.2.3.4.5 and 10.1.2.3.4')).toEqual([]);
  });

  it('refuses times, MAC addresses and code paths that look like IPv6', () => {
    expect(values('at 12:30:45 from 00:1a:2b:3c:4d:5e')).toEqual([]);
    expect(values('std::vector and a :: b and Vec::new()')).toEqual([]);
    expect(values('2001:db8:::1 and 2001:db8::g')).toEqual([]);
  });

  it('refuses section numbers: after § or a numbering word, and opening a heading or a bracket before a title', () => {
    expect(values('[11.6.2.2 Future Reserved Words]')).toEqual([]);
    expect(values('intro\n## 11.6.2.2 Future Reserved Words\n11.6.2.3 Keywords')).toEqual([]);
    expect(values('see § 11.6.2.2 and section 4.2.1.3, semver 10.0.0.1')).toEqual([]);
  });

  it('keeps addresses next to the same words, brackets and line starts', () => {
    expect(values('server 192.168.100.200')).toEqual(['192.168.100.200']);
    expect(values('[10.0.0.1]:8080 and ip=11.6.2.2 and [10.0.0.2 port 22]')).toEqual(['10.0.0.1', '11.6.2.2', '10.0.0.2']);
    expect(values('11.6.2.2 - - [12/Mar/2024:21:59:01] GET\n192.168.1.1 Router Login\nfrom 11.6.2.2 Future')).toEqual(['11.6.2.2', '192.168.1.1', '11.6.2.2']);
  });
});
