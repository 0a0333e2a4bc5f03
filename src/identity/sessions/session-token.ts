import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Session tokens: `lts_<id>_<secret>`.
 *
 * - `id`: 128 random bits as 32 lower-case hex characters. It names the row, so a lookup
 *   is one primary-key read and never a search by secret (a search by secret would make the
 *   database's index walk a timing oracle on the secret). Hex keeps `_` out of the id, so
 *   the token splits unambiguously even though base64url secrets may contain `_`.
 * - `secret`: 256 random bits (CSPRNG) as 43 base64url characters, the whole of the
 *   token's strength.
 *
 * Only `sessionTokenDigest(token)` — SHA-256 over the whole token — is stored. A fast hash
 * is right here, unlike for passwords: with 256 bits of entropy nobody can enumerate
 * candidates from a stolen digest, so a slow KDF would only add latency to every request
 * (OWASP Session Management Cheat Sheet; the same reasoning as GitHub's token storage).
 * Hashing the id with the secret binds them: a secret is worth nothing under another id.
 */
export const SESSION_TOKEN_PREFIX = 'lts_';

const TOKEN_SHAPE = /^lts_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
export const SESSION_ID_SHAPE = /^[0-9a-f]{32}$/;

export interface MintedSessionToken {
  id: string;
  token: string;
  /** Hex SHA-256 of `token`: the only form stored. */
  digest: string;
}

/** A fresh session id, token and digest. */
export function mintSessionToken(): MintedSessionToken {
  const id = randomBytes(16).toString('hex');
  const token = `${SESSION_TOKEN_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  return { id, token, digest: sessionTokenDigest(token) };
}

/**
 * The id of a well-formed token, or null. Only the shape is checked here; whether the
 * secret is right is `digestsMatch` against the stored digest. A secret whose base64url
 * does not round-trip (non-zero padding bits) is refused, so one token has one spelling.
 */
export function parseSessionToken(token: unknown): { id: string; token: string } | null {
  if (typeof token !== 'string' || token.length !== 80) return null;
  const match = TOKEN_SHAPE.exec(token);
  if (!match) return null;
  const secret = match[2]!;
  if (Buffer.from(secret, 'base64url').toString('base64url') !== secret) return null;
  return { id: match[1]!, token };
}

export function sessionTokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex SHA-256 digests. */
export function digestsMatch(expectedHex: string, actualHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'hex');
  const actual = Buffer.from(actualHex, 'hex');
  return expected.length === 32 && actual.length === 32 && timingSafeEqual(expected, actual);
}
