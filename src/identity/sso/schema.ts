import { sql } from 'kysely';
import type { Migration } from '../../store/migrations.js';

/**
 * The `sso` domain: which IdP subject is which local account. Keyed by (provider, subject),
 * never by email: an email can change owner at the IdP, a subject cannot.
 */
export const ssoMigrations: Migration[] = [
  {
    id: '0001_identity_external_identities',
    async up(tx) {
      await sql`CREATE TABLE identity_external_identities (
        provider TEXT NOT NULL,
        subject TEXT NOT NULL,
        user_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_login_at TEXT NOT NULL,
        PRIMARY KEY (provider, subject)
      )`.execute(tx);
      await sql`CREATE INDEX identity_external_identities_user ON identity_external_identities (user_id)`.execute(tx);
    },
  },
];
