import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { JsonValue } from '../core/audit-sink.js';
import { invalidInput, isLangtrainError } from '../core/errors.js';
import { parseBody, type EntryBody } from './entry.js';
import type { Store } from '../store/database.js';
import type { PayloadSealer } from './payload-seal.js';
import { entryField, entryUser } from './schema.js';

/** The most entries one query returns: a page, not the log; a reader goes on with `afterIndex`. */
export const MAX_QUERY_LIMIT = 10_000;

export const auditQuerySchema = z
  .object({
    /** Event time at or after (ISO 8601). */
    from: z.iso.datetime({ offset: true }).optional(),
    /** Event time before (ISO 8601). */
    to: z.iso.datetime({ offset: true }).optional(),
    eventType: z.string().min(1).max(128).optional(),
    userId: z.string().min(1).max(256).optional(),
    result: z.string().min(1).max(64).optional(),
    /** Resume after this leaf index (the `index` of the last entry of the previous page). */
    afterIndex: z.number().int().min(-1).optional(),
    limit: z.number().int().min(1).max(MAX_QUERY_LIMIT).default(100),
  })
  .strict();

export type AuditQuery = z.input<typeof auditQuerySchema>;

export interface AuditEntryView {
  index: number;
  /** The entry's fields are null once retention has pruned it. */
  id: string | null;
  loggedAt: string | null;
  timestamp: string | null;
  eventType: string | null;
  userId: string | null;
  result: string | null;
  level: 'basic' | 'detailed' | null;
  additionalData?: { [key: string]: JsonValue };
  /**
   * `clear` (never sealed), `opened`, `shredded` (data key destroyed), `locked` (no usable
   * key here), `tampered` (its data key is here and intact, yet the payload does not open:
   * the payload, or the entry id it is bound to, was changed), `pruned`.
   */
  payload: 'clear' | 'opened' | 'shredded' | 'locked' | 'tampered' | 'pruned';
  leafHash: string;
}

export async function queryEntries(store: Store, input: AuditQuery, sealer: PayloadSealer | null): Promise<AuditEntryView[]> {
  const parsed = auditQuerySchema.safeParse(input);
  if (!parsed.success) {
    throw invalidInput(`invalid audit query: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')}`);
  }
  const q = parsed.data;
  const field = (name: string) => sql.raw(entryField(store.dialect, name));
  let select = store.db.selectFrom('audit_entries').select(['seq', 'body', 'leaf_hash', 'pruned_at']);
  // Stored times are ISO 8601 UTC strings, so string order is time order.
  if (q.from) select = select.where(field('timestamp'), '>=', new Date(q.from).toISOString());
  if (q.to) select = select.where(field('timestamp'), '<', new Date(q.to).toISOString());
  if (q.eventType) select = select.where(field('eventType'), '=', q.eventType);
  if (q.result) select = select.where(field('result'), '=', q.result);
  if (q.userId) {
    const userId = q.userId;
    const user = sql.raw(entryUser(store.dialect));
    select = select.where(user, 'in', sealer ? [userId, sealer.subjectRef(userId)] : [userId]);
  }
  if (q.afterIndex !== undefined) select = select.where('seq', '>', q.afterIndex);
  const rows = await select.orderBy('seq', 'asc').limit(q.limit).execute();
  return Promise.all(rows.map((row) => toView(store.db, row, sealer)));
}

async function toView(db: Kysely<any>, row: Record<string, any>, sealer: PayloadSealer | null): Promise<AuditEntryView> {
  const base = { index: Number(row.seq), leafHash: Buffer.from(row.leaf_hash).toString('hex') };
  if (row.body === null) {
    return { ...base, id: null, loggedAt: null, timestamp: null, eventType: null, userId: null, result: null, level: null, payload: 'pruned' };
  }
  const body = parseBody(row.body);
  const view: AuditEntryView = {
    ...base,
    id: body.id,
    loggedAt: body.loggedAt,
    timestamp: body.timestamp,
    eventType: body.eventType,
    userId: body.userId ?? body.userRef ?? null,
    result: body.result,
    level: body.level,
    payload: 'clear',
  };
  if (body.data) view.additionalData = body.data;
  if (body.sealed) {
    if (!sealer) return { ...view, payload: 'locked' };
    try {
      const content = await sealer.open(db, body.id, body.sealed);
      if (!content) return { ...view, payload: 'shredded' };
      if (content.userId) view.userId = content.userId;
      if (content.additionalData) view.additionalData = content.additionalData;
      view.payload = 'opened';
    } catch (err) {
      if (!isLangtrainError(err, 'ERR_CRYPTO_DECRYPT_FAILED')) throw err;
      return { ...view, payload: (await dataKeyUsable(db, body.id, body.sealed, sealer)) ? 'tampered' : 'locked' };
    }
  }
  return view;
}

/**
 * After a payload failed to open: was its data key usable here? Then AES-GCM rejected the
 * payload itself (changed, or moved to another entry), which is tampering, not a missing key.
 * Opening again tells: the sealer reads the key row (and unwraps it with this log's KEK)
 * only when it has not already unwrapped that key, so a retry that never reads the
 * store ran on a key that unwrapped fine. If the sealer stops caching keys, the retry always
 * reads the store and this answers false: `locked`, as before.
 */
async function dataKeyUsable(db: Kysely<any>, entryId: string, sealed: NonNullable<EntryBody['sealed']>, sealer: PayloadSealer): Promise<boolean> {
  let readStore = false;
  const watched = new Proxy(db, {
    get(target, name, receiver) {
      if (name === 'selectFrom') readStore = true;
      const value = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  try {
    await sealer.open(watched, entryId, sealed);
    return false; // opened this time: not tampering
  } catch (err) {
    if (!isLangtrainError(err, 'ERR_CRYPTO_DECRYPT_FAILED')) throw err;
    return !readStore;
  }
}
