import type { Finding } from '../entity-types.js';
import type { Recognizer } from '../recognizer.js';

const NAME = 'email.rfc5322';
// The shape alone (local@domain.tld with a real TLD) is unambiguous: no context needed.
const SCORE = 1.0;
const MAX_LOCAL_LENGTH = 64; // RFC 5321 §4.5.3.1.1
const MAX_DOMAIN_LENGTH = 253;

/**
 * The domain after the `@`: dot-separated labels (letters, digits, inner hyphens; any Unicode
 * letter for IDNs) and a TLD of 2+ letters or an `xn--` punycode TLD, then no further
 * label character. Sticky, so it only ever runs at an `@`.
 */
// At most 126 labels and a TLD (RFC 1035 caps a name at 253 characters, two a label): an
// unbounded repeat overflowed the regex engine's stack on millions of "aaaa." after an `@`.
const DOMAIN =
  /(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.){1,126}(?:\p{L}{2,63}|xn--[a-z0-9-]{2,59})(?![\p{L}\p{N}_-])/uy;

/**
 * "TLDs" that are really file extensions: `logo@2x.png`, `icon@3x.jpg` and similar asset names
 * are common in code and markup and none of these is a delegated TLD.
 */
const FILE_EXTENSIONS = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp', 'ico', 'tiff', 'pdf', 'txt', 'json',
  'yaml', 'yml', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'css', 'scss', 'html', 'htm', 'xml',
  'csv', 'log', 'exe', 'dll',
]);

/**
 * The practical dot-atom subset of RFC 5322 local parts: letters, digits and `. _ % + -`.
 * The rarer atext characters (`! # $ & ' * / = ? ^ { | } ~`) are left out on purpose: in
 * running text they are far more often the punctuation around an address (`'a@b.com'`,
 * `url=a@b.com`) than part of it.
 */
function isLocalPartChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2e || code === 0x5f || code === 0x25 || code === 0x2b || code === 0x2d // . _ % + -
  );
}

/**
 * Index where the local part ending just before `at` begins, or -1 when there is none
 * (a bare `@handle`) or it breaks dot-atom rules (leading, trailing or doubled dot).
 */
function localPartStart(text: string, at: number): number {
  let start = at;
  let doubleDot = -1; // where the ".." nearest to `at` starts
  while (start > 0 && at - start < MAX_LOCAL_LENGTH && isLocalPartChar(text.charCodeAt(start - 1))) {
    start--;
    if (doubleDot === -1 && text.charCodeAt(start) === 0x2e && text.charCodeAt(start + 1) === 0x2e) doubleDot = start;
  }
  if (start > 0 && isLocalPartChar(text.charCodeAt(start - 1))) return -1; // longer than RFC 5321 allows
  while (text.charCodeAt(start) === 0x2e) start++; // "...john@x.com": the address starts after the dots
  if (start === at || text.charCodeAt(at - 1) === 0x2e) return -1;
  // a ".." left inside the local part breaks dot-atom rules (checked in the walk, not on a slice)
  return doubleDot >= start ? -1 : start;
}

/** Longer userinfo than this is not looked back over: real ones are a user and a password. */
const MAX_USERINFO_LENGTH = 256;

/**
 * The `@` ends a URL's userinfo (`scheme://user:pa!ss@host`, RFC 3986 §3.2.1): the part before
 * it is a user and password, whatever characters the password holds, not a mailbox. Looked back
 * from the `@` to the `//` that opens the authority; a `/` on the way means the `@` is in a path
 * (`https://host/u/ann@example.com`), whitespace or a quote that there is no URL.
 */
function endsUrlUserinfo(text: string, at: number): boolean {
  const limit = Math.max(2, at - MAX_USERINFO_LENGTH);
  for (let i = at - 1; i >= limit; i--) {
    const code = text.charCodeAt(i);
    if (code === 0x2f) return text.charCodeAt(i - 1) === 0x2f && text.charCodeAt(i - 2) === 0x3a; // "://"
    if (code <= 0x20 || code === 0x22 || code === 0x27 || code === 0x3c || code === 0x3e) return false; // blank " ' < >
  }
  return false;
}

/** Email addresses (practical RFC 5322 / 6531: dot-atom local part, IDN and punycode domains). */
export const emailRecognizer: Recognizer = {
  name: NAME,
  type: 'email',
  contextWords: ['email', 'e-mail', 'mail', 'contact', 'courriel', 'correo'],
  find(text: string): Finding[] {
    const findings: Finding[] = [];
    let at = text.indexOf('@');
    while (at !== -1) {
      const start = localPartStart(text, at);
      if (start !== -1 && !endsUrlUserinfo(text, at)) {
        DOMAIN.lastIndex = at + 1;
        const domain = DOMAIN.exec(text);
        if (domain !== null && domain[0].length <= MAX_DOMAIN_LENGTH) {
          const tld = domain[0].slice(domain[0].lastIndexOf('.') + 1).toLowerCase();
          if (!FILE_EXTENSIONS.has(tld)) {
            const end = at + 1 + domain[0].length;
            findings.push({ start, end, type: 'email', score: SCORE, recognizer: NAME });
            at = text.indexOf('@', end);
            continue;
          }
        }
      }
      at = text.indexOf('@', at + 1);
    }
    return findings;
  },
};
