import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { AuditSink } from '../core/audit-sink.js';
import type { Store } from '../store/database.js';
import type { Migration } from '../store/migrations.js';

/**
 * The bootstrap administrator token: the one credential that exists before users and
 * authentication do. Shown once, stored as a SHA-256 digest (the token carries 256 random
 * bits, so a slow password hash would add nothing), compared in constant time.
 */
export const adminTokenMigrations: Migration[] = [
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
];

const PREFIX = 'lt_admin_';

const digestOf = (token: string) => createHash('sha256').update(token).digest('hex');

export class AdminTokens {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditSink,
  ) {}

  /** Whether any unrevoked admin token exists. */
  async exists(): Promise<boolean> {
    const row = await this.store.db.selectFrom('identity_admin_tokens').select('id').where('revoked_at', 'is', null).executeTakeFirst();
    return row !== undefined;
  }

  /** Mint a new token, revoking every earlier one. The token is returned once and never stored. */
  async mint(): Promise<string> {
    const id = randomBytes(6).toString('hex');
    const token = `${PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
    const now = new Date().toISOString();
    await this.store.writeTransaction('identity', async (tx) => {
      await tx.updateTable('identity_admin_tokens').set({ revoked_at: now }).where('revoked_at', 'is', null).execute();
      await tx.insertInto('identity_admin_tokens').values({ id, digest: digestOf(token), created_at: now }).execute();
    });
    await this.audit.record({ eventType: 'admin_token.minted', result: 'success', additionalData: { tokenId: id } });
    return token;
  }

  /** The token's id when it is a valid, unrevoked admin token; otherwise null. */
  async verify(presented: string): Promise<string | null> {
    const match = /^lt_admin_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/.exec(presented);
    if (!match) return null;
    const row = await this.store.db
      .selectFrom('identity_admin_tokens')
      .select(['digest'])
      .where('id', '=', match[1]!)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    const expected = Buffer.from(row.digest, 'hex');
    const actual = Buffer.from(digestOf(presented), 'hex');
    return timingSafeEqual(expected, actual) ? match[1]! : null;
  }
}
