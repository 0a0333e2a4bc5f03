import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import type { AuditEventInput, AuditReceipt, AuditSink, JsonValue } from '../core/audit-sink.js';
import { auditSchema, type AuditConfig, type AuditConfigInput } from '../core/config.js';
import { LangtrainError, invalidInput } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import { openStore, type Store, type WriteTx } from '../store/database.js';
import { migrate } from '../store/migrations.js';
import { exportBundle, type ExportOptions } from './bundle.js';
import { writeAtomically } from '../core/atomic-file.js';
import { loadCheckpointSigner, openCheckpoint, signCheckpoint, storedVerifiers } from './checkpoint-signer.js';
import { verifyStore, type VerificationReport, type VerifyOptions } from './verifier.js';
import { serializeBody, validateEvent, type EntryBody, type SealedPayload, type ValidEvent } from './entry.js';
import { CompactRange, hashLeaf, perfectCover, verifyConsistency } from './merkle.js';
import { openPayloadSealer, type PayloadSealer } from './payload-seal.js';
import { auditMigrations, entryField } from './schema.js';
import { parseVerifierKey, type NoteSigner, type NoteVerifier } from './signed-note.js';
import {
  checkpointAtOrAfter,
  insertCheckpoint,
  insertEntries,
  insertNodes,
  latestCheckpoint,
  readConsistencyProof,
  readInclusionProof,
  readLeafHashes,
  readPerfectNodes,
  readSize,
  type StoredEntry,
} from './tree-store.js';
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
  /** Work done in the same transaction before the events are appended (a shred); such a unit commits alone. */
  before?: (tx: WriteTx) => Promise<void>;
}

/** The last signed tree head this log's key is known to have signed. */
interface SignedHead {
  size: number;
  root: Buffer;
}

/** The setting to change when an operation needs sealed payloads (as the erasure's message names it). */
const ENABLE_ENCRYPTION = 'set audit.encryption: true in the configuration, or LANGTRAIN_AUDIT_ENCRYPTION=true (it seals the events logged from then on)';

/** How often an open log applies its retention period (also `langtrain audit prune`). */
const RETENTION_SWEEP_MS = 3_600_000;

/** Most events written in one transaction (a larger batch goes alone): bounds the lock hold time under a burst. */
const MAX_GROUP = 4096;

/** Leaf hashes read per query when a checkpoint's tree is rebuilt from them. */
const LEAF_CHUNK = 10_000;

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
  #ready: Promise<{ store: Store; signer: NoteSigner; verifier: NoteVerifier; sealer: PayloadSealer | null }> | undefined;
  #pending: Pending[] = [];
  #flushing = false;
  #closing: Promise<void> | undefined;
  /** This process's view of the tree after its last commit; revalidated under the lock. */
  #frontier: CompactRange | null = null;
  #lastCheckpointSize = -1;
  #timer: NodeJS.Timeout | undefined;
  #retentionTimer: NodeJS.Timeout | undefined;
  #droppedByLevel = 0;
  /** Why the last checkpoint was refused (auto-signing on append pauses until an explicit `checkpoint()` succeeds). */
  #refusal: string | undefined;
  /** Refusals already recorded as `audit.checkpoint_refused` events by this process. */
  readonly #refusalsRecorded = new Set<string>();
  /** A failure to write the head file after a commit, surfaced by the next `checkpoint()`. */
  #headError: unknown;
  /** Why the missing head file was not re-created (the log did not verify). */
  #headProblem: string | undefined;

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
      const sealer = this.config.encryption ? await openPayloadSealer(store.db, this.config.encryptionKey, this.config.origin) : null;
      const verifier = parseVerifierKey(signer.verifierKey);
      await this.#createHeadFile(store, verifier);
      // Background upkeep; a failure here resurfaces at the next explicit call or at close().
      this.#timer = setInterval(() => void this.checkpoint().catch(() => undefined), this.config.checkpointInterval);
      this.#timer.unref();
      this.#retentionTimer = setInterval(() => void this.prune().catch(() => undefined), RETENTION_SWEEP_MS);
      this.#retentionTimer.unref();
      return { store, signer, verifier, sealer };
    })();
    return this.#ready;
  }

  async checkWritable(): Promise<void> {
    this.#checkOpen();
    const { store, sealer } = await this.#init();
    // Checked again now, not only as the log opened: another process may have bound the log
    // to its KEK since (its first data key), and an append of ours would be refused.
    if (sealer) await sealer.checkKek(store.db);
    else await refuseClearWrites(store.db);
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
      // A unit with work of its own (a shred) commits alone, so events queued before and after it stay on their side of it.
      const alone = (p: Pending) => p.before !== undefined;
      while (take < this.#pending.length && (take === 0 || (!alone(this.#pending[0]!) && !alone(this.#pending[take]!) && count + this.#pending[take]!.events.length <= MAX_GROUP))) {
        count += this.#pending[take]!.events.length;
        take += 1;
      }
      const group = this.#pending.splice(0, take);
      try {
        let index = await this.#commit(group);
        for (const unit of group) unit.resolve(unit.events.map((e) => ({ index: index++, id: e.id })));
      } catch (err) {
        this.#frontier = null;
        // The store failing (down, locked, full) is every unit's failure: retrying each alone
        // would make each wait out its own timeout behind the others.
        if (group.length === 1 || isStoreFailure(err)) {
          for (const unit of group) unit.reject(err);
          continue;
        }
        // One unit can sink a group (an event the database refuses at insert): commit each
        // unit alone, in queue order, so only the one that fails again is rejected. Each
        // transaction assigns its unit's indices under the lock: contiguous within the unit,
        // increasing in queue order.
        for (const unit of group) {
          try {
            let index = await this.#commit([unit]);
            unit.resolve(unit.events.map((e) => ({ index: index++, id: e.id })));
          } catch (unitErr) {
            this.#frontier = null;
            unit.reject(unitErr);
          }
        }
      }
    }
    this.#flushing = false;
  }

  /**
   * Append the units' events in one transaction; returns the index of the first. Never
   * throws once the transaction has committed (the drain would retry and append twice).
   */
  async #commit(units: readonly Pending[]): Promise<number> {
    const { store, signer, verifier, sealer } = await this.#init();
    let signed: string | undefined;
    let refused: { problem: string; size: number; signedSize: number } | undefined;
    const first = await store.writeTransaction('audit', async (tx) => {
      signed = undefined;
      refused = undefined;
      for (const unit of units) if (unit.before) await unit.before(tx);
      const events = units.flatMap((p) => p.events);
      const size = await readSize(tx);
      const frontier = await this.#frontierAt(tx, size);
      const loggedAt = new Date().toISOString();
      if (!sealer) await refuseClearWrites(tx);
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
      const last = await this.#lastCheckpoint(tx);
      // After a refusal, appends stop trying to sign (each try re-reads the tail) until an explicit checkpoint() succeeds.
      if (this.#refusal === undefined && frontier.size - last >= this.config.checkpointEvery) {
        const problem = await this.#extensionProblem(tx, verifier, frontier, true);
        if (problem) refused = { problem, size: frontier.size, signedSize: last };
        else if (problem === undefined) signed = await this.#writeCheckpoint(tx, signer, frontier);
      }
      this.#frontier = frontier;
      return size;
    });
    // Committed: what follows must not throw.
    if (refused) this.#refused(refused.problem, refused.size, refused.signedSize);
    if (signed !== undefined) {
      try {
        await this.#writeHead(signed, verifier);
      } catch (err) {
        this.#headError = err;
      }
    }
    return first;
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

  /** Sign and store a checkpoint over `frontier` (checked by `#extensionProblem` first); returns the note. */
  async #writeCheckpoint(tx: WriteTx, signer: NoteSigner, frontier: CompactRange): Promise<string> {
    const root = frontier.root();
    const note = signCheckpoint(signer, frontier.size, root);
    await insertCheckpoint(tx, { size: frontier.size, root, note, created_at: new Date().toISOString() });
    this.#lastCheckpointSize = frontier.size;
    return note;
  }

  /**
   * Sign a checkpoint for everything appended so far, unless one exists already.
   * Runs on a timer (`checkpointInterval`); call it to make one now. Returns its size.
   */
  async checkpoint(): Promise<number> {
    const { store, signer, verifier } = await this.#init();
    if (this.#headPath && this.#headProblem === undefined && !(await this.#readHead(verifier).catch(() => 'unreadable'))) await this.#createHeadFile(store, verifier);
    let signed: string | undefined;
    let refused: { problem: string; size: number; signedSize: number } | undefined;
    const size = await store.writeTransaction('audit', async (tx) => {
      signed = undefined;
      refused = undefined;
      const size = await readSize(tx);
      const last = await this.#lastCheckpoint(tx);
      if (size < last) {
        throw new LangtrainError('ERR_AUDIT_CHAIN_BROKEN', `the log has ${size} entries but checkpoint ${last} was signed over more; run: langtrain audit verify`);
      }
      if (size === 0 || size === last) return last;
      const frontier = await this.#frontierAt(tx, size);
      const problem = await this.#extensionProblem(tx, verifier, frontier);
      if (problem) {
        refused = { problem, size, signedSize: last };
        return last;
      }
      signed = await this.#writeCheckpoint(tx, signer, frontier);
      this.#frontier = frontier;
      return size;
    });
    if (refused) {
      this.#frontier = null;
      throw this.#refused(refused.problem, refused.size, refused.signedSize);
    }
    this.#refusal = undefined;
    if (signed !== undefined) await this.#writeHead(signed, verifier);
    else if (this.#headError !== undefined) {
      const err = this.#headError;
      this.#headError = undefined;
      throw err;
    }
    return size;
  }

  /**
   * Why the tree in `frontier` must not be signed, or undefined when it may be. Signing
   * vouches for the whole log with the real key, so the tree must provably extend what
   * this key signed before, whatever the database now says:
   *
   * - the newest checkpoint in the database must be signed by this log's key (its root is
   *   read from the signed note, not from the table);
   * - with a `file:` key, the head file beside it (the last note signed, kept outside the
   *   database) must be matched by a checkpoint in the database, so deleting checkpoints
   *   cannot hide a rewrite;
   * - the tree's root is recomputed from the stored *leaf hashes* since that checkpoint, on
   *   top of the frontier that hashes to its signed root, so tampered `audit_nodes` rows or
   *   a stale in-memory frontier are caught;
   * - a consistency proof from each signed head to the new root (RFC 9162 §2.1.4) verifies.
   *
   * On an append (`onAppend`), '' means "not now" (no refusal): see the head file below.
   *
   * It cannot see rewrites of entries that were never signed (after the last checkpoint the
   * key signed), nor, with a key kept in the database, anything an attacker who rewrites the
   * checkpoints too can do: see docs/audit.md, "Threat model".
   */
  async #extensionProblem(tx: WriteTx, verifier: NoteVerifier, frontier: CompactRange, onAppend = false): Promise<string | undefined> {
    const size = frontier.size;
    const root = frontier.root();
    try {
      const latest = await latestCheckpoint(tx);
      let anchor: SignedHead | undefined;
      if (latest) {
        anchor = this.#openSigned(latest.note, verifier);
        if (!anchor || anchor.size !== latest.size) return `the newest checkpoint in the database (tree size ${latest.size}) is not signed by this log's key`;
      }
      const head = await this.#readHead(verifier);
      if (!head && latest && this.#headPath) {
        // Another process may have committed a checkpoint and not yet written the file: an
        // append leaves signing to the next checkpoint(), which re-creates it after verifying.
        if (this.#headProblem === undefined && onAppend) return '';
        return this.#headProblem ?? `${this.#headPath} (the last head this key signed) is missing; it is re-created once the log verifies`;
      }
      const heads: SignedHead[] = anchor ? [anchor] : [];
      if (head) {
        if (!anchor || anchor.size < head.size) {
          return `this log last signed tree size ${head.size} (audit.headFile ${this.#headPath}), but the database's newest checkpoint is ${anchor ? `at ${anchor.size}` : 'missing'}: checkpoints were deleted or the database was rolled back (a new database needs a head file of its own)`;
        }
        const same = await checkpointAtOrAfter(tx, head.size);
        const sameHead = same && same.size === head.size ? this.#openSigned(same.note, verifier) : undefined;
        if (!sameHead || !sameHead.root.equals(head.root)) {
          return `the database has no checkpoint matching the head this key last signed (tree size ${head.size}, ${this.#headPath})`;
        }
        if (head.size < anchor.size) heads.push(head);
      }
      if (anchor && size < anchor.size) return `the log has ${size} entries but checkpoint ${anchor.size} was signed over more`;
      // The tree to sign, rebuilt from leaf hashes on top of the signed frontier.
      let rebuilt = CompactRange.empty();
      if (anchor) {
        const cover = perfectCover(0, anchor.size);
        const nodes = await readPerfectNodes(tx, cover);
        rebuilt = CompactRange.fromNodes(anchor.size, cover.map((n) => nodes.get(`${n.level}:${n.index}`)!));
        if (!rebuilt.root().equals(anchor.root)) {
          return `the stored tree no longer hashes to signed checkpoint ${anchor.size}: entries, leaf hashes or tree nodes before it were changed`;
        }
      }
      for (let start = rebuilt.size; start < size; start += LEAF_CHUNK) {
        const end = Math.min(size, start + LEAF_CHUNK);
        const leaves = await readLeafHashes(tx, start, end);
        if (leaves.length !== end - start) return `entries between ${start} and ${end} are missing`;
        for (const leaf of leaves) rebuilt.append(leaf);
      }
      if (!rebuilt.root().equals(root)) {
        return `the tree of ${size} entries built from the stored tree nodes does not match the one built from the entries' leaf hashes: tree nodes (audit_nodes) were changed`;
      }
      for (const signedHead of heads) {
        if (signedHead.size === size) {
          if (!signedHead.root.equals(root)) return `the tree of ${size} entries differs from the one signed at that size`;
          continue;
        }
        const proof = await readConsistencyProof(tx, signedHead.size, size);
        if (!verifyConsistency(signedHead.size, size, proof, signedHead.root, root)) {
          return `the tree of ${size} entries is not an extension of signed checkpoint ${signedHead.size} (the consistency proof fails)`;
        }
      }
      return undefined;
    } catch (err) {
      // Never thrown: this runs inside the append's transaction, whose events must still commit.
      return `the stored tree cannot be checked against the signed checkpoints: ${(err as Error).message}`;
    }
  }

  #openSigned(note: string, verifier: NoteVerifier): SignedHead | undefined {
    try {
      const { origin, size, root } = openCheckpoint(note, [verifier]);
      return origin === verifier.name ? { size, root } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Remember a refusal, record it in the log once per problem, and return the error to raise. */
  #refused(problem: string, size: number, signedSize: number): LangtrainError {
    this.#refusal = problem;
    // Once per kind of problem: its sizes grow with every refused try (each try appends).
    const kind = problem.replace(/\d+/g, '#');
    if (!this.#refusalsRecorded.has(kind)) {
      this.#refusalsRecorded.add(kind);
      // Evidence in the log itself (queued, never awaited here: this may run inside the drain).
      this.#pending.push({
        events: [platformEvent('audit.checkpoint_refused', 'failure', { treeSize: size, signedSize, reason: problem })],
        resolve: () => undefined,
        reject: () => undefined,
      });
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => void this.#drain());
      }
    }
    return new LangtrainError('ERR_AUDIT_CHAIN_BROKEN', `refusing to sign a checkpoint over ${size} entries: ${problem}; run: langtrain audit verify`, {
      treeSize: size,
      signedSize,
      event: 'audit.checkpoint_refused',
    });
  }

  /**
   * `audit.headFile`: the last note this log signed, outside the database. Opt-in: a path beside
   * the key (read-only mounts) or shared by two databases would stop a log from signing.
   */
  get #headPath(): string | undefined {
    return this.config.headFile;
  }

  async #readHead(verifier: NoteVerifier): Promise<(SignedHead & { note: string }) | undefined> {
    const path = this.#headPath;
    if (!path) return undefined;
    let note: string;
    try {
      note = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new LangtrainError('ERR_AUDIT_CHAIN_BROKEN', `cannot read the signed head ${path}: ${(err as Error).message}`);
    }
    const head = this.#openSigned(note, verifier);
    if (!head) throw new LangtrainError('ERR_AUDIT_CHAIN_BROKEN', `${path} is not a checkpoint signed by this log's key; run: langtrain audit verify`);
    return { ...head, note };
  }

  /** Keep `note` as the head file, unless the file already holds a larger tree (another process signed since). */
  async #writeHead(note: string, verifier: NoteVerifier): Promise<void> {
    const path = this.#headPath;
    if (!path) return;
    const signed = this.#openSigned(note, verifier)!;
    const current = await this.#readHead(verifier).catch(() => undefined);
    if (current && current.size >= signed.size) return;
    await writeAtomically(path, async (out) => {
      out.write(note);
    });
  }

  /**
   * First use of a `file:` key with this log (or the key moved): create the head file from the
   * newest checkpoint, but only after the whole log verifies against this key. Until then
   * (or if it does not verify) nothing is signed.
   */
  async #createHeadFile(store: Store, verifier: NoteVerifier): Promise<void> {
    const path = this.#headPath;
    if (!path || (await this.#readHead(verifier).catch(() => 'unreadable'))) return;
    const latest = await latestCheckpoint(store.db);
    if (!latest) return; // nothing signed yet: the first checkpoint creates it
    const report = await verifyStore(store, { verifiers: [verifier] }).catch((err: unknown) => ({
      ok: false,
      verifiedSize: 0,
      problem: { reason: `verification failed: ${(err as Error).message}` },
    }));
    if (!report.ok || report.verifiedSize < latest.size) {
      this.#headProblem = `${path} is missing and the log does not verify against this key (${report.problem?.reason ?? 'its newest checkpoint is not verified'}), so it was not re-created`;
      return;
    }
    this.#headProblem = undefined;
    await this.#writeHead(latest.note, verifier);
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
   * Retention: remove the payload of every entry logged before `retentionPeriod` ago, its bytes
   * from the store's files too where the store can (Store.scrubDeleted). The leaf hash stays, so
   * proofs and verification keep working. Returns entries pruned.
   */
  async prune(now: Date = new Date()): Promise<number> {
    const { store } = await this.#init();
    const cutoff = new Date(now.getTime() - this.config.retentionPeriod).toISOString();
    const loggedAt = sql.raw(entryField(store.dialect, 'loggedAt'));
    const pruned = await store.writeTransaction('audit', async (tx) => {
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
    if (pruned > 0) await store.scrubDeleted();
    return pruned;
  }

  /**
   * Crypto-shred a user's sealed payloads: destroy their data keys. Entries, leaves and
   * proofs are untouched; the payloads can no longer be read by anyone.
   */
  async shredSubject(userId: string): Promise<number> {
    this.#checkOpen();
    const { store, sealer } = await this.#init();
    if (!sealer) throw invalidInput(`shredding needs a log with encryption: true (this log stores payloads in clear, so none of them can be made unreadable): ${ENABLE_ENCRYPTION}`);
    // The keys are destroyed in the transaction that appends `audit.shredded`: a shred is
    // never without its entry, so a key destroyed with no such entry (a row nulled in the
    // database) shows as tampering. The entry names the subject by pseudonym only.
    const subjectRef = sealer.subjectRef(userId);
    const event = platformEvent('audit.shredded', 'success', { keysDestroyed: 0 }, subjectRef);
    let destroyed = 0;
    await new Promise<AuditReceipt[]>((resolve, reject) => {
      this.#pending.push({
        events: [event],
        resolve,
        reject,
        before: async (tx) => {
          destroyed = await sealer.shred(tx, subjectRef);
          event.additionalData = { keysDestroyed: destroyed };
        },
      });
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => void this.#drain());
      }
    });
    await store.scrubDeleted(); // the wrapped keys' bytes too
    return destroyed;
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
        // a refusal queues its audit.checkpoint_refused event: committed before the store closes
        while (this.#flushing) await new Promise((resolve) => setImmediate(resolve));
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
  if (event.userRef !== undefined) body.userRef = event.userRef;
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

/** An event the log writes about itself (not validated: its fields are ours). */
/**
 * A process without `audit.encryption` must not append to a log that seals payloads: its
 * events would name their users and hold their data in clear, beside sealed ones, where no
 * shred can reach them (an erasure recorded from a shell that lacked the setting left the
 * only entry naming the erased subject in clear). Checked in the append's transaction, under
 * the writer lock, so a log that a sealing process started meanwhile is seen too. Reading such
 * a log without the setting stays possible: its payloads show as `locked`.
 */
async function refuseClearWrites(db: Kysely<any>): Promise<void> {
  const sealed = await db.selectFrom('audit_payload_keys').select('kid').limit(1).executeTakeFirst();
  if (sealed === undefined) return;
  throw new LangtrainError(
    'ERR_CONFIG_INVALID',
    'this audit log seals its payloads, but this process has audit.encryption off, so its events would be written in clear: set audit.encryption: true (LANGTRAIN_AUDIT_ENCRYPTION=true) and the log\'s audit.encryptionKey (LANGTRAIN_AUDIT_ENCRYPTION_KEY), as the server has them',
    { option: 'audit.encryption' },
  );
}

function platformEvent(eventType: 'audit.shredded' | 'audit.checkpoint_refused', result: string, additionalData: { [key: string]: JsonValue }, userRef?: string): ValidEvent {
  return {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    eventType,
    userId: null,
    result,
    level: 'basic',
    additionalData,
    userIdSensitive: false,
    ...(userRef !== undefined ? { userRef } : {}),
  };
}

/**
 * A failure of the store rather than of what was written: SQLite busy, locked, full or failing
 * I/O; PostgreSQL connection (08…), resources (53…), shutdown (57…), serialization and lock
 * failures; a socket error; our own store and closed codes.
 */
function isStoreFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORE_FAILURE.test(code);
}
const STORE_FAILURE = /^(?:SQLITE_(?:BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL)\w*|E(?:CONNREFUSED|CONNRESET|TIMEDOUT|PIPE|HOSTUNREACH|NETUNREACH)|ERR_STORE_UNAVAILABLE|ERR_AUDIT_CLOSED|08\w{3}|53\w{3}|57\w{3}|40001|40P01|55P03)$/;
