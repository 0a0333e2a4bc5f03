import { sql } from 'kysely';
import { z } from 'zod';
import type { JsonValue } from '../core/audit-sink.js';
import { invalidInput } from '../core/errors.js';
import { parseBody, type EntryBody } from './entry.js';
import type { Store } from '../store/database.js';
import type { PayloadOpening, PayloadSealer } from './payload-seal.js';
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
  /** The user id: in clear, or for one marked sensitive, from the opened payload (else its pseudonym, `ref:…`). */
  userId: string | null;
  /**
   * Whether the stored entry holds the user id only as its pseudonym (`sensitive: ['userId']` on
   * a log that seals). False when it stores the id in clear, or there is none: the id is then
   * readable by anyone who reads the store, whatever the payload's state, which `userId` alone
   * cannot tell once a sealed one is opened (erasure's `auditEntriesInClear` counts on it).
   */
  userIdSealed: boolean;
  result: string | null;
  level: 'basic' | 'detailed' | null;
  additionalData?: { [key: string]: JsonValue };
  /**
   * `clear` (never sealed), `opened`, `shredded` (data key destroyed, by this process or any
   * other sharing the store), `locked` (no usable key here: none given, its row missing, or
   * wrapped by another key-encryption key), `tampered` (its data key is here and intact, yet
   * the payload does not open: the payload, or the entry id it is bound to, was changed),
   * `pruned` (PayloadOpening).
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
  const views = rows.map((row) => toView(row));
  const sealed = views.filter((v): v is SealedView => v.sealed !== undefined);
  if (sealed.length > 0) {
    const openings = sealer ? await sealer.openAll(store.db, sealed.map(({ view, sealed }) => ({ entryId: view.id!, sealed }))) : null;
    for (const [i, { view }] of sealed.entries()) {
      // without the log's key-encryption key no payload opens
      const opening: PayloadOpening = openings?.[i] ?? { state: 'locked' };
      view.payload = opening.state;
      if (opening.state !== 'opened') continue;
      if (opening.content.userId) view.userId = opening.content.userId;
      if (opening.content.additionalData) view.additionalData = opening.content.additionalData;
    }
  }
  return views.map(({ view }) => view);
}

/** An entry's view before its payload is opened, with the payload to open if it is sealed. */
interface PendingView {
  view: AuditEntryView;
  sealed?: NonNullable<EntryBody['sealed']>;
}
type SealedView = Required<PendingView>;

function toView(row: Record<string, any>): PendingView {
  const base = { index: Number(row.seq), leafHash: Buffer.from(row.leaf_hash).toString('hex') };
  if (row.body === null) {
    return { view: { ...base, id: null, loggedAt: null, timestamp: null, eventType: null, userId: null, userIdSealed: false, result: null, level: null, payload: 'pruned' } };
  }
  const body = parseBody(row.body);
  const view: AuditEntryView = {
    ...base,
    id: body.id,
    loggedAt: body.loggedAt,
    timestamp: body.timestamp,
    eventType: body.eventType,
    userId: body.userId ?? body.userRef ?? null,
    userIdSealed: body.userId === undefined && body.userRef !== undefined,
    result: body.result,
    level: body.level,
    payload: 'clear',
  };
  if (body.data) view.additionalData = body.data;
  return body.sealed ? { view, sealed: body.sealed } : { view };
}
