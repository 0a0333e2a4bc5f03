import { parseFieldPath, type FieldPath } from '../../crypto/field-paths.js';
import { emptyTally, RecordError, redactCsvRows, redactJsonLines, type BatchResult, type RecordRedactor } from './record-redaction.js';

/**
 * A batch as it crosses to a worker thread: plain data only. JSON Lines travel as the raw bytes
 * of whole lines (moved, not copied): the reading thread only cuts the file at newlines, and
 * decoding, parsing and serialising all happen on the workers.
 */
export type BatchTask = { keepRedactions: boolean } & (
  | { kind: 'jsonl'; bytes: Uint8Array; firstLine: number; fields: string[] | null }
  | { kind: 'csv'; rows: string[][]; lines: number[]; columns: number[]; names: string[] }
);

/** What comes back: the batch redacted, or the first bad record (errors do not cross threads with their class). */
export type BatchOutcome = { result: BatchResult } | { error: { line: number; message: string } };

/** Field paths, parsed once per thread. */
const paths = new Map<string, FieldPath>();

export function runBatch(redactor: RecordRedactor, task: BatchTask): BatchOutcome {
  const tally = emptyTally(task.keepRedactions);
  try {
    if (task.kind === 'csv') return { result: redactCsvRows(redactor, task.rows, task.lines, task.columns, task.names, tally) };
    const fields = task.fields?.map((text) => {
      let path = paths.get(text);
      if (path === undefined) paths.set(text, (path = parseFieldPath(text)));
      return path;
    });
    return { result: redactJsonLines(redactor, task.bytes, task.firstLine, fields ?? null, tally) };
  } catch (err) {
    if (err instanceof RecordError) return { error: { line: err.line, message: err.message.slice(`line ${err.line}: `.length) } };
    throw err;
  }
}
