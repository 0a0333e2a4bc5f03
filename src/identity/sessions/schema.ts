import { sql } from 'kysely';
import { columnTypes, type Migration } from '../../store/migrations.js';

/**
 * The `sessions` domain's table. Times are ISO 8601 UTC strings (`toISOString()`, always
 * 24 characters), so text comparison orders them on both databases. `digest` is the hex
 * SHA-256 of the token (session-token.ts); the token itself is never stored. `expires_at`
 * is the absolute end (created + sessionTimeout); the idle end is derived from
 * `last_seen_at`. Lookups are by `id` (primary key) and by `user_id` (limits, listing).
 */
export const sessionMigrations: Migration[] = [
  {
    id: '0001_identity_sessions',
    async up(tx, dialect) {
      const { bool } = columnTypes(dialect);
      await sql`CREATE TABLE identity_sessions (
        id TEXT PRIMARY KEY,
        digest TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT,
        ip TEXT,
        user_agent TEXT,
        mfa ${bool} NOT NULL
      )`.execute(tx);
      await sql`CREATE INDEX identity_sessions_user ON identity_sessions (user_id, created_at)`.execute(tx);
    },
  },
];
