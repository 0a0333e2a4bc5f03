import { isIPv4, isIPv6 } from 'node:net';

/**
 * One spelling per IP address, so that `2001:db8:0:0:0:0:0:1`, `2001:DB8::1` and
 * `2001:db8:0::1` are one value to the operators (value-keys.ts) and get one fake or token.
 *
 * IPv6 is written as RFC 5952 §4 recommends: lower case, no leading zeros, the longest run of
 * two or more zero groups as `::` (the first of equal runs), a single zero group left as `0`.
 * An IPv4-mapped address (`::ffff:192.0.2.1`, `::ffff:c000:201`) is the IPv4 address it maps,
 * written as dotted decimal: it is that host. A zone (`fe80::1%eth0`) is kept as written.
 *
 * Written here because node:net validates addresses (isIPv6) but has no formatter, and
 * `new URL('http://[…]')` canonicalises only as a side effect of URL parsing (it rejects
 * zones and keeps mapped addresses in IPv6 form). Anything that is not an address comes back
 * trimmed and in lower case, as the key was before.
 */
export function canonicalIp(value: string): string {
  const trimmed = value.trim();
  if (isIPv4(trimmed)) return trimmed;
  const percent = trimmed.indexOf('%');
  const address = percent === -1 ? trimmed : trimmed.slice(0, percent);
  const zone = percent === -1 ? '' : trimmed.slice(percent);
  if (!isIPv6(address)) return trimmed.toLowerCase();
  const groups = ipv6Groups(address.toLowerCase());
  if (groups === undefined) return trimmed.toLowerCase();
  if (zone === '' && isV4Mapped(groups)) return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  return formatIpv6(groups) + zone;
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded dotted IPv4 tail as its two groups). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // `::ffff:192.0.2.1` as `::ffff:c000:201`: the dotted tail is the last two groups.
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const hex = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const doubleColon = text.indexOf('::');
  const head = doubleColon === -1 ? hex(text) : hex(text.slice(0, doubleColon));
  const rest = doubleColon === -1 ? [] : hex(text.slice(doubleColon + 2));
  const missing = 8 - head.length - rest.length;
  if (missing < 0 || (doubleColon === -1 && missing !== 0)) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...rest];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** ::ffff:0:0/96 (RFC 4291 §2.5.5.2). */
function isV4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
}

function formatIpv6(groups: readonly number[]): string {
  // The longest run of zero groups, at least two long; the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (gs: readonly number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}
