import { createHash, randomBytes } from 'node:crypto';
import type { MfaMethod } from './authentication-options.js';

/** What a sign-in that passed its password still owes. Never holds a code or secret. */
export interface PendingLogin {
  userId: string;
  ip: string | null;
  userAgent: string | null;
  methods: readonly MfaMethod[];
  expiresAtMs: number;
  /** Wrong codes given so far against this challenge. */
  failures: number;
  /** The SmsCodes challenge id once `startSmsChallenge` sent a code. */
  smsChallengeId?: string;
}

/**
 * Second-factor challenges between `login` and `completeMfa`, in this process's memory:
 * 256-bit random tokens, kept only as SHA-256 digests, one per user (a newer login replaces
 * the older challenge), single use, ended after `ttlMs`. `take` removes the entry
 * synchronously, so two concurrent completions of one challenge cannot both succeed; the
 * caller puts it back (`restore`) after a wrong code while attempts remain.
 */
export class MfaChallenges {
  readonly #entries = new Map<string, PendingLogin>();
  readonly #ttlMs: number;
  readonly #clock: () => Date;

  constructor(ttlMs: number, clock: () => Date) {
    this.#ttlMs = ttlMs;
    this.#clock = clock;
  }

  issue(login: Omit<PendingLogin, 'expiresAtMs' | 'failures'>): { token: string; expiresAtMs: number } {
    const now = this.#clock().getTime();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAtMs <= now || entry.userId === login.userId) this.#entries.delete(key);
    }
    const token = `ltc_${randomBytes(32).toString('base64url')}`;
    const expiresAtMs = now + this.#ttlMs;
    this.#entries.set(digest(token), { ...login, expiresAtMs, failures: 0 });
    return { token, expiresAtMs };
  }

  /** Look without taking (for sending an SMS code). */
  peek(token: string): PendingLogin | 'expired' | null {
    return this.#lookup(token, false);
  }

  /** Remove and return the challenge: it is spent unless `restore`d. */
  take(token: string): PendingLogin | 'expired' | null {
    return this.#lookup(token, true);
  }

  restore(token: string, entry: PendingLogin): void {
    if (entry.expiresAtMs > this.#clock().getTime()) this.#entries.set(digest(token), entry);
  }

  get size(): number {
    return this.#entries.size;
  }

  #lookup(token: string, take: boolean): PendingLogin | 'expired' | null {
    if (typeof token !== 'string' || token.length === 0 || token.length > 128) return null;
    const key = digest(token);
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (entry.expiresAtMs <= this.#clock().getTime()) {
      this.#entries.delete(key);
      return 'expired';
    }
    if (take) this.#entries.delete(key);
    return entry;
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
