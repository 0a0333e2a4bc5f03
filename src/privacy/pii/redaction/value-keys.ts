import type { EntityType } from '../entity-types.js';
import { OBFUSCATED_AT, OBFUSCATED_DOT } from '../recognizers/email.js';
import { canonicalIp } from './ip-canonical.js';
import { nanpPrefix, reservedPlanParts, ukPrefix } from './phone-plans.js';

/**
 * A value with what does not change its identity folded away: the key that the operators
 * giving one value one replacement work from, so that one value written two ways in a data set
 * gets one fake (`synthetic`) or one pseudonym (`hash`), and joins on it survive. The fake
 * generators read only what the key keeps (plus layout and case, which they copy from each
 * occurrence), so equal keys give the same fake.
 *
 * - credit_card, ssn: the digits.
 * - iban: letters and digits, upper case (ISO 13616 ignores spacing and case).
 * - phone: the number as the generator reads it: a NANP number (`415 555 0134`, `1-415…`,
 *   `+1 415…`, `001 415…`) is `+1` and its ten digits, a UK one (`+44 7700…`, `+44 (0) 7700…`,
 *   `0044 7700…`) `+44` and its ten, any other `+` or `00` number `+` and its digits, else the
 *   digits. A ten-digit national number is taken to be NANP, as the generator fakes it: two
 *   fakes for one subscriber would break the joins the operator is for. An eleven-digit one
 *   after a trunk 0 (`07700 900123`) names no country (phone-plans.ts), so it stays its digits.
 * - email: as an address, the markers the email recognizer reads undone (`jane.doe [at] corp
 *   [dot] com`, `jane(at)corp.com`, `jane AT corp DOT com` are `jane.doe@corp.com`), then
 *   lower case, local part too. RFC 5321 lets a host treat local parts as case-sensitive
 *   but says relying on it "impedes interoperability and is discouraged"; mail providers fold
 *   case, so `Jane.Doe@Corp.com` and `jane.doe@corp.com` are one person. Folding two mailboxes
 *   that differ only in case gives them one fake, which reveals nothing.
 * - person_name: Unicode NFC, whitespace runs as one space, trimmed, lower case.
 * - ip_address: one spelling per address (ip-canonical.ts): RFC 5952 for IPv6, an
 *   IPv4-mapped address as its IPv4 address.
 * - other types: the value as found.
 */
export function valueKey(type: EntityType, value: string): string {
  switch (type) {
    case 'credit_card':
    case 'ssn':
      return value.replace(/\D/g, '');
    case 'iban':
      return value.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
    case 'phone':
      return phoneKey(value);
    case 'email':
      return deobfuscatedEmail(value.trim()).toLowerCase();
    case 'person_name':
      return value.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
    case 'ip_address':
      return canonicalIp(value);
    default:
      return value;
  }
}

function phoneKey(value: string): string {
  const digits = value.replace(/\D/g, '');
  const international = value.trimStart().startsWith('+');
  const uk = ukPrefix(digits, international);
  if (uk !== undefined) return `+44${digits.slice(uk.length)}`;
  const nanp = nanpPrefix(digits, international);
  if (nanp !== undefined) return `+1${digits.slice(nanp.length)}`;
  const reserved = reservedPlanParts(value);
  if (reserved !== undefined) return `+${reserved.plan.countryCode}${reserved.national}`;
  if (international) return `+${digits}`;
  return digits.startsWith('00') ? `+${digits.slice(2)}` : digits;
}

/** The email recognizer's own markers (OBFUSCATED_AT, OBFUSCATED_DOT), so that a key undoes exactly what it reads as an address. */
const AT_MARKER = new RegExp(OBFUSCATED_AT, 'i');
const DOT_MARKER = new RegExp(OBFUSCATED_DOT, 'gi');

function deobfuscatedEmail(value: string): string {
  if (value.includes('@')) return value;
  const at = AT_MARKER.exec(value);
  if (at === null) return value;
  const domain = value.slice(at.index + at[0].length).replace(DOT_MARKER, '.');
  return `${value.slice(0, at.index)}@${domain}`;
}
