import { sql } from 'kysely';
import type { AuditEventInput, AuditReceipt, AuditSink } from '../core/audit-sink.js';
import { auditSchema, type AuditConfig, type AuditConfigInput } from '../core/config.js';
import { LangtrainError, invalidInput } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import { loadOrCreateKey256 } from '../crypto/key-reference.js';
import { openStore, type Store, type WriteTx } from '../store/database.js';
import { migrate } from '../store/migrations.js';
import { exportBundle, type ExportOptions } from './bundle.js';
import { loadCheckpointSigner, signCheckpoint, storedVerifiers } from './checkpoint-signer.js';
import { verifyStore, type VerificationReport, type VerifyOptions } from './verifier.js';
import { serializeBody, validateEvent, type EntryBody, type SealedPayload, type ValidEvent } from './entry.js';
import { CompactRange, hashLeaf, perfectCover } from './merkle.js';
import { PayloadSealer } from './payload-seal.js';
import { auditMigrations, entryField } from './schema.js';
import type { NoteSigner } from './signed-note.js';
import { insertCheckpoint, insertEntries, insertNodes, latestCheckpoint, readConsistencyProof, readInclusionProof, readPerfectNodes, readSize, type StoredEntry } from './tree-store.js';
import { queryEntries, type AuditQuery, type AuditEntryView } from './query.js';

export interface AuditLoggerOptions extends AuditConfigInput {
  /** An open store to share (the SecurityManager's); or give `storeUrl` and the logger opens its own. */
  store?: Store;
  storeUrl?: string;
}

export interface InclusionProof {
  index: number;
  treeSize: number;
  leafHash: string;
  proof: string[];
  /** The signed checkpoint the proof leads to. */
  checkpoint: string;
}

export interface ConsistencyProof {
  size1: number;
  size2: number;
  proof: string[];
  checkpoint1: string;
  checkpoint2: string;
}

/** Events that must be committed together (one `logEvent`, or one `logEvents` batch). */
interface Pending {
  events: ValidEvent[];
  resolve: (receipts: AuditReceipt[]) => void;
  reject: (err: unknown) => void;
}

/** The setting to change when an operation needs sealed payloads (as the erasure's message names it). */
const ENABLE_ENCRYPTION = 'set audit.encryption: true in the configuration, or LANGTRAIN_AUDIT_ENCRYPTION=true (it seals the events logged from then on)';

/** How often an open log applies its retention period (also `langtrain audit prune`). */
const RETENTION_SWEEP_MS = 3_600_000;

/** Most events written in one transaction (a larger batch goes alone): bounds the lock hold time under a burst. */
const MAX_GROUP = 4096;

/**
 * The seed's `AuditLogger`: a tamper-evident, append-only log (RFC 6962 Merkle tree with
 * C2SP signed checkpoints) in the store.
 *
 * Durability: `logEvent()` resolves only after the transaction holding the entry has
 * committed. Concurrent calls are group-committed: while one transaction runs, new events
 * queue and go together in the next, so throughput grows with concurrency while each
 * caller still waits for its own commit.
 */
export class AuditLogger implements AuditSink {
  readonly config: AuditConfig;
  get sealsPayloads(): boolean {
    return this.config.encryption;
  }
  readonly #storeOption: Store | undefined;
  readonly #storeUrl: string | undefined;
  #ready: Promise<{ store: Store; signer: NoteSigner; sealer: PayloadSealer | null }> | undefined;
  #pending: Pending[] = [];
  #flushing = false;
  #closing: Promise<void> | undefined;
  /** This process's view of the tree after its last commit; revalidated under the lock. */
  #frontier: CompactRange | null = null;
  #lastCheckpointSize = -1;
  #timer: NodeJS.Timeout | undefined;
  #retentionTimer: NodeJS.Timeout | undefined;
  #droppedByLevel = 0;

  constructor(options: AuditLoggerOptions = {}) {
    const { store, storeUrl, ...config } = options;
    this.config = parseOptions(auditSchema, config, 'AuditLogger', ['store', 'storeUrl']);
    this.#storeOption = store;
    this.#storeUrl = storeUrl;
  }

  /** Open the store, apply migrations, load keys. Called by the first operation; call it to fail early. */
  async open(): Promise<void> {
    await this.#init();
  }

  #init() {
    this.#ready ??= (async () => {
      const store = this.#storeOption ?? (await openStore(this.#storeUrl ?? 'sqlite:.langtrain/langtrain.db'));
      await migrate(store, 'audit', auditMigrations);
      const signer = await loadCheckpointSigner(store, this.config.origin, this.config.signingKey);
      const sealer = this.config.encryption ? new PayloadSealer(loadOrCreateKey256(this.config.encryptionKey), this.config.origin) : null;
      // Background upkeep; a failure here resurfaces at the next explicit call or at close().
      this.#timer = setInterval(() => void this.checkpoint().catch(() => undefined), this.config.checkpointInterval);
      this.#timer.unref();
      this.#retentionTimer = setInterval(() => void this.prune().catch(() => undefined), RETENTION_SWEEP_MS);
      this.#retentionTimer.unref();
      return { store, signer, sealer };
    })();
    return this.#ready;
  }

  /** The seed's `log_event`. Resolves once the entry is durably committed. */
  async logEvent(input: AuditEventInput): Promise<AuditReceipt> {
    this.#checkOpen();
    const [receipt] = await this.#enqueue([this.#validate(input, new Date())]);
    return receipt!;
  }

  /**
   * Append several events atomically: all are validated first, then committed in one
   * transaction, so one bad event (the error names its position) or a failed write
   * appends none of them.
   */
  async logEvents(inputs: readonly AuditEventInput[]): Promise<AuditReceipt[]> {
    this.#checkOpen();
    const now = new Date();
    const events = inputs.map((input, i) => {
      try {
        return this.#validate(input, now);
      } catch (err) {
        if (err instanceof LangtrainError) throw new LangtrainError(err.code, `event ${i}: ${err.message}`, { ...err.details, position: i });
        throw err;
      }
    });
    return this.#enqueue(events);
  }

  /** Check an event as `logEvent` would, without appending it (e.g. a whole import file first). */
  checkEvent(input: AuditEventInput): void {
    this.#validate(input, new Date());
  }

  #validate(input: AuditEventInput, now: Date): ValidEvent {
    const event = validateEvent(input, now);
    if (event.userIdSensitive && !this.config.encryption) {
      throw invalidInput(`invalid audit event: sensitive: ["userId"] needs a log with encryption: true (otherwise the id would be stored in clear): ${ENABLE_ENCRYPTION}`);
    }
    return event;
  }

  #checkOpen(): void {
    if (this.#closing) throw new LangtrainError('ERR_AUDIT_CLOSED', 'the audit log is closed');
  }

  async #enqueue(events: ValidEvent[]): Promise<AuditReceipt[]> {
    const kept = this.config.level === 'basic' ? events.filter((e) => e.level === 'basic') : events;
    this.#droppedByLevel += events.length - kept.length;
    if (kept.length > 0) {
      await this.#init();
      const receipts = await new Promise<AuditReceipt[]>((resolve, reject) => {
        this.#pending.push({ events: kept, resolve, reject });
        if (!this.#flushing) {
          this.#flushing = true;
          setImmediate(() => void this.#drain());
        }
      });
      const byId = new Map(receipts.map((r) => [r.id, r]));
      return events.map((e) => byId.get(e.id) ?? { index: null, id: e.id });
    }
    return events.map((e) => ({ index: null, id: e.id }));
  }

  /** `AuditSink` for the other domains. */
  record(event: AuditEventInput): Promise<AuditReceipt> {
    return this.logEvent(event);
  }

  /** Events dropped because the log runs at `basic` level. */
  get droppedByLevel(): number {
    return this.#droppedByLevel;
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      // Whole units only: a batch is never split across transactions.
      let count = 0;
      let take = 0;
      while (take < this.#pending.length && (take === 0 || count + this.#pending[take]!.events.length <= MAX_GROUP)) {
        count += this.#pending[take]!.events.length;
        take += 1;
      }
      const group = this.#pending.splice(0, take);
      try {
        let index = await this.#commit(group.flatMap((p) => p.events));
        for (const unit of group) unit.resolve(unit.events.map((e) => ({ index: index++, id: e.id })));
      } catch (err) {
        this.#frontier = null;
        group.forEach((p) => p.reject(err));
      }
    }
    this.#flushing = false;
  }

  /** Append events in one transaction; returns the index of the first. */
  async #commit(events: readonly ValidEvent[]): Promise<number> {
    const { store, signer, sealer } = await this.#init();
    return store.writeTransaction('audit', async (tx) => {
      const size = await readSize(tx);
      const frontier = await this.#frontierAt(tx, size);
      const loggedAt = new Date().toISOString();
      const keys = sealer ? await sealer.dataKeys(tx, new Set(events.map((e) => sealer.subjectRef(e.userId)))) : null;
      const rows: StoredEntry[] = [];
      const nodes = [];
      for (let i = 0; i < events.length; i += 1) {
        const event = events[i]!;
        const body = buildBody(event, size + i, loggedAt, sealer, keys);
        const bytes = serializeBody(body);
        const leaf = hashLeaf(bytes);
        nodes.push(...frontier.append(leaf));
        rows.push({ seq: size + i, body: bytes, leaf_hash: leaf });
      }
      await insertEntries(tx, rows);
      await insertNodes(tx, nodes);
      if (frontier.size - (await this.#lastCheckpoint(tx)) >= this.config.checkpointEvery) {
        await this.#writeCheckpoint(tx, signer, frontier);
      }
      this.#frontier = frontier;
      return size;
    });
  }

  async #frontierAt(tx: WriteTx, size: number): Promise<CompactRange> {
    if (this.#frontier?.size === size) return this.#frontier;
    // Another process appended since our last commit: reload the frontier's few nodes.
    const cover = perfectCover(0, size);
    const nodes = await readPerfectNodes(tx, cover);
    return CompactRange.fromNodes(size, cover.map((n) => nodes.get(`${n.level}:${n.index}`)!));
  }

  async #lastCheckpoint(tx: WriteTx): Promise<number> {
    const latest = await latestCheckpoint(tx);
    this.#lastCheckpointSize = latest?.size ?? 0;
    return this.#lastCheckpointSize;
  }

  async #writeCheckpoint(tx: WriteTx, signer: NoteSigner, frontier: CompactRange): Promise<void> {
    const root = frontier.root();
    await insertCheckpoint(tx, { size: frontier.size, root, note: signCheckpoint(signer, frontier.size, root), created_at: new Date().toISOString() });
    this.#lastCheckpointSize = frontier.size;
  }

  /**
   * Sign a checkpoint for everything appended so far, unless one exists already.
   * Runs on a timer (`checkpointInterval`); call it to make one now. Returns its size.
   */
  async checkpoint(): Promise<number> {
    const { store, signer } = await this.#init();
    return store.writeTransaction('audit', async (tx) => {
      const size = await readSize(tx);
      const last = await this.#lastCheckpoint(tx);
      if (size < last) {
        throw new LangtrainError('ERR_AUDIT_CHAIN_BROKEN', `the log has ${size} entries but checkpoint ${last} was signed over more; run: langtrain audit verify`);
      }
      if (size === 0 || size === last) return last;
      const frontier = await this.#frontierAt(tx, size);
      await this.#writeCheckpoint(tx, signer, frontier);
      this.#frontier = frontier;
      return size;
    });
  }

  /** Entries matching a filter, oldest first, payloads opened when their keys exist. */
  async query(filter: AuditQuery = {}): Promise<AuditEntryView[]> {
    const { store, sealer } = await this.#init();
    return queryEntries(store, filter, sealer);
  }

  async size(): Promise<number> {
    const { store } = await this.#init();
    return readSize(store.db);
  }

  /** The newest signed checkpoint, or undefined before the first. */
  async latestCheckpoint(): Promise<{ size: number; note: string } | undefined> {
    const { store } = await this.#init();
    const latest = await latestCheckpoint(store.db);
    return latest && { size: latest.size, note: latest.note };
  }

  /**
   * Inclusion proof of entry `index` in the tree of the newest checkpoint. An entry newer
   * than every checkpoint has no proof yet: pass `{ checkpoint: true }` to sign one first
   * (or wait for `checkpointInterval`).
   */
  async proveInclusion(index: number, options: { checkpoint?: boolean } = {}): Promise<InclusionProof> {
    const { store } = await this.#init();
    if (!Number.isSafeInteger(index) || index < 0) throw invalidInput(`entry index ${index} must be a whole number ≥ 0`);
    if (options.checkpoint) await this.checkpoint();
    const checkpoint = await latestCheckpoint(store.db);
    if (!checkpoint || checkpoint.size <= index) {
      const size = await readSize(store.db);
      throw new LangtrainError(
        'ERR_NOT_FOUND',
        index < size ? `entry ${index} is not covered by a signed checkpoint yet; sign one (langtrain audit checkpoint) and ask again` : `entry ${index} is not in the log (it has ${size} entries)`,
      );
    }
    const { leafHash, proof } = await readInclusionProof(store.db, index, checkpoint.size);
    return { index, treeSize: checkpoint.size, leafHash: leafHash.toString('hex'), proof: proof.map((h) => h.toString('hex')), checkpoint: checkpoint.note };
  }

  /** Consistency proof between two signed checkpoints, by their sizes. */
  async proveConsistency(size1: number, size2: number): Promise<ConsistencyProof> {
    const { store } = await this.#init();
    const rows = await store.db.selectFrom('audit_checkpoints').select(['size', 'note']).where('size', 'in', [size1, size2]).execute();
    const note = (size: number) => {
      const row = rows.find((r) => Number(r.size) === size);
      if (!row) throw new LangtrainError('ERR_NOT_FOUND', `there is no checkpoint at tree size ${size}`);
      return String(row.note);
    };
    const [checkpoint1, checkpoint2] = [note(size1), note(size2)];
    if (size1 > size2) throw invalidInput('the first checkpoint must not be larger than the second');
    const proof = await readConsistencyProof(store.db, size1, size2);
    return { size1, size2, proof: proof.map((h) => h.toString('hex')), checkpoint1, checkpoint2 };
  }

  /**
   * Retention: remove the payload of every entry logged before `retentionPeriod` ago. The
   * leaf hash stays, so proofs and verification keep working. Returns entries pruned.
   */
  async prune(now: Date = new Date()): Promise<number> {
    const { store } = await this.#init();
    const cutoff = new Date(now.getTime() - this.config.retentionPeriod).toISOString();
    const loggedAt = sql.raw(entryField(store.dialect, 'loggedAt'));
    return store.writeTransaction('audit', async (tx) => {
      // Entries are logged in index order, so the expired ones are a prefix: find its end
      // with a binary search of point reads instead of indexing loggedAt (which would cost
      // every append). Pruned entries count as expired.
      const expired = async (seq: number) => {
        const row = await tx.selectFrom('audit_entries').select(loggedAt.as('at')).where('seq', '=', seq).executeTakeFirst();
        return row !== undefined && (row.at === null || String(row.at) < cutoff);
      };
      let [low, high] = [0, await readSize(tx)];
      while (low < high) {
        const mid = Math.floor((low + high) / 2);
        if (await expired(mid)) low = mid + 1;
        else high = mid;
      }
      // Exactly the prefix is pruned, so pruned entries always form one (the verifier
      // treats a pruned entry after a kept one as tampering).
      const result = await tx
        .updateTable('audit_entries')
        .set({ body: null, pruned_at: now.toISOString() })
        .where('seq', '<', low)
        .where('pruned_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    });
  }

  /**
   * Crypto-shred a user's sealed payloads: destroy their data keys. Entries, leaves and
   * proofs are untouched; the payloads can no longer be read by anyone.
   */
  async shredSubject(userId: string): Promise<number> {
    const { store, sealer } = await this.#init();
    if (!sealer) throw invalidInput(`shredding needs a log with encryption: true (this log stores payloads in clear, so none of them can be made unreadable): ${ENABLE_ENCRYPTION}`);
    return store.writeTransaction('audit', (tx) => sealer.shred(tx, sealer.subjectRef(userId)));
  }

  /** Write an export bundle (see bundle.ts), after signing a checkpoint over everything so far. */
  async exportBundle(options: Omit<ExportOptions, 'verifierKeys'>): Promise<number> {
    const { store, sealer } = await this.#init();
    await this.checkpoint();
    const verifierKeys = (await storedVerifiers(store.db)).map((v) => v.verifierKey);
    return exportBundle(store, sealer, { ...options, verifierKeys });
  }

  /** Re-derive the tree from the store and check every checkpoint (see verifier.ts). */
  async verify(options: Partial<VerifyOptions> & { workers?: number } = {}): Promise<VerificationReport> {
    const { store } = await this.#init();
    return verifyStore(store, { ...options, verifiers: options.verifiers ?? (await storedVerifiers(store.db)) });
  }

  /** The store this log writes to. */
  async store(): Promise<Store> {
    return (await this.#init()).store;
  }

  /** Stop taking events, wait for queued ones, sign a final checkpoint, and release the store if this logger opened it. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (!this.#ready) return;
      const { store } = await this.#ready;
      while (this.#flushing) await new Promise((resolve) => setImmediate(resolve));
      clearInterval(this.#timer);
      clearInterval(this.#retentionTimer);
      try {
        await this.checkpoint();
      } finally {
        if (!this.#storeOption) await store.close();
      }
    })();
    return this.#closing;
  }
}

function buildBody(
  event: ValidEvent,
  index: number,
  loggedAt: string,
  sealer: PayloadSealer | null,
  keys: Map<string, { kid: string; key: Buffer }> | null,
): EntryBody {
  const body: EntryBody = {
    v: 1,
    index,
    id: event.id,
    loggedAt,
    timestamp: event.timestamp,
    eventType: event.eventType,
    result: event.result,
    level: event.level,
  };
  if (!sealer || !keys) {
    if (event.userId !== null) body.userId = event.userId;
    if (event.additionalData !== undefined) body.data = event.additionalData;
    return body;
  }
  if (event.userId !== null) {
    if (event.userIdSensitive) body.userRef = sealer.subjectRef(event.userId);
    else body.userId = event.userId;
  }
  const content = {
    ...(event.additionalData !== undefined ? { additionalData: event.additionalData } : {}),
    ...(event.userIdSensitive && event.userId !== null ? { userId: event.userId } : {}),
  };
  if (Object.keys(content).length > 0) {
    body.sealed = sealer.seal(event.id, content, keys.get(sealer.subjectRef(event.userId))!) satisfies SealedPayload;
  }
  return body;
}
