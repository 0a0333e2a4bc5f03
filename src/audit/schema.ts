import { sql } from 'kysely';
import type { Dialect } from '../store/database.js';
import { columnTypes, type Migration } from '../store/migrations.js';

/**
 * Audit tables. `audit_entries` holds each entry's canonical JSON and leaf hash;
 * `audit_nodes` the hashes of completed perfect subtrees at every fourth level (see
 * tree-store.ts), so any proof is a few indexed reads; checkpoints are the signed tree
 * heads.
 *
 * With `immutableStorage` the database itself refuses to change history: triggers reject
 * every UPDATE and DELETE except retention pruning (setting a body to NULL while its
 * leaf hash stays). The Merkle proofs catch what an attacker who drops the triggers does.
 */
export const auditMigrations: Migration[] = [
  {
    id: '0001_audit_log',
    async up(tx, dialect) {
      const { blob, bigint } = columnTypes(dialect);
      // The entry's canonical JSON is the only copy of its fields: the search indexes are
      // expressions over it, so there is no second copy that could disagree with what
      // was hashed. TEXT keeps the exact UTF-8 bytes on both databases.
      await sql`CREATE TABLE audit_entries (
        seq ${bigint} PRIMARY KEY,
        body TEXT,
        leaf_hash ${blob} NOT NULL,
        pruned_at TEXT
      )`.execute(tx);
      // Three indexes serve every query filter; each costs about a quarter of an append.
      const field = (name: string) => sql.raw(entryField(dialect, name));
      await sql`CREATE INDEX audit_entries_ts ON audit_entries (${field('timestamp')})`.execute(tx);
      await sql`CREATE INDEX audit_entries_type ON audit_entries (${field('eventType')}, ${field('timestamp')})`.execute(tx);
      await sql`CREATE INDEX audit_entries_user ON audit_entries (${sql.raw(entryUser(dialect))}, ${field('timestamp')})`.execute(tx);
      await sql`CREATE TABLE audit_nodes (
        level INTEGER NOT NULL,
        idx ${bigint} NOT NULL,
        hash ${blob} NOT NULL,
        PRIMARY KEY (level, idx)
      )`.execute(tx);
      await sql`CREATE TABLE audit_checkpoints (
        size ${bigint} PRIMARY KEY,
        root ${blob} NOT NULL,
        note TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`.execute(tx);
      await sql`CREATE TABLE audit_keys (
        name TEXT PRIMARY KEY,
        verifier_key TEXT NOT NULL,
        signer_key TEXT,
        created_at TEXT NOT NULL
      )`.execute(tx);
      await sql`CREATE TABLE audit_payload_keys (
        kid TEXT PRIMARY KEY,
        subject_ref TEXT NOT NULL,
        wrapped ${blob},
        created_at TEXT NOT NULL,
        destroyed_at TEXT
      )`.execute(tx);
      await sql`CREATE INDEX audit_payload_keys_subject ON audit_payload_keys (subject_ref, destroyed_at)`.execute(tx);
      if (dialect === 'sqlite') await sqliteGuards(tx);
      else await postgresGuards(tx);
    },
  },
  {
    // The fingerprint of the KEK the data keys are wrapped by (kek-fingerprint.ts). One row:
    // a log has one KEK, which cannot be rotated yet.
    id: '0002_audit_payload_kek',
    async up(tx, dialect) {
      const { blob } = columnTypes(dialect);
      await sql`CREATE TABLE audit_payload_kek (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        fingerprint ${blob} NOT NULL,
        recorded_at TEXT NOT NULL
      )`.execute(tx);
    },
  },
];

async function sqliteGuards(tx: Parameters<Migration['up']>[0]): Promise<void> {
  for (const table of ['audit_entries', 'audit_nodes', 'audit_checkpoints']) {
    await sql.raw(`CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
      BEGIN SELECT RAISE(ABORT, 'ERR_AUDIT_IMMUTABLE: ${table} is append-only'); END`).execute(tx);
  }
  for (const table of ['audit_nodes', 'audit_checkpoints']) {
    await sql.raw(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
      BEGIN SELECT RAISE(ABORT, 'ERR_AUDIT_IMMUTABLE: ${table} is append-only'); END`).execute(tx);
  }
  await sql.raw(`CREATE TRIGGER audit_entries_prune_only BEFORE UPDATE ON audit_entries
    WHEN NEW.seq IS NOT OLD.seq OR NEW.leaf_hash IS NOT OLD.leaf_hash
      OR NEW.body IS NOT NULL OR NEW.pruned_at IS NULL
    BEGIN SELECT RAISE(ABORT, 'ERR_AUDIT_IMMUTABLE: audit entries can only be pruned'); END`).execute(tx);
}

async function postgresGuards(tx: Parameters<Migration['up']>[0]): Promise<void> {
  // Nested IFs: PL/pgSQL does not short-circuit AND, and NEW.seq exists only on audit_entries.
  await sql.raw(`CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit_entries' THEN
        IF NEW.seq = OLD.seq AND NEW.leaf_hash = OLD.leaf_hash
           AND NEW.body IS NULL AND NEW.pruned_at IS NOT NULL THEN
          RETURN NEW;
        END IF;
      END IF;
      RAISE EXCEPTION 'ERR_AUDIT_IMMUTABLE: % is append-only', TG_TABLE_NAME;
    END $$`).execute(tx);
  for (const table of ['audit_entries', 'audit_nodes', 'audit_checkpoints']) {
    await sql.raw(`CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`).execute(tx);
    // TRUNCATE skips row triggers; refuse it with a statement trigger.
    await sql.raw(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`).execute(tx);
  }
}

/** SQL for one top-level field of an entry's JSON; indexes and queries use the same text. */
export function entryField(dialect: Dialect, name: string): string {
  if (!/^[A-Za-z]+$/.test(name)) throw new Error(`not an entry field: ${name}`);
  return dialect === 'postgres' ? `(body::jsonb ->> '${name}')` : `json_extract(body, '$.${name}')`;
}

/** The acting user as stored: the clear id, or the keyed pseudonym of a sensitive one. */
export function entryUser(dialect: Dialect): string {
  return `COALESCE(${entryField(dialect, 'userId')}, ${entryField(dialect, 'userRef')})`;
}
