import type { SyntheticDraws, SyntheticGenerator } from './synthetic-values.js';

/**
 * Fakes for `api_key` values: tokens, passwords, PEM private keys, connection-string passwords.
 * A secret keeps nothing of itself but its length, its line breaks, a provider's public prefix
 * and which kinds of character it is made of: every other character is drawn afresh, symbols
 * included (a password's `&` or `!` is as secret as its letters).
 */

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/**
 * The symbols a fake password is drawn from when the original has symbols other than those of
 * base64 or base64url: RFC 3986's unreserved `-._~` and the sub-delimiters `!*`. None of them
 * ends a value in the places secrets are found (`;` of a connection string, `&`/`#` of a query,
 * `@`/`/` of a URL's userinfo, quotes, backslash), so the fake stays in its place in the text.
 */
export const SECRET_SYMBOLS = '!*-._~';

/** Prefixes of well-known token formats (GitHub, Stripe, Slack, AWS, Google, OpenAI, Anthropic, GitLab, Hugging Face, npm, SendGrid, …); longest first. */
const API_KEY_PREFIXES = [
  'sk-ant-api03-', 'github_pat_', 'sk-proj-', 'sk_live_', 'sk_test_', 'pk_live_', 'pk_test_', 'rk_live_', 'rk_test_', 'dop_v1_',
  'shpat_', 'glpat-', 'xoxb-', 'xoxp-', 'xoxa-', 'xoxs-', 'xapp-', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'npm_', 'AKIA', 'ASIA',
  'AIza', 'sk-', 'hf_', 'SG.',
];

/** The alphabet a fake body is drawn from: hex stays hex, base64 stays base64, a password with symbols gets letters, digits and SECRET_SYMBOLS. */
function alphabetOf(secret: string): string {
  const alnum = secret.replace(/[^A-Za-z0-9]/g, '');
  const symbols = secret.replace(/[A-Za-z0-9\s]/g, '');
  if (symbols === '' && alnum !== '' && /^[0-9a-f]+$/.test(alnum)) return '0123456789abcdef';
  if (symbols === '' && alnum !== '' && /^[0-9A-F]+$/.test(alnum)) return '0123456789ABCDEF';
  const letters = (/[a-z]/.test(alnum) ? LOWER : '') + (/[A-Z]/.test(alnum) ? UPPER : '') + (/\d/.test(alnum) ? DIGITS : '');
  if (symbols === '') return letters;
  if (/^[+/]+$/.test(symbols)) return letters + '+/'; // base64 (RFC 4648 §4)
  if (/^[-_]+$/.test(symbols)) return letters + '-_'; // base64url (RFC 4648 §5)
  return letters + SECRET_SYMBOLS;
}

/**
 * A body of the same length, every non-blank character drawn from the body's alphabet
 * ({@link alphabetOf}), so no character of the original stays in place; blanks and line breaks
 * stay, and so does base64's trailing `=` padding, which says only the length: on a PEM line,
 * elsewhere only closing a multiple of four characters (a password of four, eight, … base64
 * characters ending in `=` keeps it too: the two cannot be told apart).
 */
function freshBody(body: string, draws: SyntheticDraws, pemLine = false): string {
  const found = /^[A-Za-z0-9+/\s]*?(={1,2})$/.exec(body)?.[1] ?? '';
  const padding = pemLine || body.replace(/\s/g, '').length % 4 === 0 ? found : '';
  const secret = body.slice(0, body.length - padding.length);
  const alphabet = alphabetOf(secret);
  return secret.replace(/\S/g, () => draws.pick(alphabet)) + padding;
}

/** Password of a connection string: only it is secret, the URL around it stays usable. */
const CONNECTION_STRING = /^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)(@.*)$/is;

/**
 * Same provider prefix, a body of the same length and alphabet. PEM private keys keep their
 * BEGIN/END lines and line breaks; a whole connection string (a deny-list value; the
 * recognizers report the password alone) keeps everything but the password.
 */
export const syntheticApiKey: SyntheticGenerator = (value, draws) => {
  if (value.includes('-----BEGIN')) {
    return value.replace(/^(?!-----)[^\r\n]+/gm, (line) => freshBody(line, draws, true));
  }
  const connection = CONNECTION_STRING.exec(value);
  if (connection) return `${connection[1]}${freshBody(connection[2]!, draws)}${connection[3]}`;
  // Only known prefixes are kept: guessing one ("mysecret_") could keep part of a password.
  const prefix = API_KEY_PREFIXES.find((p) => value.startsWith(p)) ?? '';
  return prefix + freshBody(value.slice(prefix.length), draws);
};
