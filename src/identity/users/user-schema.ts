import { sql } from 'kysely';
import type { Migration } from '../../store/migrations.js';

/**
 * The `users` domain's tables. Times are ISO 8601 UTC strings (`toISOString()`), so text
 * comparison orders them on both databases, as in the `sessions` domain.
 *
 * - `identity_users`: one row per account. `username` is the NFKC, lower-cased form (unique).
 *   `password_hash` is an argon2id PHC string. `totp_secret` / `totp_pending` are TOTP
 *   secrets sealed with AES-256-GCM (`v1.<nonce>.<ciphertext>`, base64url), never clear;
 *   `totp_last_step` is the RFC 6238 step of the last accepted code (replay guard). The
 *   lockout columns (`failures`, `failure_window_start`, `locked_until`, `lockouts`) live
 *   here, not in memory, so every server instance on the database agrees.
 * - `identity_login_ips`: the same failure counters per client IP, for throttling.
 * - `identity_recovery_codes`: SHA-256 digests (hex) of recovery codes; `used_at` once spent.
 *
 * 0002 adds `roles` (a JSON array of role names) and lets `password_hash` be NULL (an
 * account that signs in only through SSO, or whose password is not set yet). SQLite cannot
 * drop a NOT NULL constraint, so there the table is rebuilt.
 */
export const userMigrations: Migration[] = [
  {
    id: '0001_identity_users',
    async up(tx) {
      await sql`CREATE TABLE identity_users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL,
        disabled_at TEXT,
        totp_secret TEXT,
        totp_pending TEXT,
        totp_last_step INTEGER,
        failures INTEGER NOT NULL DEFAULT 0,
        failure_window_start TEXT,
        locked_until TEXT,
        lockouts INTEGER NOT NULL DEFAULT 0
      )`.execute(tx);
      await sql`CREATE TABLE identity_login_ips (
        ip TEXT PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0,
        failure_window_start TEXT,
        locked_until TEXT,
        lockouts INTEGER NOT NULL DEFAULT 0
      )`.execute(tx);
      await sql`CREATE TABLE identity_recovery_codes (
        user_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        created_at TEXT NOT NULL,
        used_at TEXT,
        PRIMARY KEY (user_id, digest)
      )`.execute(tx);
    },
  },
  {
    id: '0002_roles_optional_password',
    async up(tx, dialect) {
      if (dialect === 'postgres') {
        await sql`ALTER TABLE identity_users ALTER COLUMN password_hash DROP NOT NULL`.execute(tx);
        await sql`ALTER TABLE identity_users ADD COLUMN roles TEXT NOT NULL DEFAULT '[]'`.execute(tx);
      } else {
        await sql`CREATE TABLE identity_users_0002 (
          id TEXT PRIMARY KEY,
          username TEXT NOT NULL UNIQUE,
          password_hash TEXT,
          created_at TEXT NOT NULL,
          password_changed_at TEXT NOT NULL,
          disabled_at TEXT,
          totp_secret TEXT,
          totp_pending TEXT,
          totp_last_step INTEGER,
          failures INTEGER NOT NULL DEFAULT 0,
          failure_window_start TEXT,
          locked_until TEXT,
          lockouts INTEGER NOT NULL DEFAULT 0,
          roles TEXT NOT NULL DEFAULT '[]'
        )`.execute(tx);
        await sql`INSERT INTO identity_users_0002 (id, username, password_hash, created_at, password_changed_at, disabled_at, totp_secret, totp_pending, totp_last_step, failures, failure_window_start, locked_until, lockouts)
          SELECT id, username, password_hash, created_at, password_changed_at, disabled_at, totp_secret, totp_pending, totp_last_step, failures, failure_window_start, locked_until, lockouts FROM identity_users`.execute(tx);
        await sql`DROP TABLE identity_users`.execute(tx);
        await sql`ALTER TABLE identity_users_0002 RENAME TO identity_users`.execute(tx);
      }
    },
  },
  {
    // The verified phone number (E.164) SMS codes go to; null until one is set.
    id: '0003_phone',
    async up(tx) {
      await sql`ALTER TABLE identity_users ADD COLUMN phone TEXT`.execute(tx);
    },
  },
];
