import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { AuditSink } from '../../core/audit-sink.js';
import { errorCodeOf, LangtrainError, invalidInput, isLangtrainError } from '../../core/errors.js';
import { parseIsoInstant } from '../../core/iso-date.js';
import { keysOnly, parseOptions } from '../../core/options.js';
import type { Store, WriteTx } from '../../store/database.js';
import { nextSequenceNumber } from '../../store/sequence.js';
import { DIGEST_PATTERN, MAX_OPERATION, lineageOfFields, recordSubjectsFields, recordTransformationFields } from './inputs.js';
import { checkParameters } from './parameters.js';
import { COMPLETE_SUBJECTS, EDGE_SEQ_NAME, EDGE_SEQ_TABLE, EDGES, NAMES, SUBJECTS, toEdge, toEdgeRow, type LineageEdge, type LineageParameters } from './schema.js';
import { ERASED_ACTOR, checkSubjectId } from '../subject-id.js';
import { refusePersonalLabel } from '../pii/dataset-label.js';

// The inputs' keys, built once: their values are checked by the methods, naming the field.
const RECORD_TRANSFORMATION_KEYS = keysOnly(Object.keys(recordTransformationFields));
const RECORD_SUBJECTS_KEYS = keysOnly(Object.keys(recordSubjectsFields));
const LINEAGE_OF_KEYS = keysOnly(Object.keys(lineageOfFields));

export type { LineageEdge, LineageParameters } from './schema.js';
export { checkParameters } from './parameters.js';

export interface LineageStoreDeps {
  /** Migrated with `lineageMigrations` (domain `lineage`). */
  store: Store;
  audit: AuditSink;
  clock?: () => Date;
}

export interface RecordTransformationInput {
  inputDigest: string;
  outputDigest: string;
  operation: string;
  /**
   * Settings that shaped the output (fields, thresholds, epochs). Never secrets: keys that name
   * one and values that hold one (a token, a private key, a connection string's password) are
   * refused, as is personal data in a value, key or number, and anything the audit log would
   * refuse (see checkParameters: MAX_PARAMETERS_DEPTH levels, MAX_PARAMETERS characters of JSON).
   */
  parameters?: LineageParameters;
  actor: string;
  /** Default: now. At most CLOCK_SKEW_MS (five minutes) ahead of the store's clock. */
  at?: string | Date;
}

export interface LineageOfOptions {
  direction: LineageDirection;
  /** At most this many edges from the artifact (default: all). */
  depth?: number;
}

export type LineageDirection = 'upstream' | 'downstream';

export interface LineageNode {
  digest: string;
  names: string[];
  /** Edges from the start of the walk. */
  depth: number;
}

export interface LineageGraph {
  root: string;
  direction: LineageDirection;
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export interface RecordSubjectsOptions {
  /**
   * The ids are every subject the artifact holds, read from all of it (prepareDataset reads
   * its input and output whole). Then the artifact is known *not* to hold anyone else, and an
   * erasure of another subject does not name it, nor what was built from it alone. Default
   * false: a partial list, which says nothing of who else is in the artifact.
   */
  complete?: boolean;
}

/** An artifact holding a subject's data: listed in it (`direct`) or built from one that is (`downstream`). */
export interface SubjectArtifact extends LineageNode {
  via: 'direct' | 'downstream';
}

const DIGEST = DIGEST_PATTERN;
const OPERATION = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const ARTIFACT_NAME = /^[a-z][a-z0-9_]*:[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;
/** How far ahead of the store's clock an edge's `at` may be: clocks of pipeline hosts drift, lineage never happens in the future. */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** Rows per statement or `IN (…)` list: far below both databases' bound-parameter limits. */
const CHUNK = 500;
const WRITE_LOCK = 'privacy.lineage';

/**
 * Fails unless `name` is an artifact name (`kind:name`) that names no one: a name outlives any
 * erasure and is copied into the erasure record of every subject the artifact held. For
 * callers that name an artifact after other work (`lineage record --name-output`, a prepared
 * data set's output) to check before they start.
 */
export function checkArtifactName(name: unknown, field = 'name'): asserts name is string {
  if (typeof name !== 'string' || !ARTIFACT_NAME.test(name)) throw invalidInput(`${field} must look like kind:name, e.g. dataset:customers-v2 or model:classifier-3`, { field });
  refusePersonalLabel(name, field);
}

/**
 * Data lineage: every transformation of a data set or model recorded as an edge from the
 * digest of its input to the digest of its output, plus which data subjects each artifact
 * holds. Answers "where did this model come from" and "which artifacts contain this
 * person" (for erasure, which must name the models trained on a person's data).
 *
 * ```ts
 * await migrate(store, 'lineage', lineageMigrations);
 * const lineage = new LineageStore({ store, audit });
 * await lineage.recordTransformation({ inputDigest: await digestFile('raw.jsonl'), outputDigest: await digestFile('clean.jsonl'), operation: 'redact', parameters: { method: 'masking' }, actor: 'pipeline' });
 * ```
 */
export class LineageStore {
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #clock: () => Date;

  constructor(deps: LineageStoreDeps) {
    if (!deps?.store?.db) throw new LangtrainError('ERR_CONFIG_INVALID', 'LineageStore needs a store (deps.store)');
    if (typeof deps.audit?.record !== 'function') throw new LangtrainError('ERR_CONFIG_INVALID', 'LineageStore needs an audit sink (deps.audit)');
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock ?? (() => new Date());
  }

  async recordTransformation(input: RecordTransformationInput): Promise<LineageEdge> {
    if (typeof input !== 'object' || input === null) throw invalidInput('recordTransformation takes { inputDigest, outputDigest, operation, parameters?, actor, at? }');
    parseOptions(RECORD_TRANSFORMATION_KEYS, input, 'LineageStore.recordTransformation');
    const inputDigest = checkDigest(input.inputDigest, 'inputDigest');
    const outputDigest = checkDigest(input.outputDigest, 'outputDigest');
    if (inputDigest === outputDigest) {
      throw invalidInput(
        'inputDigest and outputDigest are the same artifact (the same bytes): an edge from an artifact to itself says nothing of where it came from; record the step from the input as it was before the step to the file it wrote (if the step changed nothing, there is nothing to record)',
        { field: 'outputDigest' },
      );
    }
    if (typeof input.operation !== 'string' || input.operation.length > MAX_OPERATION || !OPERATION.test(input.operation)) {
      throw invalidInput(`operation must be a lower_snake_case name of at most ${MAX_OPERATION} characters, such as filter, redact, encrypt, train`, { field: 'operation' });
    }
    const parameters = await checkParameters(input.parameters ?? {});
    const actor = checkSubjectId(input.actor, 'actor');
    const now = this.#clock();
    const at = input.at === undefined ? now.toISOString() : checkInstant(input.at, now);
    const edge = await this.#store.writeTransaction(WRITE_LOCK, async (tx) => {
      const made: LineageEdge = { seq: await nextSequenceNumber(tx, EDGES, EDGE_SEQ_TABLE, EDGE_SEQ_NAME), inputDigest, outputDigest, operation: input.operation, parameters, actor, at };
      await tx.insertInto(EDGES).values(toEdgeRow(made)).execute();
      return made;
    });
    await this.#auditOrTakeBack(edge);
    return edge;
  }

  /**
   * Audited after commit: the audit log may share this database's writer lock. An edge whose
   * record fails is deleted again, as ConsentManager takes back its events: the log is the
   * account of every edge, and a caller that retries would otherwise store the edge twice.
   * checkParameters refuses what the log would refuse, so this is for a log that is down.
   */
  #auditOrTakeBack(edge: LineageEdge): Promise<void> {
    return this.#recordOrUndo(
      () => this.#audit.record({ eventType: 'lineage.recorded', userId: edge.actor, timestamp: edge.at, result: 'success', level: 'detailed', additionalData: { ...edge } }),
      (tx) => tx.deleteFrom(EDGES).where('seq', '=', edge.seq).where('input_digest', '=', edge.inputDigest).where('output_digest', '=', edge.outputDigest).execute(),
      `lineage edge ${edge.seq} (${edge.operation})`,
      { seq: edge.seq, operation: edge.operation },
    );
  }

  /**
   * Writes an audit record of what was just committed, or takes that back (`undo`) and rethrows
   * the audit failure. If both fail, the error says the write stands unaudited (`what` and
   * `details` name it: codes and numbers only, as the failures' messages may quote the data).
   */
  async #recordOrUndo(record: () => Promise<unknown>, undo: (tx: WriteTx) => Promise<unknown>, what: string, details: Record<string, string | number>): Promise<void> {
    try {
      await record();
    } catch (auditErr) {
      try {
        await this.#store.writeTransaction(WRITE_LOCK, undo);
      } catch (undoErr) {
        throw new LangtrainError(
          isLangtrainError(auditErr) ? auditErr.code : 'ERR_INTERNAL',
          `${what} was stored but could not be recorded in the audit log (${errorCodeOf(auditErr)}), nor taken back (${errorCodeOf(undoErr)}): it stands unaudited; audit it, or delete it before recording it again`,
          { unaudited: true, ...details, auditFailure: errorCodeOf(auditErr), undoFailure: errorCodeOf(undoErr) },
          { cause: auditErr },
        );
      }
      throw auditErr;
    }
  }

  /** Give `digest` a name such as `dataset:customers-v2`. A name names one digest for good; naming it again the same is a no-op. */
  async nameArtifact(digest: string, name: string): Promise<void> {
    checkDigest(digest, 'digest');
    checkArtifactName(name);
    const existing = await this.#store.writeTransaction(WRITE_LOCK, async (tx) => {
      const row = await tx.selectFrom(NAMES).select('digest').where('name', '=', name).executeTakeFirst();
      if (!row) await tx.insertInto(NAMES).values({ name, digest, named_at: this.#clock().toISOString() }).execute();
      return row?.digest as string | undefined;
    });
    if (existing !== undefined && existing !== digest) throw invalidInput(`${name} already names ${existing}; give the new artifact a new name (e.g. a new version)`, { field: 'name' });
    if (existing !== undefined) return;
    // taken back when its record fails, as an edge is: naming again is a no-op, so a retry would never audit it
    await this.#recordOrUndo(
      () => this.#audit.record({ eventType: 'lineage.named', result: 'success', level: 'detailed', additionalData: { digest, name } }),
      (tx) => tx.deleteFrom(NAMES).where('name', '=', name).where('digest', '=', digest).execute(),
      `the name ${name}`,
      { name },
    );
  }

  /** Record that `digest` holds data of these subjects (all of them, with `complete`). Returns how many were new. */
  async recordSubjects(digest: string, subjectIds: readonly string[], options: RecordSubjectsOptions = {}): Promise<number> {
    checkDigest(digest, 'digest');
    if (!Array.isArray(subjectIds)) throw invalidInput('subjectIds must be a list of subject ids', { field: 'subjectIds' });
    const { complete = false } = parseOptions(RECORD_SUBJECTS_KEYS, options, 'LineageStore.recordSubjects') as RecordSubjectsOptions;
    if (typeof complete !== 'boolean') throw invalidInput('complete must be true or false', { field: 'complete' });
    const ids = [...new Set(subjectIds.map((id, i) => checkSubjectId(id, `subjectIds[${i}]`)))];
    const added = await this.#store.writeTransaction(WRITE_LOCK, async (tx) => {
      if (complete) await tx.insertInto(COMPLETE_SUBJECTS).values({ digest, recorded_at: this.#clock().toISOString() }).onConflict((oc) => oc.column('digest').doNothing()).execute();
      let count = 0;
      for (let i = 0; i < ids.length; i += CHUNK) {
        const rows = ids.slice(i, i + CHUNK).map((subject_id) => ({ digest, subject_id }));
        const result = await tx.insertInto(SUBJECTS).values(rows).onConflict((oc) => oc.columns(['digest', 'subject_id']).doNothing()).executeTakeFirst();
        count += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
      return count;
    });
    // Counts only: the ids are personal data, and the table is where they are answerable (and erasable).
    await this.#audit.record({ eventType: 'lineage.subjects_recorded', result: 'success', level: 'detailed', additionalData: { digest, subjects: ids.length, added, ...(complete ? { complete } : {}) } });
    return added;
  }

  /** The digest a digest or artifact name stands for. ERR_NOT_FOUND for an unknown name. */
  async resolve(digestOrName: string): Promise<string> {
    if (typeof digestOrName === 'string' && DIGEST.test(digestOrName)) return digestOrName;
    if (typeof digestOrName !== 'string' || !ARTIFACT_NAME.test(digestOrName)) throw invalidInput('give an artifact digest (sha256:<64 hex>) or name (kind:name)');
    const row = await this.#store.db.selectFrom(NAMES).select('digest').where('name', '=', digestOrName).executeTakeFirst();
    if (!row) {
      // sha256:ABC matches the name pattern: say why it was read as a name, not as a digest
      const notDigest = /^sha256:/i.test(digestOrName) ? ` (read as a name: it is not a valid digest, which is sha256: and 64 lower-case hex digits, e.g. from digestFile or sha256sum)` : '';
      throw new LangtrainError('ERR_NOT_FOUND', `no artifact is named ${digestOrName}${notDigest}`);
    }
    return String(row.digest);
  }

  /** The artifacts and transformations reachable from one artifact, walking `depth` edges (default: all) in `direction`. */
  async lineageOf(digestOrName: string, options: LineageOfOptions): Promise<LineageGraph> {
    const { direction, depth = Number.POSITIVE_INFINITY } = parseOptions(LINEAGE_OF_KEYS, options, 'LineageStore.lineageOf') as Partial<LineageOfOptions>;
    if (direction !== 'upstream' && direction !== 'downstream') throw invalidInput('direction must be upstream or downstream (lineageOf(artifact, { direction: "upstream" }))', { field: 'direction' });
    if (depth !== Number.POSITIVE_INFINITY && (!Number.isInteger(depth) || depth < 1)) throw invalidInput('depth must be a positive whole number of edges', { field: 'depth' });
    const root = await this.resolve(digestOrName);
    return { root, direction, ...(await this.#walk([root], direction, depth)) };
  }

  /**
   * Every artifact that holds `subjectId`'s data directly, and every artifact built from one of
   * those, except past an artifact whose complete subject list (RecordSubjectsOptions) leaves
   * the subject out: a consent filter's output that dropped them, and what was built from it.
   */
  async artifactsContaining(subjectId: string): Promise<SubjectArtifact[]> {
    checkSubjectId(subjectId, 'subjectId');
    const rows = await this.#store.db.selectFrom(SUBJECTS).select('digest').where('subject_id', '=', subjectId).orderBy('digest').execute();
    const direct = new Set(rows.map((r) => String(r.digest)));
    const { nodes } = await this.#walk([...direct], 'downstream', Number.POSITIVE_INFINITY, async (digests) => {
      const complete = await this.#completeAmong(digests.filter((d) => !direct.has(d)));
      return digests.filter((d) => !complete.has(d));
    });
    return nodes.map((node) => ({ ...node, via: node.depth === 0 ? 'direct' : 'downstream' }));
  }

  async #completeAmong(digests: readonly string[]): Promise<Set<string>> {
    const complete = new Set<string>();
    for (let i = 0; i < digests.length; i += CHUNK) {
      const rows = await this.#store.db.selectFrom(COMPLETE_SUBJECTS).select('digest').where('digest', 'in', digests.slice(i, i + CHUNK)).execute();
      for (const row of rows) complete.add(String(row.digest));
    }
    return complete;
  }

  /**
   * The edges `subjectId` ran, oldest first: an actor may be a person (an operator's email
   * address), so these are the subject's data too (GDPR Art. 15), the edges eraseActor changes.
   * None for ERASED_ACTOR: its edges are those of subjects already erased, not of anyone named so.
   */
  async edgesActedBy(subjectId: string): Promise<LineageEdge[]> {
    checkSubjectId(subjectId, 'subjectId');
    if (subjectId === ERASED_ACTOR) return [];
    const rows = await this.#store.db.selectFrom(EDGES).selectAll().where('actor', '=', subjectId).orderBy('seq').execute();
    return rows.map(toEdge);
  }

  /** Delete the subject's rows in the subject table (erasure). The graph stays (eraseActor takes the subject out of its actors). Returns how many. */
  async forgetSubject(subjectId: string): Promise<number> {
    checkSubjectId(subjectId, 'subjectId');
    const deleted = await this.#store.writeTransaction(WRITE_LOCK, (tx) => tx.deleteFrom(SUBJECTS).where('subject_id', '=', subjectId).executeTakeFirst());
    return Number(deleted.numDeletedRows);
  }

  /**
   * Replace `subjectId` where it stands as an edge's actor by ERASED_ACTOR (erasure): an actor
   * may be a person (an operator's email address), and the graph must name no one once they are
   * forgotten. The edges themselves stay: what was built from what, how and when. Not audited
   * here: erasure writes one record for all domains. Returns how many edges were changed.
   */
  async eraseActor(subjectId: string): Promise<number> {
    checkSubjectId(subjectId, 'subjectId');
    if (subjectId === ERASED_ACTOR) return 0;
    const updated = await this.#store.writeTransaction(WRITE_LOCK, (tx) => tx.updateTable(EDGES).set({ actor: ERASED_ACTOR }).where('actor', '=', subjectId).executeTakeFirst());
    return Number(updated.numUpdatedRows);
  }

  /**
   * Breadth-first, one query per level (per few hundred digests), iterative so a long chain
   * cannot exhaust the stack. A digest is expanded once, so cycles end; every edge met is
   * returned, including the one that closes a cycle. With `admit`, only the digests of each new
   * level it gives back are nodes and walked on; edges to the others are left out.
   */
  async #walk(roots: readonly string[], direction: LineageDirection, maxDepth: number, admit?: (digests: string[]) => Promise<string[]>): Promise<{ nodes: LineageNode[]; edges: LineageEdge[] }> {
    const [from, to] = direction === 'downstream' ? (['input_digest', 'outputDigest'] as const) : (['output_digest', 'inputDigest'] as const);
    const depthOf = new Map<string, number>(roots.map((r) => [r, 0]));
    const edges = new Map<number, LineageEdge>();
    const refused = new Set<string>();
    let frontier = [...depthOf.keys()];
    for (let level = 0; frontier.length > 0 && level < maxDepth; level += 1) {
      const reached = new Set<string>();
      for (let i = 0; i < frontier.length; i += CHUNK) {
        const rows = await this.#store.db.selectFrom(EDGES).selectAll().where(from, 'in', frontier.slice(i, i + CHUNK)).orderBy('seq').execute();
        for (const edge of rows.map(toEdge)) {
          if (refused.has(edge[to])) continue;
          edges.set(edge.seq, edge);
          if (!depthOf.has(edge[to])) reached.add(edge[to]);
        }
      }
      const admitted = admit === undefined ? reached : new Set(await admit([...reached]));
      for (const digest of reached) {
        if (admitted.has(digest)) depthOf.set(digest, level + 1);
        else refused.add(digest);
      }
      frontier = [...reached].filter((digest) => admitted.has(digest));
    }
    const names = await this.#namesOf([...depthOf.keys()]);
    const nodes = [...depthOf].map(([digest, depth]) => ({ digest, names: names.get(digest) ?? [], depth }));
    return { nodes, edges: [...edges.values()].filter((edge) => !refused.has(edge[to])).sort((a, b) => a.seq - b.seq) };
  }

  async #namesOf(digests: readonly string[]): Promise<Map<string, string[]>> {
    const names = new Map<string, string[]>();
    for (let i = 0; i < digests.length; i += CHUNK) {
      const rows = await this.#store.db.selectFrom(NAMES).select(['digest', 'name']).where('digest', 'in', digests.slice(i, i + CHUNK)).orderBy('name').execute();
      for (const row of rows) names.set(String(row.digest), [...(names.get(String(row.digest)) ?? []), String(row.name)]);
    }
    return names;
  }
}

/** `sha256:<hex>` of a file's bytes, streamed (constant memory on any size). */
export async function digestFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

function checkDigest(value: unknown, field: string): string {
  if (typeof value !== 'string' || !DIGEST.test(value)) throw invalidInput(`${field} must be sha256:<64 lower-case hex> (see digestFile)`, { field });
  return value;
}

/** A real instant (2025-02-30 is refused, not rolled over to March), not in the future beyond CLOCK_SKEW_MS. */
function checkInstant(value: unknown, now: Date): string {
  const ms = parseIsoInstant(value);
  if (ms === undefined) throw invalidInput('at must be an ISO 8601 date-time with a zone that exists, e.g. 2025-06-30T12:00:00Z (2025-02-30 or 25:00 are refused)', { field: 'at' });
  if (ms > now.getTime() + CLOCK_SKEW_MS) {
    throw invalidInput(`at ${new Date(ms).toISOString()} is in the future (now ${now.toISOString()}, ${CLOCK_SKEW_MS / 60_000} minutes of clock skew allowed): give the time the step ran, or leave at out for now`, { field: 'at' });
  }
  return new Date(ms).toISOString();
}
