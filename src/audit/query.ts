import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { JsonValue } from '../core/audit-sink.js';
import { invalidInput, isLangtrainError } from '../core/errors.js';
import { parseBody } from './entry.js';
import type { PayloadSealer } from './payload-seal.js';

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
    limit: z.number().int().min(1).max(10_000).default(100),
  })
  .strict();

export type AuditQuery = z.input<typeof auditQuerySchema>;

export interface AuditEntryView {
  index: number;
  id: string;
  loggedAt: string;
  /** Null once retention has pruned the entry. */
  timestamp: string | null;
  eventType: string | null;
  userId: string | null;
  result: string | null;
  level: 'basic' | 'detailed' | null;
  additionalData?: { [key: string]: JsonValue };
  /** `clear` (never sealed), `opened`, `shredded` (data key destroyed), `locked` (no key here), `pruned`. */
  payload: 'clear' | 'opened' | 'shredded' | 'locked' | 'pruned';
  leafHash: string;
}

export async function queryEntries(db: Kysely<any>, input: AuditQuery, sealer: PayloadSealer | null): Promise<AuditEntryView[]> {
  const parsed = auditQuerySchema.safeParse(input);
  if (!parsed.success) {
    throw invalidInput(`invalid audit query: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')}`);
  }
  const q = parsed.data;
  let select = db.selectFrom('audit_entries').select(['seq', 'id', 'logged_at', 'body', 'leaf_hash']);
  // Stored times are ISO 8601 UTC strings, so string order is time order.
  if (q.from) select = select.where('ts', '>=', new Date(q.from).toISOString());
  if (q.to) select = select.where('ts', '<', new Date(q.to).toISOString());
  if (q.eventType) select = select.where('event_type', '=', q.eventType);
  if (q.result) select = select.where('result', '=', q.result);
  if (q.userId) {
    const keys = sealer ? [q.userId, sealer.subjectRef(q.userId)] : [q.userId];
    select = select.where('user_key', 'in', keys);
  }
  if (q.afterIndex !== undefined) select = select.where('seq', '>', q.afterIndex);
  const rows = await select.orderBy('seq', 'asc').limit(q.limit).execute();
  return Promise.all(rows.map((row) => toView(db, row, sealer)));
}

async function toView(db: Kysely<any>, row: Record<string, any>, sealer: PayloadSealer | null): Promise<AuditEntryView> {
  const base = { index: Number(row.seq), id: String(row.id), loggedAt: String(row.logged_at), leafHash: Buffer.from(row.leaf_hash).toString('hex') };
  if (row.body === null) {
    return { ...base, timestamp: null, eventType: null, userId: null, result: null, level: null, payload: 'pruned' };
  }
  const body = parseBody(row.body);
  const view: AuditEntryView = {
    ...base,
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
      return { ...view, payload: 'locked' };
    }
  }
  return view;
}
