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
//
// A TLD is written in one script: an ASCII one glued to a script written without spaces ends
// where that script starts (`john@example.jpまで`, `…@example.comครับ`, and Korean particles,
// `…@example.com으로`), rather than taking the sentence's next word as part of it.
const DOMAIN =
  /(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.){1,126}(?:[A-Za-z]{2,63}(?=[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}])|(?:\p{L}{2,63}|xn--[a-z0-9-]{2,59})(?![\p{L}\p{N}_-]))/uy;

/**
 * "TLDs" that are really file extensions: `logo@2x.png`, `icon@3x.jpg` and similar asset names
 * are common in code and markup and none of these is a delegated TLD.
 */
const FILE_EXTENSIONS = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp', 'ico', 'tiff', 'pdf', 'txt', 'json',
  'yaml', 'yml', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'css', 'scss', 'html', 'htm', 'xml',
  'csv', 'log', 'exe', 'dll', 'po', 'pot', 'gmo',
]);

/**
 * A gettext catalogue named by a locale with a modifier (`po/ca@valencia.po`, `sr@latin.mo`,
 * `en@shaw.po`): a two- or three-letter language code, maybe a region, before the `@`, and one
 * label with a catalogue extension after it (`.mo` is also Macau's TLD, so only in this shape).
 */
const LOCALE_BEFORE_AT = /^[a-z]{2,3}(?:_[A-Z]{2})?$/;
/** `.po`, `.pot`, `.gmo` are FILE_EXTENSIONS; `.mo` only after a locale and one of glibc's and GNOME's modifiers. */
const CATALOGUE_DOMAIN = /^(?:latin|cyrillic|valencia|shaw|euro|devanagari|arabic|ijekavian|ijekavianlatin|iqtelif|saaho|abegede|hebrew|ethiopic)\.mo$/;

/**
 * An scp-style git remote, `git@github.com:org/repo.git`: the user `git` and a host followed by
 * `:` and a path, not a mailbox.
 */
function isScpRemote(text: string, start: number, at: number, end: number): boolean {
  if (at - start !== 3 || text.slice(start, at).toLowerCase() !== 'git' || text.charCodeAt(end) !== 0x3a) return false; // :
  const next = text.charCodeAt(end + 1);
  return next > 0x20 && next !== 0x22 && next !== 0x27; // a path, not a blank or a closing quote
}

/**
 * The practical dot-atom subset of RFC 5322 local parts in ASCII: letters, digits and
 * `. _ % + -`. The rarer atext characters (`! # $ & * / = ? ^ { | } ~`) are left out on purpose:
 * in running text they are far more often the punctuation around an address (`url=a@b.com`)
 * than part of it. The apostrophe is taken only inside a word (`o'brien@…`, isInnerApostrophe);
 * letters and digits of other scripts as RFC 6531 allows (UNICODE_LOCAL_PART_CHAR).
 */
function isAsciiLocalPartChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2e || code === 0x5f || code === 0x25 || code === 0x2b || code === 0x2d // . _ % + -
  );
}

/**
 * RFC 6531 (SMTPUTF8) local parts: letters, combining marks and decimal digits of any script
 * (`jörg@`, `señor@`, `δοκιμή@`, a Cyrillic `а` in `jаne@`). Stopping at the first of them cut
 * the address mid-word and left its head unredacted (`jö<EMAIL>`).
 */
const UNICODE_LOCAL_PART_CHAR = /^[\p{L}\p{M}\p{Nd}]$/u;

/**
 * Scripts written without spaces between words: an address glued to them (`请发送至john@x.com`,
 * `メールはjohn@x.com`) starts where they end, unless it is written in them throughout.
 */
const UNSPACED_SCRIPT = /^[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]$/u;

/** What a code point is to a local part (plain numbers: `const enum` does not survive isolated transpiling). */
type Kind = 0 | 1 | 2 | 3;
const NONE = 0;
const ASCII = 1;
/** A letter, mark or digit of a script written with spaces. */
const SPACED = 2;
/** A letter, mark or digit of a script written without spaces (UNSPACED_SCRIPT). */
const UNSPACED = 3;

/** What the code point ending just before `end` is, as a local part character. */
function kindBefore(text: string, end: number): Kind {
  const code = text.charCodeAt(end - 1);
  if (code < 0x80) return isAsciiLocalPartChar(code) ? ASCII : NONE;
  const char = widthBefore(text, end) === 2 ? text.slice(end - 2, end) : text[end - 1]!;
  if (!UNICODE_LOCAL_PART_CHAR.test(char)) return NONE;
  return UNSPACED_SCRIPT.test(char) ? UNSPACED : SPACED;
}

/** UTF-16 units of the code point ending just before `end`: 2 for a surrogate pair. */
function widthBefore(text: string, end: number): number {
  const low = text.charCodeAt(end - 1);
  if (low < 0xdc00 || low > 0xdfff || end < 2) return 1;
  const high = text.charCodeAt(end - 2);
  return high >= 0xd800 && high <= 0xdbff ? 2 : 1;
}

/** A letter or digit (not `. _ % + -`) of any script ends just before `end`. */
function isAlphanumericBefore(text: string, end: number): boolean {
  const code = text.charCodeAt(end - 1);
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39);
  return kindBefore(text, end) !== NONE;
}

/**
 * An apostrophe (ASCII or typographic ’) at `index` between two letters or digits: RFC 5322
 * atext inside a word (`o'brien@example.ie`), not the quote around an address (`'a@b.com'`).
 */
function isInnerApostrophe(text: string, index: number, at: number): boolean {
  const code = text.charCodeAt(index);
  if (code !== 0x27 && code !== 0x2019) return false;
  return index > 0 && index + 1 < at && isAlphanumericBefore(text, widthAfter(text, index + 1)) && isAlphanumericBefore(text, index);
}

/** The index just past the code point starting at `index`. */
function widthAfter(text: string, index: number): number {
  const high = text.charCodeAt(index);
  return high >= 0xd800 && high <= 0xdbff && index + 1 < text.length ? index + 2 : index + 1;
}

/**
 * Index where the local part ending just before `at` begins, or -1 when there is none
 * (a bare `@handle`) or it breaks dot-atom rules (leading, trailing or doubled dot). It never
 * begins inside a word: letters of any script and inner apostrophes are walked over, and a
 * local part too long for RFC 5321 is refused rather than cut.
 */
function localPartStart(text: string, at: number): number {
  let start = at;
  let doubleDot = -1; // where the ".." nearest to `at` starts
  let spaced = false; // a character of a script written with spaces (or ASCII) is in it
  for (;;) {
    if (start === 0) break;
    const kind = kindBefore(text, start);
    let width: number;
    if (kind === NONE) {
      if (!isInnerApostrophe(text, start - 1, at)) break;
      width = 1;
    } else {
      // "请发送至john@x.com": the address starts after the unspaced script
      if (kind === UNSPACED && spaced) break;
      if (kind !== UNSPACED) spaced = true;
      width = kind === ASCII ? 1 : widthBefore(text, start);
    }
    if (at - start + width > MAX_LOCAL_LENGTH) return -1; // longer than RFC 5321 allows
    start -= width;
    if (doubleDot === -1 && text.charCodeAt(start) === 0x2e && text.charCodeAt(start + 1) === 0x2e) doubleDot = start;
  }
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

const OBFUSCATED_NAME = 'email.obfuscated';

/** An obfuscation marker for `word`: bracketed (`[at]`, `( dot )`) or bare between blanks (` at `). */
function obfuscationMarker(word: string): string {
  return String.raw`(?:[ \t]{0,3}[\[({<][ \t]{0,3}${word}[ \t]{0,3}[\])}>][ \t]{0,3}|[ \t]{1,3}${word}[ \t]{1,3})`;
}
/** The markers an obfuscated address writes for `@` and `.`; value-keys.ts undoes them with these. */
export const OBFUSCATED_AT = obfuscationMarker('at');
export const OBFUSCATED_DOT = obfuscationMarker('dot');

/**
 * Addresses written so that harvesters miss them, common in scraped web text and forum posts:
 * `jane.doe [at] example [dot] com`, `jane(at)example.com`, `jane AT example DOT com`. The
 * marker around `at` or `dot` may be brackets, parentheses, braces or angle brackets; a bare
 * `at` counts only with a bare or bracketed `dot` after it (otherwise "available at
 * github.com" would be an address). Spaces around markers are bounded (at most 3), so the
 * pattern cannot backtrack over long blank runs.
 */
const OBFUSCATED = (() => {
  const at = OBFUSCATED_AT;
  const dot = String.raw`(?:${OBFUSCATED_DOT}|\.)`;
  const label = String.raw`[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?`;
  return new RegExp(String.raw`(?<![a-z0-9._%+-])[a-z0-9](?:[a-z0-9._%+-]{0,62}[a-z0-9])?(${at})(${label}(?:${dot}${label}){0,8}${dot})([a-z]{2,24})(?![a-z0-9-])`, 'gi');
})();

/**
 * Whether `text` may hold an obfuscated address: an `at` closed by a marker (`at]`, `at )`,
 * not `that)`), or `dot` as a word. Found from the few places a closing marker or `dot` stands
 * (indexOf): a regex for these over every text ran at ~300 MB/s, seven times the cost of the
 * rest of the email recognizer on the bench's training text, where 59 % of texts hold a
 * closing bracket of some kind but none an `at` before one.
 */
function mayHoldObfuscated(text: string): boolean {
  for (const closer of OBFUSCATION_CLOSERS) {
    for (let i = text.indexOf(closer); i !== -1; i = text.indexOf(closer, i + 1)) {
      let end = i;
      while (end > 0 && end > i - 4 && isBlank(text.charCodeAt(end - 1))) end--;
      if (end >= 2 && (text.charCodeAt(end - 2) | 0x20) === 0x61 && (text.charCodeAt(end - 1) | 0x20) === 0x74 && !isAsciiLetter(text.charCodeAt(end - 3))) return true;
    }
  }
  for (const word of ['dot', 'DOT', 'Dot']) {
    for (let i = text.indexOf(word); i !== -1; i = text.indexOf(word, i + 3)) {
      if (!isAsciiLetter(text.charCodeAt(i - 1)) && !isAsciiLetter(text.charCodeAt(i + 3))) return true;
    }
  }
  return false;
}

const OBFUSCATION_CLOSERS = [']', ')', '}', '>'];

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function isAsciiLetter(code: number): boolean {
  return (code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a;
}

/**
 * A bracketed `at` is written on purpose to hide an address: 0.9. A bare `at` is also how a
 * sentence can read ("look at this dot com bubble", "I work at acme [dot] com"): 0.45, below
 * the default threshold, so it needs a context word ("email me", "contact") to be taken.
 */
const OBFUSCATED_BRACKETED_SCORE = 0.9;
const OBFUSCATED_BARE_SCORE = 0.45;

function findObfuscated(text: string, findings: Finding[]): void {
  if (!mayHoldObfuscated(text)) return;
  OBFUSCATED.lastIndex = 0;
  for (let m = OBFUSCATED.exec(text); m !== null; m = OBFUSCATED.exec(text)) {
    const [whole, atMark, domainHead, tld] = m as unknown as [string, string, string, string];
    const bracketedAt = /[[({<]/.test(atMark);
    const wordDot = /[ \t[({<][ \t]*dot/i.test(domainHead);
    if (!bracketedAt && !wordDot) continue; // a bare "at" before a plain domain: "available at github.com"
    if (FILE_EXTENSIONS.has(tld.toLowerCase())) continue;
    // a bare "at" reads as prose whatever follows it ("I work at acme [dot] com")
    findings.push({ start: m.index, end: m.index + whole.length, type: 'email', score: bracketedAt ? OBFUSCATED_BRACKETED_SCORE : OBFUSCATED_BARE_SCORE, recognizer: OBFUSCATED_NAME });
  }
}

/**
 * Email addresses (practical RFC 5322 / 6531: dot-atom local part, IDN and punycode domains),
 * and ASCII addresses obfuscated with `[at]` / `[dot]` markers (findObfuscated).
 */
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
          const end = at + 1 + domain[0].length;
          const catalogue = CATALOGUE_DOMAIN.test(domain[0]) && LOCALE_BEFORE_AT.test(text.slice(start, at));
          if (!FILE_EXTENSIONS.has(tld) && !catalogue && !isScpRemote(text, start, at, end)) {
            findings.push({ start, end, type: 'email', score: SCORE, recognizer: NAME });
            at = text.indexOf('@', end);
            continue;
          }
        }
      }
      at = text.indexOf('@', at + 1);
    }
    findObfuscated(text, findings);
    return findings;
  },
};
