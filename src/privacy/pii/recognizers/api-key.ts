import { Buffer } from 'node:buffer';
import { API_KEY_PATTERN, parseApiKey } from '../../../identity/api-keys/api-key-format.js';
import type { Finding } from '../entity-types.js';
import type { Recognizer } from '../recognizer.js';
import { findConnectionSecrets, findUrlPasswords } from './connection-secrets.js';
import { MarkerSearch } from './marker-search.js';

const NAME = 'api_key.known_format';
/** A password or account key in a connection string's key=value pairs: the pair's structure alone tells it. */
const CONNECTION_PAIR_SCORE = 0.9;
/** A URL's `user:password@` password: the scheme and `@host` around it tell it. */
const URL_PASSWORD_SCORE = 0.95;

/**
 * One provider's token format. `markers` are literals of which every token holds one,
 * `markerOffset` characters in (0 unless given): the sticky `pattern` is only tried where a
 * marker is, so a text pays only for the formats it could hold and only where they could be.
 * `group` names the capture group that is the secret when only part of the match is (a
 * key after its label); `accept` is an extra structural check. `end`, for a
 * block format, finds the lines that close a block: a marker with none within `maxLength` after
 * it is not tried.
 */
interface TokenFormat {
  readonly markers: readonly string[];
  readonly markerOffset?: number;
  readonly pattern: RegExp;
  readonly score: number;
  readonly group?: number;
  readonly accept?: (token: string, match: RegExpExecArray) => boolean;
  readonly end?: { readonly pattern: RegExp; readonly maxLength: number };
}

// Boundaries: a token never starts or ends inside a longer run of token characters. Every body
// has an upper bound (1 KB, a JWT's payload 64 KB), far above real keys: an unbounded one
// overflowed the regex engine's stack on a run of millions of token characters.
const B = String.raw`(?<![A-Za-z0-9_\-])`;
const E = String.raw`(?![A-Za-z0-9_\-])`;
const token = (body: string): RegExp => new RegExp(`${B}${body}${E}`, 'y');

/** A JWT's header must decode to a JSON object naming its algorithm (RFC 7515 §4.1.1). */
function hasJwtHeader(jwt: string): boolean {
  try {
    const header: unknown = JSON.parse(Buffer.from(jwt.slice(0, jwt.indexOf('.')), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && 'alg' in header;
  } catch {
    return false;
  }
}

/** Our own keys carry a CRC-32: a match that fails it is noise, not a leaked key. */
function isLangtrainKey(key: string): boolean {
  return parseApiKey(key) !== null;
}

/**
 * Formats and scores, most specific first. Prefixes and lengths are the providers' documented
 * token formats. Scores follow how much of the token is fixed: a
 * checksum or a long fixed prefix with exact length scores 1.0; a prefix with a loose body 0.9–0.95.
 */
const FORMATS: readonly TokenFormat[] = [
  // ours: prefix, exact lengths and a CRC-32 checksum
  { markers: ['lt_'], pattern: new RegExp(API_KEY_PATTERN, 'y'), score: 1.0, accept: isLangtrainKey },
  // PEM private keys (RFC 7468), PKCS#1/#8, EC, OpenSSH, encrypted and PGP blocks, whole block
  {
    markers: ['-----BEGIN'],
    pattern: /-----BEGIN (?:[A-Z0-9]+ ){0,8}PRIVATE KEY(?: BLOCK)?-----[\s\S]{1,65536}?-----END (?:[A-Z0-9]+ ){0,8}PRIVATE KEY(?: BLOCK)?-----/y,
    score: 1.0,
    // Without it, every header with no end line after it had the lazy body search 64 KB ahead:
    // a text of repeated headers took 8 s a megabyte.
    end: { pattern: /-----END (?:[A-Z0-9]+ ){0,8}PRIVATE KEY(?: BLOCK)?-----/g, maxLength: 65_536 + 128 },
  },
  // AWS access key ids: AKIA (long-term) / ASIA (temporary) + 16 upper-case base32-ish characters
  { markers: ['AKIA', 'ASIA'], pattern: /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/y, score: 0.95 },
  // GitHub: ghp_/gho_/ghu_/ghs_/ghr_ + 36 base62; fine-grained github_pat_<22>_<59>
  { markers: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], pattern: token('gh[pousr]_[A-Za-z0-9]{36}'), score: 1.0 },
  { markers: ['github_pat_'], pattern: token('github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}'), score: 1.0 },
  // Slack bot/user/app tokens
  {
    markers: ['xoxa-', 'xoxb-', 'xoxo-', 'xoxp-', 'xoxr-', 'xoxs-', 'xapp-'],
    pattern: token('(?:xox[abposr]|xapp)-[0-9A-Za-z-]{10,250}'),
    score: 0.95,
  },
  // Stripe secret, restricted and publishable keys
  { markers: ['_live_'], markerOffset: 2, pattern: token('(?:sk|rk|pk)_live_[0-9A-Za-z]{16,247}'), score: 0.95 },
  { markers: ['_test_'], markerOffset: 2, pattern: token('(?:sk|rk)_test_[0-9A-Za-z]{16,247}'), score: 0.9 },
  // Google API keys: AIza + 35
  { markers: ['AIza'], pattern: token('AIza[0-9A-Za-z_-]{35}'), score: 0.95 },
  // Anthropic: sk-ant-<kind>-<body>
  { markers: ['sk-ant-'], pattern: token('sk-ant-[a-z0-9]{2,10}-[A-Za-z0-9_-]{32,1024}'), score: 1.0 },
  // OpenAI: project/service/admin keys, and legacy keys with the "T3BlbkFJ" ("OpenAI" in base64) marker
  { markers: ['sk-'], pattern: token('sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,1024}'), score: 0.95 },
  { markers: ['T3BlbkFJ'], markerOffset: 23, pattern: token('sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}'), score: 1.0 },
  // GitLab personal access tokens
  { markers: ['glpat-'], pattern: token('glpat-[0-9A-Za-z_-]{20,1024}'), score: 0.95 },
  // npm automation/publish tokens
  { markers: ['npm_'], pattern: token('npm_[A-Za-z0-9]{36}'), score: 0.95 },
  // Hugging Face user access tokens: hf_ + 34 letters
  { markers: ['hf_'], pattern: token('hf_[A-Za-z]{34}'), score: 0.95 },
  // Docker Hub personal access tokens
  { markers: ['dckr_pat_'], pattern: token('dckr_pat_[A-Za-z0-9_-]{27}'), score: 1.0 },
  // Shopify admin API, custom app, partner and shared-secret tokens: prefix + 32 hex
  { markers: ['shpat_', 'shpca_', 'shppa_', 'shpss_'], pattern: token('shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}'), score: 1.0 },
  // DigitalOcean personal, OAuth and refresh tokens: prefix + 64 hex
  { markers: ['dop_v1_', 'doo_v1_', 'dor_v1_'], pattern: token('do[por]_v1_[a-f0-9]{64}'), score: 1.0 },
  // PyPI API tokens: "pypi-" and a macaroon whose base64 opens with its location, pypi.org
  { markers: ['pypi-AgEIcHlwaS5vcmc'], pattern: token('pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1024}'), score: 1.0 },
  // Groq, Replicate and Linear API keys
  { markers: ['gsk_'], pattern: token('gsk_[A-Za-z0-9]{52}'), score: 0.95 },
  { markers: ['r8_'], pattern: token('r8_[A-Za-z0-9]{37}'), score: 0.95 },
  { markers: ['lin_api_'], pattern: token('lin_api_[A-Za-z0-9]{40}'), score: 0.95 },
  // Postman API keys: PMAK-<24 hex>-<34 hex>
  { markers: ['PMAK-'], pattern: token('PMAK-[a-f0-9]{24}-[a-f0-9]{34}'), score: 1.0 },
  // Google OAuth client secrets
  { markers: ['GOCSPX-'], pattern: token('GOCSPX-[A-Za-z0-9_-]{28}'), score: 0.95 },
  // Slack and Discord incoming webhooks: the URL's path is the secret
  {
    markers: ['hooks.slack.com/services/'],
    pattern: token('hooks\\.slack\\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24}'),
    score: 1.0,
  },
  { markers: ['discord.com/api/webhooks/'], pattern: token('discord\\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,80}'), score: 0.95 },
  // SendGrid: SG.<22>.<43>
  { markers: ['SG.'], pattern: token(String.raw`SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}`), score: 1.0 },
  // Twilio API key SIDs: SK + 32 hex (only a fixed two-letter prefix, hence lower)
  { markers: ['SK'], pattern: token('SK[0-9a-fA-F]{32}'), score: 0.9 },
  // JWTs (header.payload.signature, both JSON parts base64url of "{"), header checked
  {
    markers: ['eyJ'],
    pattern: token(String.raw`eyJ[A-Za-z0-9_-]{5,8192}\.eyJ[A-Za-z0-9_-]{5,65536}\.[A-Za-z0-9_-]{10,1024}`),
    score: 0.95,
    accept: hasJwtHeader,
  },
  // AWS secret access keys (40 base64 characters) have no prefix: only after their label, as
  // an environment variable, in ~/.aws/credentials, or in JSON from STS — the key only
  {
    markers: ['SECRET_ACCESS_KEY', 'secret_access_key', 'SecretAccessKey'],
    pattern: /(?:SECRET_ACCESS_KEY|secret_access_key|SecretAccessKey)["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dy,
    score: 0.95,
    group: 1,
    accept: (secret) => /[a-z]/.test(secret) && /[A-Z]/.test(secret),
  },
];

/**
 * Key characters: every marker holds one, and they are rare in prose (per KB of the bench's
 * training text: `J` 0.2, `_` 1.4, `/` 1.6, `I` 1.7, `S` 1.5, `-` 4.2). Of the sets tried,
 * this one measured fastest on prose and on PII-dense text.
 */
const MARKERS = new MarkerSearch(
  FORMATS.map((format) => format.markers),
  'J_/IS-',
);

/**
 * The tokens of `format` whose marker starts at one of `markerStarts` (ascending), as a global
 * scan of the whole text would take them: each token starts `markerOffset` before its marker,
 * and a marker inside a token already taken starts none.
 */
function findTokens(text: string, format: TokenFormat, markerStarts: readonly number[], findings: Finding[]): void {
  let takenTo = 0;
  const ends = format.end === undefined ? undefined : new BlockEnds(text, format.end.pattern);
  for (const markerStart of markerStarts) {
    const tokenStart = markerStart - (format.markerOffset ?? 0);
    if (tokenStart < takenTo) continue;
    if (ends !== undefined && ends.nextAfter(markerStart) - markerStart > format.end!.maxLength) continue;
    format.pattern.lastIndex = tokenStart;
    const match = format.pattern.exec(text);
    if (match === null) continue;
    takenTo = tokenStart + match[0].length;
    let start = tokenStart;
    let end = takenTo;
    if (format.group !== undefined) [start, end] = match.indices?.[format.group] ?? [0, 0];
    if (end === start) continue;
    if (format.accept !== undefined && !format.accept(text.slice(start, end), match)) continue;
    findings.push({ start, end, type: 'api_key', score: format.score, recognizer: NAME });
  }
}

/** The end lines of a block format in a text, asked for in ascending order of position. */
class BlockEnds {
  readonly #text: string;
  readonly #pattern: RegExp;
  #next = -1; // the end line found last, at or after the position asked last
  #exhausted = false;

  constructor(text: string, pattern: RegExp) {
    this.#text = text;
    this.#pattern = pattern;
    pattern.lastIndex = 0;
  }

  /** Where the first end line at or after `at` starts; Infinity when none. Each end line is searched for once. */
  nextAfter(at: number): number {
    while (!this.#exhausted && this.#next < at) {
      const match = this.#pattern.exec(this.#text);
      if (match === null) this.#exhausted = true;
      else this.#next = match.index;
    }
    return this.#exhausted ? Infinity : this.#next;
  }
}

/** Drops findings inside an earlier, longer one (a JWT inside a connection string, `sk-` twice). */
function withoutNested(findings: Finding[]): Finding[] {
  if (findings.length < 2) return findings;
  findings.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Finding[] = [];
  let coveredTo = -1;
  for (const finding of findings) {
    if (finding.end <= coveredTo) continue;
    kept.push(finding);
    coveredTo = Math.max(coveredTo, finding.end);
  }
  return kept;
}

/**
 * Secrets in known token formats of cloud and SaaS providers, private keys, connection-string
 * passwords (URL userinfo, key=value pairs and query strings: connection-secrets.ts).
 */
export const apiKeyRecognizer: Recognizer = {
  name: NAME,
  type: 'api_key',
  contextWords: ['api key', 'apikey', 'api_key', 'token', 'secret', 'password', 'bearer', 'authorization', 'credential', 'key'],
  negativeContextWords: ['example', 'placeholder', 'dummy', 'redacted'],
  find(text: string): Finding[] {
    const findings: Finding[] = [];
    const markerStarts = MARKERS.starts(text);
    if (markerStarts !== undefined) {
      for (let index = 0; index < FORMATS.length; index++) {
        const format = FORMATS[index];
        const starts = markerStarts[index];
        if (format !== undefined && starts !== undefined) findTokens(text, format, starts, findings);
      }
    }
    findUrlPasswords(text, NAME, URL_PASSWORD_SCORE, findings);
    findConnectionSecrets(text, NAME, CONNECTION_PAIR_SCORE, findings);
    return withoutNested(findings);
  },
};
