import { sql } from 'kysely';
import { columnTypes, type Migration } from '../store/migrations.js';

/**
 * Tables of the `local` secrets provider. A value exists here only as a keyring ciphertext
 * bound to its secret name and version; deleting a secret erases the ciphertexts and keeps
 * the rows, so the history (which versions existed, when) stays answerable.
 */
export const secretsMigrations: Migration[] = [
  {
    id: '0001_secrets',
    async up(tx, dialect) {
      const { blob } = columnTypes(dialect);
      await sql`CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        tags TEXT NOT NULL,
        current_version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        deleted_at TEXT
      )`.execute(tx);
      await sql`CREATE TABLE secret_versions (
        name TEXT NOT NULL REFERENCES secrets (name),
        version INTEGER NOT NULL,
        ciphertext ${blob},
        created_at TEXT NOT NULL,
        destroyed_at TEXT,
        PRIMARY KEY (name, version)
      )`.execute(tx);
    },
  },
];
