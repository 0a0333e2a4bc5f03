import type { AuditStream } from '../../core/audit-stream.js';
import type { Store } from '../../store/database.js';
import { SIEM_CURSOR_TABLE } from '../schema.js';
import { siemRecord } from './siem-record.js';
import type { SiemSettings } from './siem-options.js';

export interface SiemStatus {
  destination: string;
  format: string;
  events: 'all' | 'alerts';
  /** The last entry sent (or skipped as not wanted); -1 before the first. */
  cursor: number;
  /** Records sent by this process. */
  sent: number;
  lastSentAt: string | null;
  /** Why the last send failed (it is tried again, backing off), or null. */
  lastError: string | null;
}

/** Entries per batch: one request or connection each. */
const BATCH = 500;
/** Batches per call: a forwarder far behind catches up over several polls rather than holding one. */
const MAX_BATCHES = 20;
const MAX_BACKOFF_MS = 300_000;

/**
 * Sends the audit log to a SIEM as it grows, at least once: the cursor (per destination, in
 * the store) moves only after the destination took a batch, so a SIEM that is down gets what
 * it missed when it is back, and a restart resends at most the batch in flight. Two processes
 * forwarding to one destination move the cursor by compare-and-set, so they do not both send
 * the rest of the log (a batch may go twice when both send it at once, never otherwise: each
 * call reads the stored cursor afresh).
 */
export class SiemForwarder {
  readonly #store: Store;
  readonly #stream: AuditStream;
  readonly #settings: SiemSettings;
  readonly #clock: () => Date;
  #cursor: number | null = null;
  /** The last cursor known, for status while `#cursor` is being read again. */
  #shownCursor = -1;
  #sent = 0;
  #lastSentAt: string | null = null;
  #lastError: string | null = null;
  #failures = 0;
  #nextAttemptMs = 0;

  constructor(store: Store, stream: AuditStream, settings: SiemSettings, clock: () => Date) {
    this.#store = store;
    this.#stream = stream;
    this.#settings = settings;
    this.#clock = clock;
  }

  status(): SiemStatus {
    return { destination: this.#settings.destination.describe, format: this.#settings.format, events: this.#settings.events, cursor: this.#cursor ?? this.#shownCursor, sent: this.#sent, lastSentAt: this.#lastSentAt, lastError: this.#lastError };
  }

  /** Sends what the log holds past the cursor; never throws (a failure is kept in `status` and retried after a backoff). Records sent. */
  async forward(): Promise<number> {
    if (this.#clock().getTime() < this.#nextAttemptMs) return 0;
    // read where the destination has got to: another process forwarding to it may have moved it
    this.#cursor = null;
    let sent = 0;
    try {
      for (let batch = 0; batch < MAX_BATCHES; batch++) {
        const cursor = await this.#loadCursor();
        const entries = await this.#stream.query({ afterIndex: cursor, limit: BATCH });
        if (entries.length === 0) break;
        const wanted = entries.filter((e) => this.#settings.events === 'all' || e.eventType?.startsWith('threat.'));
        const records = wanted.flatMap((e) => siemRecord(e, this.#settings.sendSealed) ?? []);
        if (records.length > 0) await this.#settings.destination.send(records);
        await this.#advance(cursor, entries[entries.length - 1]!.index);
        sent += records.length;
        if (entries.length < BATCH) break;
      }
      this.#failures = 0;
      this.#lastError = null;
    } catch (err) {
      this.#failures++;
      this.#lastError = err instanceof Error ? err.message : String(err);
      this.#nextAttemptMs = this.#clock().getTime() + Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** this.#failures);
    }
    if (sent > 0) {
      this.#sent += sent;
      this.#lastSentAt = this.#clock().toISOString();
    }
    return sent;
  }

  async #loadCursor(): Promise<number> {
    if (this.#cursor !== null) return this.#cursor;
    const destination = this.#settings.destination.describe;
    const row = await this.#store.db.selectFrom(SIEM_CURSOR_TABLE).select('last_index').where('destination', '=', destination).executeTakeFirst();
    if (row !== undefined) return (this.#shownCursor = this.#cursor = Number(row.last_index));
    // a new destination starts at the log's end, unless asked for its history
    const start = this.#settings.backfill ? -1 : (await this.#stream.size()) - 1;
    await this.#store.writeTransaction('threat-siem', (tx) => tx.insertInto(SIEM_CURSOR_TABLE).values({ destination, last_index: start }).onConflict((oc) => oc.column('destination').doNothing()).execute());
    this.#cursor = null;
    return this.#loadCursor();
  }

  async #advance(from: number, to: number): Promise<void> {
    const destination = this.#settings.destination.describe;
    const moved = await this.#store.writeTransaction('threat-siem', async (tx) => {
      const result = await tx.updateTable(SIEM_CURSOR_TABLE).set({ last_index: to }).where('destination', '=', destination).where('last_index', '=', from).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
    // moved by another forwarder meanwhile: read where it got to
    this.#cursor = moved ? to : null;
    if (moved) this.#shownCursor = to;
  }
}
