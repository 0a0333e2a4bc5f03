import { invalidInput } from '../../core/errors.js';
import { transformAt, type FieldPath } from '../../crypto/field-paths.js';
import type { EntityType, Finding } from './entity-types.js';

/**
 * Detection and redaction of whole records: a batch of JSON Lines or CSV rows in, the
 * redacted batch and what was redacted out. Pure, so the same code runs on worker threads
 * and on the caller's thread.
 */
export interface RecordRedactor {
  detect(text: string): Finding[];
  /** `text` with `findings` replaced. */
  redact(text: string, findings: readonly Finding[]): string;
}

/** One redaction, as the audit log records it: where, what kind, found how; never the value. */
export interface RedactionRecord {
  /** Line of the input file (1-based). */
  line: number;
  /** Field path (JSONL, e.g. `messages[2].text`) or column name (CSV). */
  field: string;
  type: EntityType;
  start: number;
  end: number;
  recognizer: string;
  score: number;
}

export interface BatchResult {
  /** Output lines (JSONL) or rows (CSV), in input order. */
  records: Array<string | string[]>;
  redactions: RedactionRecord[];
  /** Records that had at least one redaction. */
  redactedRecords: number;
}

/** A bad record, named by its line; the whole job fails and writes nothing. */
export class RecordError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * JSON Lines: each line one JSON object. With `fields`, only those paths (strings at them);
 * without, every string anywhere in the record. Blank lines are kept as they are.
 */
export function redactJsonLines(redactor: RecordRedactor, lines: readonly string[], firstLine: number, fields: readonly FieldPath[] | null): BatchResult {
  const result: BatchResult = { records: [], redactions: [], redactedRecords: 0 };
  lines.forEach((text, i) => {
    const line = firstLine + i;
    if (text.trim() === '') {
      result.records.push(text);
      return;
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      throw new RecordError(line, 'not valid JSON');
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new RecordError(line, 'a record must be a JSON object');
    if (redactRecord(redactor, record as Record<string, unknown>, line, fields, result.redactions)) result.redactedRecords += 1;
    result.records.push(JSON.stringify(record));
  });
  return result;
}

/**
 * Redact one record in place: the strings at `fields`, or every string anywhere in it. Appends
 * what it redacted to `redactions` (as found at `line`) and says whether it changed anything.
 */
export function redactRecord(redactor: RecordRedactor, record: Record<string, unknown>, line: number, fields: readonly FieldPath[] | null, redactions: RedactionRecord[]): boolean {
  const before = redactions.length;
  const redactValue = (value: unknown, field: string): unknown => (typeof value === 'string' ? redactString(redactor, value, line, field, redactions) : value);
  if (fields) for (const path of fields) transformAt(record, path, redactValue);
  else redactAllStrings(record, '', redactValue);
  return redactions.length > before;
}

/**
 * CSV rows (cells as strings), redacting the cells of `columns` (indices into the header
 * `names`). `lines` holds each row's first line in the file (a quoted cell may span lines).
 */
export function redactCsvRows(redactor: RecordRedactor, rows: readonly string[][], lines: readonly number[], columns: readonly number[], names: readonly string[]): BatchResult {
  const result: BatchResult = { records: [], redactions: [], redactedRecords: 0 };
  rows.forEach((row, i) => {
    const line = lines[i]!;
    if (row.length !== names.length) throw new RecordError(line, `has ${row.length} cells but the header names ${names.length} columns`);
    const before = result.redactions.length;
    const out = [...row];
    for (const c of columns) out[c] = redactString(redactor, row[c]!, line, names[c]!, result.redactions);
    if (result.redactions.length > before) result.redactedRecords += 1;
    result.records.push(out);
  });
  return result;
}

function redactString(redactor: RecordRedactor, text: string, line: number, field: string, redactions: RedactionRecord[]): string {
  const findings = redactor.detect(text);
  if (findings.length === 0) return text;
  for (const f of findings) redactions.push({ line, field, type: f.type, start: f.start, end: f.end, recognizer: f.recognizer, score: f.score });
  return redactor.redact(text, findings);
}

function redactAllStrings(node: Record<string, unknown> | unknown[], trail: string, redact: (value: unknown, field: string) => unknown): void {
  const visit = (value: unknown, at: string): unknown => {
    if (typeof value === 'string') return redact(value, at);
    if (value !== null && typeof value === 'object') redactAllStrings(value as Record<string, unknown>, at, redact);
    return value;
  };
  if (Array.isArray(node)) node.forEach((value, i) => (node[i] = visit(value, `${trail}[${i}]`)));
  else for (const key of Object.keys(node)) node[key] = visit(node[key], trail === '' ? key : `${trail}.${key}`);
}

/** CSV columns to redact: the named ones (each must exist), or every column. */
export function csvColumns(header: readonly string[], fields: readonly string[] | undefined): number[] {
  if (!fields) return header.map((_, i) => i);
  return fields.map((name) => {
    const index = header.indexOf(name);
    if (index < 0) throw invalidInput(`the CSV has no column ${JSON.stringify(name)} (columns: ${header.join(', ')})`);
    return index;
  });
}
