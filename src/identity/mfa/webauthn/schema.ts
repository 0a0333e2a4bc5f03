import { sql } from 'kysely';
import { columnTypes, type Migration } from '../../../store/migrations.js';

/**
 * The `webauthn` domain's table. `id` is the credential id as the authenticator made it,
 * base64url; `public_key` the COSE key bytes (public, but never shown or audited);
 * `sign_count` the last signature counter accepted (a uint32, hence BIGINT on PostgreSQL);
 * `transports` a JSON array; times ISO 8601 UTC strings as the other identity tables.
 */
export const webauthnMigrations: Migration[] = [
  {
    id: '0001_identity_webauthn_credentials',
    async up(tx, dialect) {
      const { blob, bigint, bool } = columnTypes(dialect);
      await sql`CREATE TABLE identity_webauthn_credentials (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        public_key ${blob} NOT NULL,
        sign_count ${bigint} NOT NULL,
        transports TEXT NOT NULL,
        device_type TEXT NOT NULL,
        backed_up ${bool} NOT NULL,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT
      )`.execute(tx);
      await sql`CREATE INDEX identity_webauthn_credentials_user ON identity_webauthn_credentials (user_id, created_at)`.execute(tx);
    },
  },
];
