import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { invalidInput } from '../../core/errors.js';
import { base62Fixed, randomBase62 } from './base62.js';
import { crc32Ascii } from './crc32.js';

/**
 * API keys in a format secret scanners can find and servers can reject cheaply, after
 * GitHub's token format (`ghp_…`, "Behind GitHub's new authentication token formats", 2021):
 *
 *     lt_live_<id: 12 base62>_<secret: 43 base62>_<checksum: 6 base62>
 *
 * - The fixed `lt_live_` / `lt_test_` prefix and exact length give a regular expression
 *   ({@link API_KEY_PATTERN}) with almost no false positives, for GitHub secret scanning,
 *   gitleaks and log scrubbers; the environment says at a glance which kind has leaked.
 * - The id (≈71 bits) names the stored record, so verification is one lookup by primary key
 *   and one hash comparison, never a search over hashes. It is not secret.
 * - The secret is 43 base62 characters: 43 × log2 62 ≈ 256.03 bits from the CSPRNG.
 * - The checksum is CRC-32 of everything before it, in 6 base62 characters (62^6 > 2^32). A
 *   CRC-32 detects every burst error of up to 32 bits, so every single-character change and
 *   every swap of neighbours is caught; a random string passes with probability 2^-32. This is
 *   a typo and noise filter for scanners and for the server before any database read, not an
 *   authenticity check (anyone can compute a CRC).
 */

export type ApiKeyEnvironment = 'live' | 'test';

export const API_KEY_ENVIRONMENTS: readonly ApiKeyEnvironment[] = ['live', 'test'];
const ID_LENGTH = 12;
const SECRET_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const KEY_LENGTH = 'lt_'.length + 'live_'.length + ID_LENGTH + 1 + SECRET_LENGTH + 1 + CHECKSUM_LENGTH;

/** For secret scanners: matches a whole key inside other text (the checksum is then verified). */
export const API_KEY_PATTERN = `\\blt_(?:live|test)_[0-9A-Za-z]{${ID_LENGTH}}_[0-9A-Za-z]{${SECRET_LENGTH}}_[0-9A-Za-z]{${CHECKSUM_LENGTH}}\\b`;
const KEY = new RegExp(
  `^lt_(live|test)_([0-9A-Za-z]{${ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})_([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`,
);
const SECRET = new RegExp(`^[0-9A-Za-z]{${SECRET_LENGTH}}$`);

/** HMAC-SHA256 key size; a shorter pepper would cap the keyed hash below the secret's strength. */
export const MIN_PEPPER_BYTES = 32;
const HASH_HEX = /^[0-9a-f]{64}$/;

export interface GeneratedApiKey {
  /** The full key: show it to the user once, never store or log it. */
  readonly key: string;
  /** The public identifier to store and to look the key up by. */
  readonly id: string;
  readonly environment: ApiKeyEnvironment;
  /** The secret part, to pass straight to {@link hashApiKeySecret}; then discard it. */
  readonly secret: string;
}

export interface ParsedApiKey {
  readonly environment: ApiKeyEnvironment;
  readonly id: string;
  readonly secret: string;
}

/** A new key for `environment` (`live` or `test`). */
export function generateApiKey(options: { environment: ApiKeyEnvironment }): GeneratedApiKey {
  const environment = options?.environment;
  if (!API_KEY_ENVIRONMENTS.includes(environment)) {
    throw invalidInput(`api key environment must be one of ${API_KEY_ENVIRONMENTS.join(', ')}`, {
      option: 'environment',
      supported: API_KEY_ENVIRONMENTS,
    });
  }
  const id = randomBase62(ID_LENGTH);
  const secret = randomBase62(SECRET_LENGTH);
  const body = `lt_${environment}_${id}_${secret}`;
  return { key: `${body}_${checksumOf(body)}`, id, environment, secret };
}

/**
 * The parts of a well-formed key whose checksum matches; otherwise null. Pure and cheap:
 * call it before any lookup, so typos and junk never reach the database. A null result says
 * nothing about which part was wrong (there is nothing useful to tell a caller).
 */
export function parseApiKey(text: string): ParsedApiKey | null {
  if (typeof text !== 'string' || text.length !== KEY_LENGTH) return null;
  const match = KEY.exec(text);
  if (!match) return null;
  const body = text.slice(0, -(CHECKSUM_LENGTH + 1));
  if (checksumOf(body) !== match[4]) return null;
  return { environment: match[1] as ApiKeyEnvironment, id: match[2]!, secret: match[3]! };
}

/**
 * The value to store instead of the key: HMAC-SHA256 of the secret under a server-side pepper,
 * as 64 hex digits.
 *
 * Why a keyed *fast* hash and not argon2/bcrypt: slow password hashes exist because passwords
 * have little entropy (tens of bits), so each guess must be made expensive. This secret has
 * 256 random bits; guessing it is infeasible at any hash speed, so a slow hash would add no
 * security while costing ~50–100 ms of CPU and memory per API request, which would turn every
 * authenticated call (and every request with a made-up key) into a denial-of-service lever.
 * The key (pepper) adds what a slow hash cannot: a stolen database alone does not even allow
 * testing a leaked key against it, without also stealing the pepper from the secret store.
 * Keep the pepper in the secrets provider, dedicated to this use.
 */
export function hashApiKeySecret(pepper: Buffer, secret: string): string {
  checkPepper(pepper);
  if (typeof secret !== 'string' || !SECRET.test(secret)) {
    throw invalidInput(`api key secret must be ${SECRET_LENGTH} base62 characters (from parseApiKey)`, { option: 'secret' });
  }
  return macOf(pepper, secret).toString('hex');
}

/** Whether `secret` hashes to `storedHash` under `pepper`, compared in constant time. */
export function verifyApiKeySecret(pepper: Buffer, secret: string, storedHash: string): boolean {
  checkPepper(pepper);
  // A malformed stored value is corrupt server data, not a wrong key: say so.
  if (typeof storedHash !== 'string' || !HASH_HEX.test(storedHash)) {
    throw invalidInput('stored api key hash must be 64 lower-case hex digits (from hashApiKeySecret)', { option: 'storedHash' });
  }
  if (typeof secret !== 'string' || !SECRET.test(secret)) return false;
  return timingSafeEqual(macOf(pepper, secret), Buffer.from(storedHash, 'hex'));
}

function checksumOf(body: string): string {
  return base62Fixed(crc32Ascii(body), CHECKSUM_LENGTH);
}

/** The pepper as a KeyObject, made once per pepper: HMAC with a KeyObject skips copying the key on every request. */
const pepperKeys = new WeakMap<Buffer, KeyObject>();

function macOf(pepper: Buffer, secret: string): Buffer {
  let key = pepperKeys.get(pepper);
  if (key === undefined) {
    key = createSecretKey(pepper);
    pepperKeys.set(pepper, key);
  }
  // The secret is base62, so its UTF-8 bytes are its ASCII bytes; UTF-8 is Node's fastest string path.
  return createHmac('sha256', key).update(secret).digest();
}

function checkPepper(pepper: Buffer): void {
  if (!Buffer.isBuffer(pepper) || pepper.length < MIN_PEPPER_BYTES) {
    throw invalidInput(`api key pepper must be a Buffer of at least ${MIN_PEPPER_BYTES} bytes`, { option: 'pepper' });
  }
}
