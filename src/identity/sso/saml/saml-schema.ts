import { sql } from 'kysely';
import type { Migration } from '../../../store/migrations.js';

/**
 * The `saml` domain's tables, shared by every server instance on the store. Times are ISO
 * 8601 UTC strings (`toISOString()`), so text comparison orders them on both databases.
 *
 * - `identity_saml_requests`: AuthnRequests sent and not yet answered, so a response is
 *   accepted only in answer to one of ours (InResponseTo), whichever instance sent it,
 *   and only through the provider the request went to.
 * - `identity_saml_assertions`: assertion ids already used, kept until the assertion
 *   could no longer be accepted anyway (its NotOnOrAfter plus the clock skew), so a
 *   captured assertion cannot sign anyone in a second time.
 */
export const samlMigrations: Migration[] = [
  {
    id: '0001_identity_saml',
    async up(tx) {
      await sql`CREATE TABLE identity_saml_requests (
        id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      )`.execute(tx);
      await sql`CREATE INDEX identity_saml_requests_expiry ON identity_saml_requests (expires_at)`.execute(tx);
      await sql`CREATE TABLE identity_saml_assertions (
        id TEXT PRIMARY KEY,
        expires_at TEXT NOT NULL
      )`.execute(tx);
      await sql`CREATE INDEX identity_saml_assertions_expiry ON identity_saml_assertions (expires_at)`.execute(tx);
    },
  },
];
