import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { AuditSink } from '../core/audit-sink.js';
import type { Store } from '../store/database.js';
import type { Migration } from '../store/migrations.js';

/**
 * Setup codes: the one credential that exists before any administrator does (Keycloak's
 * temporary bootstrap admin, Vault's root token generation). A code creates one admin account
 * and is spent; it is shown once, stored as a SHA-256 digest (it carries 256 random bits, so a
 * slow password hash would add nothing) and compared in constant time. Table rows from before
 * 0002 were "admin tokens"; they keep working as setup codes.
 */
export const setupCodeMigrations: Migration[] = [
  {
    id: '0001_admin_tokens',
    async up(tx) {
      await sql`CREATE TABLE identity_admin_tokens (
        id TEXT PRIMARY KEY,
        digest TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      )`.execute(tx);
    },
  },
  {
    id: '0002_setup_codes',
    async up(tx) {
      await sql`ALTER TABLE identity_admin_tokens RENAME TO identity_setup_codes`.execute(tx);
    },
  },
];

const TABLE = 'identity_setup_codes';
const SHAPE = /^lt_(?:admin|setup)_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

const digestOf = (code: string) => createHash('sha256').update(code).digest('hex');

export class SetupCodes {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditSink,
  ) {}

  /** Whether an unspent setup code exists. */
  async exists(): Promise<boolean> {
    const row = await this.store.db.selectFrom(TABLE).select('id').where('revoked_at', 'is', null).executeTakeFirst();
    return row !== undefined;
  }

  /** Mint a new code, revoking every earlier one. Returned once and never stored. */
  async mint(): Promise<string> {
    const id = randomBytes(6).toString('hex');
    const code = `lt_setup_${id}_${randomBytes(32).toString('base64url')}`;
    const now = new Date().toISOString();
    await this.store.writeTransaction('identity', async (tx) => {
      await tx.updateTable(TABLE).set({ revoked_at: now }).where('revoked_at', 'is', null).execute();
      await tx.insertInto(TABLE).values({ id, digest: digestOf(code), created_at: now }).execute();
    });
    await this.audit.record({ eventType: 'auth.setup_code_minted', result: 'success', additionalData: { codeId: id } });
    return code;
  }

  /** The code's id when it is valid and unspent; otherwise null. Does not spend it. */
  async check(presented: string): Promise<string | null> {
    const match = typeof presented === 'string' ? SHAPE.exec(presented) : null;
    if (!match) return null;
    const row = await this.store.db.selectFrom(TABLE).select(['digest']).where('id', '=', match[1]!).where('revoked_at', 'is', null).executeTakeFirst();
    if (!row) return null;
    return timingSafeEqual(Buffer.from(String(row.digest), 'hex'), Buffer.from(digestOf(presented), 'hex')) ? match[1]! : null;
  }

  /** Spend the code: true for exactly one of any number of concurrent callers. */
  async spend(presented: string): Promise<boolean> {
    const id = await this.check(presented);
    if (id === null) return false;
    const spent = await this.store.writeTransaction('identity', (tx) =>
      tx.updateTable(TABLE).set({ revoked_at: new Date().toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst(),
    );
    return Number(spent.numUpdatedRows) === 1;
  }
}
