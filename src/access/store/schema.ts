import { sql } from 'kysely';
import type { Migration } from '../../store/migrations.js';

/**
 * The `access` domain: roles, bindings and policies as the server keeps them, and one
 * revision counter bumped in the same transaction as every change, so each instance can see
 * with one cheap read whether its compiled engine is stale. Lists are JSON text.
 */
export const accessMigrations: Migration[] = [
  {
    id: '0001_access',
    async up(tx) {
      await sql`CREATE TABLE access_roles (
        name TEXT PRIMARY KEY,
        permissions TEXT NOT NULL,
        inherits TEXT NOT NULL,
        description TEXT,
        updated_at TEXT NOT NULL
      )`.execute(tx);
      await sql`CREATE TABLE access_bindings (
        id TEXT PRIMARY KEY,
        principal TEXT NOT NULL,
        role TEXT NOT NULL,
        resource TEXT,
        expires TEXT,
        created_at TEXT NOT NULL
      )`.execute(tx);
      await sql`CREATE INDEX access_bindings_principal ON access_bindings (principal)`.execute(tx);
      await sql`CREATE TABLE access_policies (
        name TEXT PRIMARY KEY,
        effect TEXT NOT NULL,
        condition TEXT NOT NULL,
        actions TEXT,
        resources TEXT,
        description TEXT,
        updated_at TEXT NOT NULL
      )`.execute(tx);
      await sql`CREATE TABLE access_revision (
        id INTEGER PRIMARY KEY,
        revision INTEGER NOT NULL
      )`.execute(tx);
      await sql`INSERT INTO access_revision (id, revision) VALUES (1, 0)`.execute(tx);
    },
  },
];
