import { sql } from 'kysely';
import { columnTypes, type Migration } from '../../store/migrations.js';
import { createSequenceCounter } from '../../store/sequence.js';

/**
 * The `lineage` domain's tables. Artifacts (data sets, models) are identified by the
 * SHA-256 of their bytes (`sha256:<hex>`), so a renamed or copied file is still the same
 * node and a changed one never is.
 *
 * - `privacy_lineage_edges`: one row per transformation, input → output. Append-only, but
 *   for erasure, which replaces an erased subject's id where it stands as `actor` by
 *   `erased` (no trigger or hash chain covers the rows; the audit log keeps its own record of
 *   each edge). `seq` is assigned under the write lock. Indexed both ways, since queries walk upstream
 *   (where did this model come from) and downstream (what was built from this data set).
 * - `privacy_lineage_names`: human names (`dataset:customers-v2`) for digests. A name
 *   names one digest for good; a digest may carry several names.
 * - `privacy_lineage_subjects`: which data subjects an artifact holds. Kept apart from the
 *   edges because it is personal data: erasure deletes a subject's rows here and leaves
 *   the graph, which names no one, intact.
 * - `privacy_lineage_complete_subjects`: the artifacts whose subjects are all listed (read
 *   from the whole artifact, as prepareDataset does). Only such a list can say that a subject
 *   is *not* in an artifact: erasure stops there rather than name everything built after a
 *   consent filter that dropped the subject.
 */
export const lineageMigrations: Migration[] = [
  {
    id: '0001_privacy_lineage',
    async up(tx, dialect) {
      const { bigint } = columnTypes(dialect);
      await sql`CREATE TABLE privacy_lineage_edges (
        seq ${bigint} PRIMARY KEY,
        input_digest TEXT NOT NULL,
        output_digest TEXT NOT NULL,
        operation TEXT NOT NULL,
        parameters TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL
      )`.execute(tx);
      await sql`CREATE INDEX privacy_lineage_edges_input ON privacy_lineage_edges (input_digest)`.execute(tx);
      await sql`CREATE INDEX privacy_lineage_edges_output ON privacy_lineage_edges (output_digest)`.execute(tx);
      await sql`CREATE TABLE privacy_lineage_names (
        name TEXT PRIMARY KEY,
        digest TEXT NOT NULL,
        named_at TEXT NOT NULL
      )`.execute(tx);
      await sql`CREATE INDEX privacy_lineage_names_digest ON privacy_lineage_names (digest)`.execute(tx);
      await sql`CREATE TABLE privacy_lineage_subjects (
        digest TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        PRIMARY KEY (digest, subject_id)
      )`.execute(tx);
      await sql`CREATE INDEX privacy_lineage_subjects_subject ON privacy_lineage_subjects (subject_id)`.execute(tx);
    },
  },
  {
    id: '0002_privacy_lineage_complete_subjects',
    async up(tx) {
      await sql`CREATE TABLE privacy_lineage_complete_subjects (
        digest TEXT PRIMARY KEY,
        recorded_at TEXT NOT NULL
      )`.execute(tx);
    },
  },
  {
    // The last edge number given (store/sequence.ts): an edge taken back when its audit record
    // failed freed the highest number, which max(seq) + 1 then gave to the next edge.
    id: '0003_privacy_lineage_seq_counter',
    up: (tx, dialect) => createSequenceCounter(tx, dialect, EDGES, EDGE_SEQ_TABLE, EDGE_SEQ_NAME),
  },
];

export const EDGES = 'privacy_lineage_edges';
/** The last edge number given, in the row named EDGE_SEQ_NAME. */
export const EDGE_SEQ_TABLE = 'privacy_lineage_seq';
export const EDGE_SEQ_NAME = 'edges';
export const NAMES = 'privacy_lineage_names';
export const SUBJECTS = 'privacy_lineage_subjects';
export const COMPLETE_SUBJECTS = 'privacy_lineage_complete_subjects';

/** Parameters as stored: JSON without secrets (checked when recorded). */
export type LineageParameters = { [key: string]: LineageParameterValue };
export type LineageParameterValue = string | number | boolean | null | LineageParameterValue[] | { [key: string]: LineageParameterValue };

export interface LineageEdge {
  seq: number;
  inputDigest: string;
  outputDigest: string;
  /** lower_snake_case: `filter`, `redact`, `encrypt`, `train`, `import`, … */
  operation: string;
  parameters: LineageParameters;
  actor: string;
  at: string;
}

export function toEdgeRow(edge: LineageEdge): Record<string, unknown> {
  return {
    seq: edge.seq,
    input_digest: edge.inputDigest,
    output_digest: edge.outputDigest,
    operation: edge.operation,
    parameters: JSON.stringify(edge.parameters),
    actor: edge.actor,
    at: edge.at,
  };
}

export function toEdge(row: Record<string, unknown>): LineageEdge {
  return {
    seq: Number(row.seq),
    inputDigest: String(row.input_digest),
    outputDigest: String(row.output_digest),
    operation: String(row.operation),
    parameters: JSON.parse(String(row.parameters)) as LineageParameters,
    actor: String(row.actor),
    at: String(row.at),
  };
}
