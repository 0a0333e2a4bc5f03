import { isIPv4, isIPv6 } from 'node:net';
import type { Finding } from '../entity-types.js';
import type { Recognizer } from '../recognizer.js';

const NAME = 'ip_address.net';
// Validated by node:net and not preceded by a version word: strong on its own.
const SCORE = 0.95;

/**
 * Four dotted decimal groups, not part of a longer dotted or alphanumeric token (so `v1.2.3.4`,
 * `1.2.3.4.5` and `a1.2.3.4` never start or end a candidate). Octets with leading zeros
 * (`01.02.03.04`) are refused by `isIPv4`: they are ambiguous (inet_aton reads them as octal)
 * and in text they are far more often zero-padded numbering than addresses.
 */
const IPV4 = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)/g; // ASCII boundaries, no `u`: Unicode-mode scans measured up to 4× slower

/**
 * Hex groups with 2–7 colons, optionally ending in an embedded IPv4 (`::ffff:192.0.2.1`);
 * every compressed form is a sub-case. It over-matches (times, MACs) on purpose: `isIPv6`
 * then decides. Sticky: it is only tried where a colon says an address may start (a global
 * scan would try every hex letter of ordinary prose, measured 3× slower).
 */
const IPV6_BODY = String.raw`(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})(?!\w|\.\d)`;
const IPV6 = new RegExp(String.raw`(?<![\w:.])${IPV6_BODY}`, 'y');
/**
 * The same address glued to a key by its colon, `ip:2001:db8::1`, `addr:fe80::1`: tried from
 * after that colon, where IPV6's look-behind (no colon before) refuses it.
 */
const IPV6_AFTER_KEY = new RegExp(IPV6_BODY, 'y');
/** The key before such a colon: letters, `_` or `-`, after no other colon (`a:b:c::1` is no key). */
const KEY_BEFORE = /(?<![\w:.-])[A-Za-z][\w-]{0,31}$/;
/** The longest run of hex digits and colons an address can have before any of its colons (a full address is 39 characters). */
const MAX_IPV6_PREFIX = 39;

function isHexOrColon(code: number): boolean {
  return (code >= 48 && code <= 58) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102); // 0-9 : A-F a-f
}

/** Where an IPv6 address containing the colon at `colon` would start: the run of hex digits and colons before it. */
function ipv6StartBefore(text: string, colon: number): number {
  let start = colon;
  while (start > 0 && colon - start < MAX_IPV6_PREFIX && isHexOrColon(text.charCodeAt(start - 1))) start--;
  return start;
}

/**
 * A word right before a dotted quad that makes it a version number (`semver 10.0.0.1`) or a
 * section number (`§ 11.6.2.2`, `section 4.2.1.3`), not an address.
 */
const NUMBERING_WORD_BEFORE = /(?:^|[^\p{L}])(?:version|ver|v|semver|release|build|rev|sections?|sec|chapter|clause)\.?\s*[:#]?\s*\[?$|§§?\s*\[?$/iu;
const VERSION_LOOKBEHIND = 16;
/**
 * A Debian Standards-Version, or a bump to a version: `Bump standards version to 3.7.2.0`,
 * `bump standards to 4.5.0.2`, `Standards-Version: 3.9.8.0`. And a version-named function given
 * the quad as a string: `compareVersions('1.10.2.1', …)`. Not any "version … to/from": "the new
 * version from 192.168.1.20" is a download from an address.
 */
const VERSION_PHRASE_BEFORE =
  /(?:(?:^|[^\p{L}])standards(?:[- ]version)?[ \t]*(?:to|is|=|:)?[ \t]+|(?:^|[^\p{L}])bump(?:ed|s)?(?:[ \t]+(?!(?:the|a|an|ip|host|server|address|addr|gateway|router|node|proxy|upstream|dns|resolver)\b)[\p{L}\d.-]+){0,3}[ \t]+to[ \t]+|versions?\p{L}*\([ \t]*['"`])$/iu;
const VERSION_PHRASE_LOOKBEHIND = 40;
/**
 * An X.509/ASN.1 object identifier (first arc 0, 1 or 2) quoted in code after `case`, `type:`
 * or an `oid` name: `case '2.5.29.19':`, `type: '1.3.101.110'`, `OID 2.5.29.19`.
 */
const OID_CUE_BEFORE = /(?:^|[^\p{L}])(?:(?:case|type)[ \t]*[:=]?[ \t]*['"`]|oid\p{L}*['"`]?[ \t]*[:=(]?[ \t]*['"`]?)$/iu;

function followsNumberingWord(text: string, start: number, quad: string): boolean {
  if (NUMBERING_WORD_BEFORE.test(text.slice(Math.max(0, start - VERSION_LOOKBEHIND), start))) return true;
  const before = text.slice(Math.max(0, start - VERSION_PHRASE_LOOKBEHIND), start);
  if (VERSION_PHRASE_BEFORE.test(before)) return true;
  return quad.charCodeAt(0) <= 0x32 && quad.charCodeAt(1) === 0x2e && OID_CUE_BEFORE.test(before); // 0. 1. 2.
}

/**
 * A Debian package version in a changelog header, `xft (2.1.8.2-8) unstable;`, `erlang
 * (1:24.3.4.5+dfsg-1) unstable`: right after `(` with an optional `N:` epoch, up to `)`, with the
 * epoch or a `-revision`, `+dfsg`, `~rc` suffix (`(10.0.0.1)` alone stays an address, and so does
 * a range `(10.0.0.1-10.0.0.5)`).
 */
const DEBIAN_OPEN_BEFORE = /\((\d{1,3}:)?$/;
// a Debian revision starts with a digit (`-8`, `-1ubuntu2`); `+dfsg`, `~rc1` as they are; not `-lan`, nor a range's second address
const DEBIAN_SUFFIX_AFTER = /^(?:-(?!\d{1,3}(?:\.\d{1,3}){3}(?![\w.]))\d[\w.+~:-]*|[+~][\w.+~:-]*)?\)/;

function isDebianVersion(text: string, start: number, end: number): boolean {
  if (text.charCodeAt(end) === 0x2e /* . */) return false;
  const open = DEBIAN_OPEN_BEFORE.exec(text.slice(Math.max(0, start - 5), start));
  if (open === null) return false;
  const suffix = DEBIAN_SUFFIX_AFTER.exec(text.slice(end, end + 40));
  return suffix !== null && (open[1] !== undefined || suffix[0].length > 1);
}

/**
 * A quad that is a whole Markdown link's text pointing at a section anchor elsewhere,
 * `[7.6.1.1](http://es5.github.io/#x7.6.1.1)`: a cross-reference to a numbered section. A link
 * without an anchor (`[10.0.0.1](http://router.local/admin)`), or to the address itself, stays.
 */
function isSectionLink(text: string, start: number, end: number, quad: string): boolean {
  if (text.charCodeAt(start - 1) !== 0x5b || text.charCodeAt(end) !== 0x5d || text.charCodeAt(end + 1) !== 0x28) return false; // [ ] (
  const window = text.slice(end + 2, end + 200); // bounded: a search to the text's end for every "[quad](" was quadratic
  const close = window.indexOf(')');
  const url = close === -1 ? window : window.slice(0, close);
  // the anchor names the section: `#x7.6.1.1`, `#sec-7.6.1.1`, not any fragment (`http://router.local/admin#login`)
  const anchor = url.slice(url.indexOf('#') + 1);
  return url.includes('#') && anchor.includes(quad) && !url.includes('//' + quad) && !url.includes('@' + quad);
}

/**
 * A dotted quad numbering a title: it opens a line (after `#` marks or blanks) or a bracket and
 * one space and a title-case word follow, `[11.6.2.2 Future Reserved Words]`, `11.6.2.2 Future
 * Reserved Words` as a specification's headings and cross-references write them. An address is
 * followed by a port, a bracket, punctuation or lower-case words (`10.0.0.1 - - [12/Mar/2024…`,
 * `[10.0.0.1]:8080`). Section numbers stay small, so a group of 100 or more keeps the quad an
 * address even there (`192.168.1.1 Router Login`).
 */
const TITLE_AFTER = /^ \p{Lu}\p{Ll}/u;
const MAX_SECTION_GROUP = 99;

function numbersTitle(text: string, start: number, end: number, quad: string): boolean {
  if (!TITLE_AFTER.test(text.slice(end, end + 3)) || !opensHeading(text, start)) return false;
  return quad.split('.').every((group) => Number(group) <= MAX_SECTION_GROUP);
}

/** `start` follows a `[`, or only blanks and `#` marks on its line. */
function opensHeading(text: string, start: number): boolean {
  if (text.charCodeAt(start - 1) === 0x5b) return true; // [
  let i = start;
  for (let code = text.charCodeAt(i - 1); code === 0x20 || code === 0x09 || code === 0x23; code = text.charCodeAt(i - 1)) i--; // space, tab, #
  return i === 0 || text.charCodeAt(i - 1) === 0x0a || text.charCodeAt(i - 1) === 0x0d;
}

/**
 * Colon-separated hex running on past the candidate on either side (`C1:98:4A:3E:F4:5C:1E:2A:91:85…`,
 * a certificate fingerprint of 16 or 32 groups), more than the eight groups an address has, or
 * eight groups of exactly two hex digits (a 64-bit fingerprint or EUI-64): bytes, not an address.
 */
function isHexByteRun(text: string, start: number, end: number, candidate: string, afterKey: boolean): boolean {
  if ((!afterKey && text.charCodeAt(start - 1) === 0x3a) || (text.charCodeAt(end) === 0x3a && isHexOrColon(text.charCodeAt(end + 1)))) return true;
  const groups = candidate.split(':');
  return groups.length === 8 && groups.every((group) => group.length === 2);
}

/** The IPv6 candidate where a run of hex digits and colons starts at `start`, or right after a key's colon there. */
function ipv6At(text: string, start: number): { start: number; candidate: string; afterKey: boolean } | null {
  IPV6.lastIndex = start;
  const match = IPV6.exec(text);
  if (match !== null) return { start, candidate: match[0], afterKey: false };
  // the run's first colon, after a key whose last letters may be hex (`ipv6:`, `id:`); one colon: `::` is no key's
  const colon = text.indexOf(':', start);
  const after = text.charCodeAt(colon + 1);
  // a hex digit first: most colons of prose ("Note: …") are turned away here, before the look-back
  if (after === 0x3a || !isHexOrColon(after) || !KEY_BEFORE.test(text.slice(Math.max(0, colon - 33), colon))) return null;
  IPV6_AFTER_KEY.lastIndex = colon + 1;
  const glued = IPV6_AFTER_KEY.exec(text);
  return glued === null ? null : { start: colon + 1, candidate: glued[0], afterKey: true };
}

/**
 * `::` alone and two-group forms such as `a::b` pass `isIPv6` but in text are C++/Rust paths or
 * punctuation; an address needs two non-empty groups (`fe80::1`), or is the loopback `::1`.
 */
function isPlausibleIPv6(candidate: string): boolean {
  if (candidate === '::1') return true;
  let groups = 0;
  for (const group of candidate.split(':')) if (group !== '') groups++;
  return groups >= 2;
}

/** IPv4 and IPv6 addresses (all compressed forms, IPv4-mapped), validated by node:net. */
export const ipAddressRecognizer: Recognizer = {
  name: NAME,
  type: 'ip_address',
  contextWords: ['ip', 'ip address', 'ipv4', 'ipv6', 'address', 'host', 'server', 'client', 'remote', 'from'],
  negativeContextWords: ['version', 'ver', 'v', 'release', 'build'],
  find(text: string): Finding[] {
    const findings: Finding[] = [];
    let lastTriedStart = -1;
    for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
      let start = ipv6StartBefore(text, colon);
      if (start === lastTriedStart) continue; // the same run as the previous colon
      lastTriedStart = start;
      const match = ipv6At(text, start);
      if (match === null) continue;
      let candidate = match.candidate;
      start = match.start;
      // "at 2001:db8::1: refused" — a trailing colon is punctuation, not an empty group
      if (candidate.endsWith(':') && !candidate.endsWith('::')) candidate = candidate.slice(0, -1);
      if (!isIPv6(candidate) || !isPlausibleIPv6(candidate)) continue;
      const end = start + candidate.length;
      if (candidate.length > 16 && isHexByteRun(text, start, end, candidate, match.afterKey)) {
        while (colon < text.length && isHexOrColon(text.charCodeAt(colon))) colon++; // past the whole run
        continue;
      }
      findings.push({ start, end, type: 'ip_address', score: SCORE, recognizer: NAME });
      colon = end - 1;
    }
    const ipv6Count = findings.length;
    let nextIPv6 = 0; // both passes run left to right, so one pointer finds the enclosing IPv6
    IPV4.lastIndex = 0;
    for (let match = IPV4.exec(text); match !== null; match = IPV4.exec(text)) {
      const start = match.index;
      const end = start + match[0].length;
      if (!isIPv4(match[0]) || followsNumberingWord(text, start, match[0]) || numbersTitle(text, start, end, match[0])) continue;
      if (isDebianVersion(text, start, end) || isSectionLink(text, start, end, match[0])) continue;
      while (nextIPv6 < ipv6Count && (findings[nextIPv6]?.end ?? 0) < end) nextIPv6++;
      const enclosing = nextIPv6 < ipv6Count ? findings[nextIPv6] : undefined;
      if (enclosing !== undefined && enclosing.start <= start) continue; // the tail of ::ffff:192.0.2.1
      findings.push({ start, end, type: 'ip_address', score: SCORE, recognizer: NAME });
    }
    return ipv6Count === 0 ? findings : findings.sort((a, b) => a.start - b.start);
  },
};
