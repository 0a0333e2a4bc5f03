import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../../store/database.js';

/** What a challenge is for; a token of one kind is never accepted as another. */
export type ChallengeKind = 'mfa' | 'sso' | 'webauthn_registration' | 'phone_verification';

export interface Challenge<P> {
  userId: string | null;
  payload: P;
  expiresAtMs: number;
  /** Wrong answers given so far against this challenge. */
  failures: number;
}

const TABLE = 'identity_login_challenges';
const PREFIX: Record<ChallengeKind, string> = { mfa: 'ltc_', sso: 'ltsso_', webauthn_registration: 'ltwr_', phone_verification: 'ltpv_' };
const MAX_TOKEN = 128;

/**
 * Bearer tokens for sign-ins in flight, in the store (migrated with `loginMigrations`, domain
 * `login`) so that several server instances share them: 256-bit random tokens kept only as
 * SHA-256 digests, single use, ended after their time to live.
 *
 * Payloads must be plain JSON data (they are stored with JSON.stringify).
 *
 * `take` deletes the row and returns it in one statement (DELETE … RETURNING), so two
 * concurrent completions of one challenge cannot both get it; the caller `restore`s it after
 * a wrong answer while attempts remain. `issue` with `onePerUser` removes the user's older
 * challenges of that kind: a new sign-in replaces the one left half done.
 */
export class LoginChallenges {
  readonly #store: Store;
  readonly #clock: () => Date;

  constructor(deps: { store: Store; clock?: () => Date }) {
    this.#store = deps.store;
    this.#clock = deps.clock ?? (() => new Date());
  }

  async issue<P>(kind: ChallengeKind, input: { userId: string | null; payload: P; ttlMs: number; onePerUser?: boolean }): Promise<{ token: string; expiresAtMs: number }> {
    const token = `${PREFIX[kind]}${randomBytes(32).toString('base64url')}`;
    const now = this.#clock().getTime();
    const expiresAtMs = now + input.ttlMs;
    await this.#store.writeTransaction(`login:${kind}:${input.userId ?? ''}`, async (tx) => {
      await tx.deleteFrom(TABLE).where('expires_at', '<=', new Date(now).toISOString()).execute();
      if (input.onePerUser && input.userId !== null) await tx.deleteFrom(TABLE).where('kind', '=', kind).where('user_id', '=', input.userId).execute();
      await tx
        .insertInto(TABLE)
        .values({ digest: digest(token), kind, user_id: input.userId, payload: JSON.stringify(input.payload), failures: 0, expires_at: new Date(expiresAtMs).toISOString() })
        .execute();
    });
    return { token, expiresAtMs };
  }

  /** Look without taking. */
  async peek<P>(kind: ChallengeKind, token: string): Promise<Challenge<P> | 'expired' | null> {
    if (!wellFormed(kind, token)) return null;
    const row = await this.#store.db.selectFrom(TABLE).selectAll().where('digest', '=', digest(token)).where('kind', '=', kind).executeTakeFirst();
    return row ? this.#live<P>(row) : null;
  }

  /** Remove and return the challenge: it is spent unless `restore`d. */
  async take<P>(kind: ChallengeKind, token: string): Promise<Challenge<P> | 'expired' | null> {
    if (!wellFormed(kind, token)) return null;
    const rows = await this.#store.writeTransaction(`login:take`, (tx) => tx.deleteFrom(TABLE).where('digest', '=', digest(token)).where('kind', '=', kind).returningAll().execute());
    return rows[0] ? this.#live<P>(rows[0]) : null;
  }

  /** Put back a taken challenge (with its failures counted); an expired one stays gone. */
  async restore<P>(kind: ChallengeKind, token: string, challenge: Challenge<P>): Promise<void> {
    if (challenge.expiresAtMs <= this.#clock().getTime()) return;
    await this.#store.writeTransaction(`login:${kind}:${challenge.userId ?? ''}`, (tx) =>
      tx
        .insertInto(TABLE)
        .values({ digest: digest(token), kind, user_id: challenge.userId, payload: JSON.stringify(challenge.payload), failures: challenge.failures, expires_at: new Date(challenge.expiresAtMs).toISOString() })
        .execute(),
    );
  }

  /** Replace a live challenge's payload (e.g. the SMS or WebAuthn step it started). False when it is gone. */
  async update<P>(kind: ChallengeKind, token: string, payload: P): Promise<boolean> {
    if (!wellFormed(kind, token)) return false;
    const now = this.#clock().toISOString();
    const r = await this.#store.writeTransaction(`login:update`, (tx) =>
      tx.updateTable(TABLE).set({ payload: JSON.stringify(payload) }).where('digest', '=', digest(token)).where('kind', '=', kind).where('expires_at', '>', now).executeTakeFirst(),
    );
    return Number(r.numUpdatedRows) > 0;
  }

  #live<P>(row: Record<string, unknown>): Challenge<P> | 'expired' {
    const expiresAtMs = Date.parse(String(row.expires_at));
    if (expiresAtMs <= this.#clock().getTime()) return 'expired';
    return { userId: row.user_id == null ? null : String(row.user_id), payload: JSON.parse(String(row.payload)) as P, expiresAtMs, failures: Number(row.failures) };
  }
}

function wellFormed(kind: ChallengeKind, token: string): boolean {
  return typeof token === 'string' && token.length <= MAX_TOKEN && token.startsWith(PREFIX[kind]);
}

function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
