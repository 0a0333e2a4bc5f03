import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';
import { invalidInput } from '../../core/errors.js';

/**
 * Time-based one-time passwords (RFC 6238) for the second factor: pure functions, no I/O.
 * The caller stores the secret (encrypted) and the last accepted time step per user.
 *
 * `otpauth` computes the codes (HOTP dynamic truncation, RFC 4226 §5.3). It compares each
 * candidate with `crypto.timingSafeEqual`, but its `validate` returns at the first match while
 * trying the steps in the order now, now−1, now+1. We compare ourselves instead, for two
 * reasons: every candidate in the window is compared whether or not an earlier one matched
 * (the time taken does not say which step matched), and a code that happens to be valid at
 * two steps in the window is credited to the *later* one. Crediting the earlier step would
 * let the very same six digits be accepted a second time at the later step, which RFC 6238
 * §5.2 forbids ("MUST NOT accept the second attempt of the OTP").
 */

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** RFC 6238 defaults, which is also all that most authenticator apps implement. */
export const TOTP_DEFAULTS = { algorithm: 'SHA1', digits: 6, period: 30, window: 1 } as const;

/** RFC 4226 §4 R6: the shared secret is at least 128 bits; 160 bits is recommended. */
const MIN_SECRET_BYTES = 16;
const SECRET_BYTES = 20;
const MAX_WINDOW = 10;

const ALGORITHMS: readonly TotpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];
const BASE32 = /^[A-Z2-7]+=*$/;

export interface TotpParameters {
  /** HMAC hash; default SHA1 (the only one every authenticator app supports). */
  readonly algorithm?: TotpAlgorithm;
  /** Code length, 6 to 8 digits; default 6. */
  readonly digits?: number;
  /** Time step in seconds; default 30. */
  readonly period?: number;
}

/** A fresh 160-bit shared secret, RFC 4648 base32 without padding (32 characters). */
export function generateTotpSecret(): string {
  // Copied into its own ArrayBuffer: a Buffer's `.buffer` may be a shared pool slab.
  return new Secret({ buffer: new Uint8Array(randomBytes(SECRET_BYTES)).buffer }).base32;
}

export interface TotpUriOptions extends TotpParameters {
  /** Service name shown in the authenticator app, e.g. `LangTrain`. */
  readonly issuer: string;
  /** Account name shown beside it, e.g. the user's email address. */
  readonly account: string;
  /** Base32 secret from {@link generateTotpSecret}. */
  readonly secret: string;
}

/**
 * The `otpauth://totp/…` URI an authenticator app scans from a QR code at enrolment (Google
 * Authenticator Key Uri Format: label `issuer:account`, plus an `issuer` parameter).
 * The URI carries the secret: render it once, never log or store it.
 */
export function totpUri(options: TotpUriOptions): string {
  const { issuer, account } = options;
  // The label is `issuer:account`, so a colon in either would move the boundary.
  for (const [name, value] of [
    ['issuer', issuer],
    ['account', account],
  ] as const) {
    if (typeof value !== 'string' || value.trim() === '' || value.includes(':')) {
      throw invalidInput(`totp ${name} must be a non-empty string without ":"`, { option: name });
    }
  }
  const params = checkParameters(options);
  return new TOTP({ issuer, label: account, issuerInLabel: true, secret: secretOf(options.secret), ...params }).toString();
}

export interface VerifyTotpOptions extends TotpParameters {
  /** Base32 shared secret. */
  readonly secret: string;
  /** The code the user typed. ASCII spaces are ignored ("123 456" as some apps display it). */
  readonly code: string;
  /** Verification time; default `Date.now()`. Milliseconds since the epoch, or a Date. */
  readonly now?: number | Date;
  /** The step returned by the last successful verification for this secret, if any. */
  readonly lastUsedStep?: number | null;
  /** Steps accepted either side of the current one, for clock drift; default 1 (±30 s). */
  readonly window?: number;
}

export type TotpVerification =
  | { readonly ok: true; /** Store this as `lastUsedStep`. */ readonly step: number }
  | {
      readonly ok: false;
      readonly step: null;
      /**
       * Why, for the audit log (not for the user, who should see one generic message):
       * `malformed` not `digits` decimal digits; `mismatch` no step in the window matches;
       * `used` it matches only steps at or before `lastUsedStep`.
       */
      readonly reason: 'malformed' | 'mismatch' | 'used';
    };

/**
 * Check a code against the steps `now ± window`. A code is accepted only for a step after
 * `lastUsedStep`, so an accepted code (or any code from an earlier step) cannot be used again;
 * the caller must persist the returned `step` atomically with the login it grants.
 */
export function verifyTotp(options: VerifyTotpOptions): TotpVerification {
  const secret = secretOf(options.secret);
  const { algorithm, digits, period } = checkParameters(options);
  const window = options.window ?? TOTP_DEFAULTS.window;
  if (!Number.isInteger(window) || window < 0 || window > MAX_WINDOW) {
    throw invalidInput(`totp window must be an integer from 0 to ${MAX_WINDOW}`, { option: 'window' });
  }
  const lastUsedStep = options.lastUsedStep ?? null;
  if (lastUsedStep !== null && !(Number.isSafeInteger(lastUsedStep) && lastUsedStep >= 0)) {
    throw invalidInput('totp lastUsedStep must be a non-negative integer or null', { option: 'lastUsedStep' });
  }
  const nowMs = options.now === undefined ? Date.now() : options.now instanceof Date ? options.now.getTime() : options.now;
  if (!Number.isFinite(nowMs) || nowMs < 0) throw invalidInput('totp now must be a time at or after the epoch', { option: 'now' });

  const code = typeof options.code === 'string' ? options.code.replace(/ /g, '') : '';
  if (code.length !== digits || !/^[0-9]+$/.test(code)) return { ok: false, step: null, reason: 'malformed' };
  const presented = Buffer.from(code, 'ascii');

  // RFC 6238 §4.2: T = floor((unixTime − T0) / X) with T0 = 0; integer milliseconds keep it exact.
  const current = Math.floor(nowMs / (period * 1000));
  let matched: number | null = null;
  for (let step = Math.max(0, current - window); step <= current + window; step++) {
    const candidate = Buffer.from(HOTP.generate({ secret, algorithm, digits, counter: step }), 'ascii');
    // No early exit: every candidate is compared; ascending order leaves the latest match.
    if (timingSafeEqual(candidate, presented)) matched = step;
  }
  if (matched === null) return { ok: false, step: null, reason: 'mismatch' };
  if (lastUsedStep !== null && matched <= lastUsedStep) return { ok: false, step: null, reason: 'used' };
  return { ok: true, step: matched };
}

function checkParameters(options: TotpParameters): { algorithm: TotpAlgorithm; digits: number; period: number } {
  const algorithm = options.algorithm ?? TOTP_DEFAULTS.algorithm;
  const digits = options.digits ?? TOTP_DEFAULTS.digits;
  const period = options.period ?? TOTP_DEFAULTS.period;
  if (!ALGORITHMS.includes(algorithm)) {
    throw invalidInput(`totp algorithm must be one of ${ALGORITHMS.join(', ')}`, { option: 'algorithm', supported: ALGORITHMS });
  }
  // RFC 4226 §5.3: at least 6 digits; more than 8 would exceed what truncation keeps well.
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) throw invalidInput('totp digits must be 6, 7 or 8', { option: 'digits' });
  if (!Number.isInteger(period) || period < 1 || period > 300) {
    throw invalidInput('totp period must be a whole number of seconds from 1 to 300', { option: 'period' });
  }
  return { algorithm, digits, period };
}

/** Decode a base32 secret strictly: otpauth alone would accept stray bits and short keys. */
function secretOf(base32: string): Secret {
  const normalised = typeof base32 === 'string' ? base32.replace(/ /g, '').toUpperCase() : '';
  if (!BASE32.test(normalised)) throw invalidInput('totp secret must be RFC 4648 base32', { option: 'secret' });
  const secret = Secret.fromBase32(normalised);
  if (secret.bytes.length < MIN_SECRET_BYTES) {
    throw invalidInput(`totp secret must be at least ${MIN_SECRET_BYTES * 8} bits (RFC 4226 §4)`, { option: 'secret' });
  }
  return secret;
}
