/**
 * Passwords and account keys in connection strings, which have no fixed token format to find
 * them by:
 *
 * - URL userinfo, `scheme://user:PASSWORD@host` (findUrlPasswords).
 * - `;`-separated pairs (ADO.NET, ODBC, JDBC for SQL Server, Azure Storage and Service Bus):
 *   `Server=db;User ID=admin;Password=Tr0ub4dor&3;`, `UID=sa;PWD={Passw0rd!};`,
 *   `AccountName=x;AccountKey=<base64>==;`. The pair must sit in a string of at least two pairs,
 *   with a `;` right before its key or right after its value: a lone `password=x` in prose or a
 *   shell line is not a connection string.
 * - URL query strings: `jdbc:mysql://db:3306/app?user=root&password=Sup3rS3cret`, the key
 *   right after `?` or `&`. The value runs to `&`, a blank or a quote, not to `#`: a raw `#` is
 *   a common password character (`password=Zx!9@q#Lm2$`), and cutting there left the rest of
 *   the password in clear; a URL fragment after a password is taken with it, which costs less.
 *
 * Keys are case-insensitive (ADO.NET and ODBC ignore case) and may have blanks around `=`. Only
 * the value is the finding. Placeholders are refused: templates (`${DB_PASSWORD}`, `{0}`,
 * `%s`, `<your password>`, `[password]`), masks (`****`, `xxx`), empty values, and the words
 * documentation writes where a password goes (`password`, `changeme`, `yourpassword`, …): a
 * well-known default like `changeme` is published in every tutorial, so it is no secret of
 * anyone's, and reporting it would flag documentation rather than leaks.
 */
import type { Finding } from '../entity-types.js';

/** Keys whose value is a secret, lower-cased. */
const PASSWORD_KEYS = new Set(['password', 'pwd', 'passwd']);
/** Azure shared keys: base64 of 32 or 64 bytes. */
const ACCOUNT_KEYS = new Set(['accountkey', 'sharedaccesskey']);
const BASE64_KEY = /^[A-Za-z0-9+/]{40,88}={0,2}$/;

const MAX_KEY = 15; // "sharedaccesskey"
const MAX_VALUE = 256;
/** How far around a pair another pair of its connection string is looked for. */
const PAIR_REACH = 256;

/** Template, mask and documentation placeholders (the URL form's, and format-string fields). */
const PLACEHOLDER = /^(?:\$\{[^}]*\}|\$[A-Za-z_]\w*|<[^>]*>?|\[[^\]]*\]?|\{\{[^}]*\}\}|\{[A-Za-z_][\w.]*\}|\{\d*\}|%[^%]+%|%s|%\(\w+\)s|\*+|x+|\.\.\.|…|\?|:\w+|@\w+)$/i;
const PLACEHOLDER_WORDS = new Set([
  'password', 'passwd', 'pwd', 'pass', 'secret', 'changeme', 'change_me', 'changeit', 'yourpassword', 'your_password',
  'your-password', 'mypassword', 'my_password', 'dbpassword', 'db_password', 'redacted', 'hidden', 'masked', 'null', 'none',
  'undefined', 'empty', 'todo', 'tbd',
]);

function isKeyChar(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Characters that end an unquoted value: `;`, blanks, line breaks, quotes; in a query string also `&<>=?` (encoded in a value), but not `#` (see above). */
function endsValue(code: number, query: boolean): boolean {
  if (code === 0x3b || code <= 0x20 || code === 0x22 || code === 0x27 || code === 0x60) return true; // ; blank " ' `
  return query && (code === 0x26 || code === 0x3c || code === 0x3e || code === 0x3d || code === 0x3f); // & < > = ?
}

interface Value {
  readonly start: number;
  readonly end: number;
  /** Where the pair ends, a closing quote or brace included. */
  readonly pairEnd: number;
}

/** The value after `=` at `from`: braced (ODBC), quoted (ADO.NET) or bare up to its terminator. */
function valueAt(text: string, from: number, query: boolean): Value | null {
  let at = from;
  while (isBlank(text.charCodeAt(at))) at++;
  const open = text.charCodeAt(at);
  const limit = Math.min(text.length, at + MAX_VALUE);
  if (!query && (open === 0x7b || open === 0x22 || open === 0x27)) {
    // {…} (ODBC, `}}` escapes a brace), "…" or '…' (ADO.NET): the whole value, `;` included; blanks
    // inside are taken as a string being built in code ("Password=" + pwd + ";") and refused
    const close = open === 0x7b ? 0x7d : open;
    for (let i = at + 1; i < limit; i++) {
      const code = text.charCodeAt(i);
      if (code === 0x0a || code === 0x0d || isBlank(code)) return null;
      if (code !== close) continue;
      if (open === 0x7b && text.charCodeAt(i + 1) === 0x7d) {
        i++;
        continue;
      }
      // a brace pair holding a bare identifier or number is a format field, `{0}`, `{password}`
      return open === 0x7b && PLACEHOLDER.test(text.slice(at, i + 1)) ? null : { start: at + 1, end: i, pairEnd: i + 1 };
    }
    return null;
  }
  let end = at;
  while (end < limit && !endsValue(text.charCodeAt(end), query)) end++;
  if (end === limit && limit < text.length) return null; // longer than any password
  // a sentence's full stop or a closing bracket after a bare query value is not part of it
  if (query) while (end > at && ',.)]'.includes(text[end - 1] ?? '')) end--;
  return { start: at, end, pairEnd: end };
}

function isPlaceholder(value: string): boolean {
  return value.length === 0 || PLACEHOLDER.test(value) || PLACEHOLDER_WORDS.has(value.toLowerCase());
}

/** Metasyntactic words: `foo:bar@`, `uri://foo:baz@host` in documentation are no account. */
const METASYNTACTIC = new Set(['foo', 'bar', 'baz', 'qux', 'quux', 'foobar']);

/**
 * Real passwords that are also written as placeholders: the well-known defaults. On a real host
 * (`postgres://admin:changeme@10.0.0.5/db`) one is a deployed credential, and saying so is
 * itself sensitive; only on a documentation host is it a placeholder.
 */
const DEFAULT_PASSWORDS = new Set(['secret', 'changeme', 'change_me', 'changeit']);

/** Hosts of examples: RFC 2606 / RFC 6761 names and loopback (not `db` or `server`: real Compose service names). */
const DOCUMENTATION_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\]|(?:[\w-]+\.)+(?:example|test|invalid|localhost)|(?:[\w-]+\.)*example\.(?:com|org|net))$/i;

/**
 * A URL's `user:password@` password that is a placeholder (`password`, `pass`, `${DB_PASS}`,
 * `<password>`, `{password}`, `%s`, `****`, `xxx`, …), a default one on a documentation host
 * (`user:changeme@localhost`), or a metasyntactic pair with its user (`foo:bar`).
 */
function isPlaceholderPassword(password: string, user: string, host: string): boolean {
  const lower = password.toLowerCase();
  if (DEFAULT_PASSWORDS.has(lower)) return DOCUMENTATION_HOST.test(host);
  if (isPlaceholder(password)) return true;
  return METASYNTACTIC.has(lower) && METASYNTACTIC.has(user.toLowerCase());
}

/** Whether the line around `[from, to)` holds another `key=` pair: the pair is one of a connection string's. */
function hasOtherPair(text: string, from: number, to: number): boolean {
  const before = text.slice(Math.max(0, from - PAIR_REACH), from);
  const after = text.slice(to, to + PAIR_REACH);
  const lineBefore = before.slice(before.lastIndexOf('\n') + 1);
  const newline = after.indexOf('\n');
  const lineAfter = newline === -1 ? after : after.slice(0, newline);
  return /[A-Za-z]\s*=\s*[^\s;=]/.test(lineBefore) || /;\s*[A-Za-z][A-Za-z ]{0,30}=/.test(lineAfter);
}

/** Adds the connection-string secrets in `text` to `findings`, as `api_key` findings named `name`. */
export function findConnectionSecrets(text: string, name: string, score: number, findings: Finding[]): void {
  let takenTo = 0;
  for (let eq = text.indexOf('='); eq !== -1; eq = text.indexOf('=', eq + 1)) {
    if (eq < takenTo) continue;
    // the key: letters, with blanks before `=`
    let keyEnd = eq;
    while (keyEnd > 0 && eq - keyEnd < 4 && isBlank(text.charCodeAt(keyEnd - 1))) keyEnd--;
    let keyStart = keyEnd;
    while (keyStart > 0 && keyEnd - keyStart <= MAX_KEY && isKeyChar(text.charCodeAt(keyStart - 1))) keyStart--;
    if (keyStart === keyEnd || keyEnd - keyStart > MAX_KEY) continue;
    const key = text.slice(keyStart, keyEnd).toLowerCase();
    const isPassword = PASSWORD_KEYS.has(key);
    if (!isPassword && !ACCOUNT_KEYS.has(key)) continue;
    // what stands before the key: `?`/`&` (a query string), `;` or the start of the string
    let before = keyStart;
    while (before > 0 && isBlank(text.charCodeAt(before - 1))) before--;
    const separator = before === 0 ? -1 : text.charCodeAt(before - 1);
    const query = isPassword && keyStart === before && (separator === 0x3f || separator === 0x26); // ? &
    const startsPair = separator === -1 || separator === 0x3b || separator === 0x0a || separator === 0x22 || separator === 0x27 || separator === 0x60; // ; \n " ' `
    if (!query && !startsPair) continue;
    const value = valueAt(text, eq + 1, query);
    if (value === null) continue;
    const secret = text.slice(value.start, value.end);
    if (isPlaceholder(secret)) continue;
    if (!isPassword && !BASE64_KEY.test(secret)) continue;
    // PWD is also the shell's working directory, printed as PWD=/home/me
    if (key === 'pwd' && /^(?:[/~]|[A-Za-z]:\\)/.test(secret)) continue;
    if (!query) {
      const semicolonAround = separator === 0x3b || text.charCodeAt(value.pairEnd) === 0x3b;
      if (!semicolonAround || !hasOtherPair(text, keyStart, value.pairEnd)) continue;
    }
    findings.push({ start: value.start, end: value.end, type: 'api_key', score, recognizer: name });
    takenTo = value.pairEnd;
  }
}

const MAX_USER = 128;
const MAX_PASSWORD = 256;
/** The scheme before `://` (RFC 3986 §3.1), as far back as it is read. */
const SCHEME_BEFORE = /[A-Za-z][A-Za-z0-9+.-]{0,30}$/;
const MAX_SCHEME = 31;
const UNICODE_SPACE = /\s/;

function isSpace(code: number): boolean {
  return code <= 0x20 || (code >= 0x80 && UNICODE_SPACE.test(String.fromCharCode(code)));
}

/** A host's first character: a letter, a digit or an IPv6 literal's `[`. */
function isHostStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x5b;
}

/** The host of a URL's authority starting at `at` (after `user:password@`), up to its port, path or end. */
function hostAt(text: string, at: number): string {
  const host = /^(?:\[[^\]\s]*\]|[^\s:/?#]*)/.exec(text.slice(at, at + 256));
  return host?.[0] ?? '';
}

/**
 * The `user:password@` of the URL whose `://` is at `marker`: the user up to the first `:`, the
 * password up to the LAST `@` before the host, as the WHATWG URL parser and Python's urllib
 * split userinfo (`postgres://admin:p@ssw0rd!2024@db/app` has the password `p@ssw0rd!2024`;
 * cut at the first `@`, the finding was `p` and the rest stayed in clear). The authority ends
 * at `/` or a blank; at `?` or `#` only once an `@` was seen, since a raw `#` is a common
 * password character (`app_user:Xk9#mP2vQ@db`) and before any `@` cannot start a query or
 * fragment that a password is then found in. Both scans stop at `/`, which every later `://`
 * holds, so no character is read for two markers: linear in the text.
 */
function urlPasswordAt(text: string, marker: number): { user: string; start: number; end: number } | null {
  if (!SCHEME_BEFORE.test(text.slice(Math.max(0, marker - MAX_SCHEME), marker))) return null;
  const userStart = marker + 3;
  const userLimit = Math.min(text.length, userStart + MAX_USER);
  let colon = userStart;
  for (; colon < userLimit; colon++) {
    const code = text.charCodeAt(colon);
    if (code === 0x3a || code === 0x2f || code === 0x3f || code === 0x23 || isSpace(code)) break; // : / ? #
  }
  if (text.charCodeAt(colon) !== 0x3a) return null;
  const start = colon + 1;
  const limit = Math.min(text.length, start + MAX_PASSWORD + 1);
  let at = -1;
  for (let i = start; i < limit; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2f || isSpace(code)) break;
    if (code === 0x40) {
      if (i > start && isHostStart(text.charCodeAt(i + 1))) at = i;
    } else if ((code === 0x3f || code === 0x23) && at !== -1) break; // ? #
  }
  return at === -1 ? null : { user: text.slice(userStart, colon), start, end: at };
}

/**
 * Adds the passwords of `scheme://user:password@host` URLs in `text` (user may be empty, as in
 * Redis URLs) to `findings`, the password only. Template, mask and documentation placeholders
 * (`:${DB_PASSWORD}@`, `:<password>@`, `:****@`, `username:password@`, `foo:bar@`) are not
 * secrets.
 */
export function findUrlPasswords(text: string, name: string, score: number, findings: Finding[]): void {
  for (let marker = text.indexOf('://'); marker !== -1; marker = text.indexOf('://', marker + 3)) {
    const password = urlPasswordAt(text, marker);
    if (password === null) continue;
    const { user, start, end } = password;
    if (isPlaceholderPassword(text.slice(start, end), user, hostAt(text, end + 1))) continue;
    findings.push({ start, end, type: 'api_key', score, recognizer: name });
  }
}
