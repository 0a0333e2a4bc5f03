import { isIP } from 'node:net';

/**
 * One spelling per address, so that counting and blocking cannot be dodged by writing it another
 * way: IPv6 compressed and lower-case (`2001:DB8:0::1` → `2001:db8::1`), an IPv4-mapped IPv6
 * address in any spelling as its IPv4 address (`::ffff:1.2.3.4`, `0:0:0:0:0:ffff:1.2.3.4`,
 * `::ffff:102:304` → `1.2.3.4`), and a link-local address without its zone (`fe80::1%eth0` →
 * `fe80::1`: the zone names this host's interface, not the peer). Null for what is not an IP
 * address.
 */
export function canonicalIp(address: string): string | null {
  const bare = address.split('%', 1)[0]!;
  const kind = isIP(bare);
  if (kind === 4) return bare;
  if (kind !== 6) return null;
  let compressed: string;
  try {
    compressed = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return null; // never throws: an address comes from whoever wrote the audit entry or sent the request
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (mapped === null) return compressed;
  const high = parseInt(mapped[1]!, 16);
  const low = parseInt(mapped[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}
