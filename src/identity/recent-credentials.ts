import { hash } from 'node:crypto';

/**
 * What credentials this instance checked against the store a moment ago resolved to, so a
 * client sending many requests is not looked up (session row, account row) on each one:
 * those two reads were half of `POST /v1/authorize`'s time (`npm run bench -- authz`).
 *
 * An entry is used only while all of these hold, else the store is asked again:
 * - it is younger than `ttlMs`: a change made by another instance (sign-out, revocation,
 *   disabled account, new roles) is seen within that time, as access-control changes are;
 * - nothing changed in this instance's sessions, accounts or keys since it was read (the
 *   caller's `revision`): a change made here takes effect at once;
 * - the credential's own end (absolute or idle) has not come.
 *
 * Keys are SHA-256 digests of the credentials, so no token is kept as a map key.
 */
export class RecentCredentials<T> {
  readonly #entries = new Map<string, { value: T; until: number; revision: number }>();

  constructor(
    readonly ttlMs: number,
    readonly maxEntries = 10_000,
  ) {}

  static key(credential: string): string {
    return hash('sha256', credential, 'base64');
  }

  get(key: string, revision: number, now: number): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.revision === revision && now < entry.until) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  /**
   * Remember `value` until `credentialEnd` or `ttlMs` from `now`, whichever is first. Pass the
   * revision read *before* the store was asked: if a change landed meanwhile, the entry never matches.
   */
  set(key: string, value: T, revision: number, now: number, credentialEnd: number): void {
    const until = Math.min(now + this.ttlMs, credentialEnd);
    if (until <= now) return;
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!); // oldest first
    this.#entries.set(key, { value, until, revision });
  }
}
