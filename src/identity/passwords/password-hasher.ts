import { randomBytes } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify, type Algorithm, type Options as Argon2Options } from '@node-rs/argon2';
import { z } from 'zod';
import { invalidInput } from '../../core/errors.js';
import { parseOptions } from '../../core/options.js';
import { parseArgon2idPhc, type Argon2idParameters } from './argon2id-phc.js';

/**
 * Password storage with argon2id, as the OWASP Password Storage Cheat Sheet recommends
 * (m=19 MiB, t=2, p=1 is its first configuration; Keycloak and Ory Kratos default to
 * argon2id too). Every hash is a PHC string that carries its own salt and parameters, so
 * raising the cost later never breaks old hashes: `verify` says `needsRehash` and the
 * caller stores a fresh hash on that successful login (rehash-on-login).
 *
 * Hashing and verifying are async on purpose. `@node-rs/argon2` runs the work on the libuv
 * thread pool, not on the event loop: a server thread that spent ~50 ms per login inside a
 * synchronous hash would stall every other request for that time. The pool is shared with
 * fs, dns.lookup, zlib and node:crypto's async functions and has UV_THREADPOOL_SIZE threads
 * (4 by default), so at most that many hashes run at once, each holding m × p KiB
 * (4 × 19 MiB ≈ 76 MiB); the rest queue. Size the pool and rate-limit the login route together.
 *
 * Passwords are NFKC-normalised before hashing (NIST SP 800-63B §5.1.1.2), so the same
 * password typed as composed or decomposed Unicode verifies; `PasswordPolicy` counts length
 * on the same normal form.
 */

/** The algorithm id of argon2id in `@node-rs/argon2`: its `Algorithm` is a type-only const enum. */
const ARGON2ID = 2 as Algorithm;

/** Salt length in bytes, as OWASP and RFC 9106 recommend; older hashes with less are rehashed. */
const SALT_LEN = 16;

const optionsSchema = z
  .object({
    /** Memory cost in KiB; OWASP: 19456 (19 MiB) with t=2, or 47104 with t=1, 12288 with t=3. */
    memoryCost: z.number().int().min(1024).max(4 * 1024 * 1024).default(19_456),
    timeCost: z.number().int().min(1).max(64).default(2),
    parallelism: z.number().int().min(1).max(16).default(1),
    outputLen: z.number().int().min(16).max(64).default(32),
    /**
     * Longest password accepted, in UTF-8 bytes after NFKC. The policy caps length in code
     * points; this cap keeps an unchecked caller from feeding megabytes into the hash.
     */
    maxPasswordBytes: z.number().int().min(256).max(65_536).default(4096),
  })
  .strict();

export type PasswordHasherOptions = z.input<typeof optionsSchema>;

/** The outcome of checking a password against a stored hash. */
export interface PasswordVerification {
  /** The password matches the hash. */
  ok: boolean;
  /**
   * The hash was made with other parameters than the hasher's current ones (or an older
   * argon2 version, or a short salt): store `await hasher.hash(password)` now. Only ever true
   * when `ok` is.
   */
  needsRehash: boolean;
}

const REJECTED: PasswordVerification = Object.freeze({ ok: false, needsRehash: false });

export class PasswordHasher {
  /** The parameters new hashes are made with. */
  readonly parameters: Readonly<Argon2idParameters>;
  readonly #maxPasswordBytes: number;
  readonly #argon2: Argon2Options;
  #absentUserHash: Promise<string> | undefined;

  constructor(options: PasswordHasherOptions = {}) {
    const o = parseOptions(optionsSchema, options, 'PasswordHasher');
    this.parameters = Object.freeze({ memoryCost: o.memoryCost, timeCost: o.timeCost, parallelism: o.parallelism, outputLen: o.outputLen });
    this.#maxPasswordBytes = o.maxPasswordBytes;
    this.#argon2 = { algorithm: ARGON2ID, ...this.parameters };
  }

  /** Hash a password into an argon2id PHC string with a fresh random 16-byte salt. */
  async hash(password: string): Promise<string> {
    const normalised = this.#normalise(password);
    if (normalised === null) throw invalidInput(`password must be a string of 1 to ${this.#maxPasswordBytes} UTF-8 bytes`);
    return argon2Hash(normalised, this.#argon2);
  }

  /**
   * Check a password against a stored hash, in constant time (the comparison is the
   * library's). A hash that is not argon2id throws `ERR_PASSWORD_HASH_UNSUPPORTED`: that is a
   * data problem for an operator, not a wrong password.
   */
  async verify(stored: string, password: string): Promise<PasswordVerification> {
    const phc = parseArgon2idPhc(stored);
    const normalised = this.#normalise(password);
    if (normalised === null) return REJECTED;
    if (!(await argon2Verify(stored, normalised))) return REJECTED;
    const p = this.parameters;
    const needsRehash =
      phc.version !== 19 ||
      phc.memoryCost !== p.memoryCost ||
      phc.timeCost !== p.timeCost ||
      phc.parallelism !== p.parallelism ||
      phc.outputLen !== p.outputLen ||
      phc.saltLen < SALT_LEN;
    return { ok: true, needsRehash };
  }

  /**
   * Spend the time of a real verify when the account does not exist, then reject. Answering
   * "no such user" faster than "wrong password" tells an attacker which usernames exist.
   */
  async verifyWithoutUser(password: string): Promise<PasswordVerification> {
    this.#absentUserHash ??= this.hash(randomBytes(24).toString('base64url'));
    await this.verify(await this.#absentUserHash, typeof password === 'string' ? password : '');
    return REJECTED;
  }

  #normalise(password: string): string | null {
    if (typeof password !== 'string') return null;
    const normalised = password.normalize('NFKC');
    if (normalised.length === 0 || Buffer.byteLength(normalised, 'utf8') > this.#maxPasswordBytes) return null;
    return normalised;
  }
}
