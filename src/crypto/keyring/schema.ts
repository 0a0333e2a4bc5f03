import { sql } from 'kysely';
import { columnTypes, type Migration } from '../../store/migrations.js';

/**
 * Keyring tables. Key material exists here only wrapped by the key-encryption key (KEK);
 * destroying a version erases its wrapped material, after which nothing it encrypted can
 * be read by anyone (crypto-shredding).
 */
export const keyringMigrations: Migration[] = [
  {
    id: '0001_keyring',
    async up(tx, dialect) {
      const { blob, bigint } = columnTypes(dialect);
      await sql`CREATE TABLE crypto_keys (
        name TEXT PRIMARY KEY,
        key_id ${bigint} NOT NULL UNIQUE,
        purpose TEXT NOT NULL,
        primary_version INTEGER NOT NULL,
        min_decryption_version INTEGER NOT NULL,
        rotation_interval_ms ${bigint},
        created_at TEXT NOT NULL
      )`.execute(tx);
      await sql`CREATE TABLE crypto_key_versions (
        key_id ${bigint} NOT NULL,
        version INTEGER NOT NULL,
        wrapped ${blob},
        kek_uri TEXT NOT NULL,
        created_at TEXT NOT NULL,
        destroyed_at TEXT,
        PRIMARY KEY (key_id, version)
      )`.execute(tx);
      await sql`CREATE TABLE crypto_kek_params (
        uri TEXT PRIMARY KEY,
        salt ${blob} NOT NULL,
        iterations INTEGER NOT NULL,
        check_value ${blob} NOT NULL
      )`.execute(tx);
    },
  },
];
