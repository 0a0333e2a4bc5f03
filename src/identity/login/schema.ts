import { sql } from 'kysely';
import type { Migration } from '../../store/migrations.js';

/**
 * The `login` domain: sign-ins in flight (a password accepted, a second factor owed; an SSO
 * redirect out, its callback not yet back). Kept in the store, not in memory, so any server
 * instance can finish what another started. `digest` is the hex SHA-256 of the bearer token;
 * `payload` is JSON: ids, methods, the expected WebAuthn challenge, and for OpenID Connect the
 * PKCE verifier and nonce (useless without the authorization code the browser brings back,
 * and deleted when the sign-in ends or expires).
 */
export const loginMigrations: Migration[] = [
  {
    id: '0001_identity_login_challenges',
    async up(tx) {
      await sql`CREATE TABLE identity_login_challenges (
        digest TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        user_id TEXT,
        payload TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        expires_at TEXT NOT NULL
      )`.execute(tx);
      await sql`CREATE INDEX identity_login_challenges_user ON identity_login_challenges (kind, user_id)`.execute(tx);
      await sql`CREATE INDEX identity_login_challenges_expiry ON identity_login_challenges (expires_at)`.execute(tx);
    },
  },
];
