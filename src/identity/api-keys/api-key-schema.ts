import { sql } from 'kysely';
import { columnTypes, type Migration } from '../../store/migrations.js';

/**
 * The `api_keys` domain's table. Times are ISO 8601 UTC strings (`toISOString()`), so text
 * comparison orders them on both databases.
 *
 * - `secret_hash`: HMAC-SHA256 of the key's secret under the pepper (hashApiKeySecret); the
 *   key and its secret are never stored.
 * - `permissions`: a JSON array of grants; `rate_limit`: the rate as written ("1000/hour").
 * - Rotation: `rotated_to` names the successor, `rotated_from` the predecessor, and
 *   `grace_until` is when a rotated key stops working.
 * - `sealed_key`: on a successor issued by auto-rotation, its own key sealed with
 *   AES-256-GCM (successor-seal.ts) until the predecessor's holder claims it; then NULL.
 */
export const apiKeyMigrations: Migration[] = [
  {
    id: '0001_identity_api_keys',
    async up(tx, dialect) {
      const { bool } = columnTypes(dialect);
      await sql`CREATE TABLE identity_api_keys (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        name TEXT,
        environment TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        permissions TEXT NOT NULL,
        rate_limit TEXT,
        auto_rotate ${bool} NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT,
        rotated_from TEXT,
        rotated_to TEXT,
        grace_until TEXT,
        sealed_key TEXT
      )`.execute(tx);
      await sql`CREATE INDEX identity_api_keys_user ON identity_api_keys (user_id, created_at)`.execute(tx);
      await sql`CREATE INDEX identity_api_keys_expiry ON identity_api_keys (expires_at)`.execute(tx);
    },
  },
];
