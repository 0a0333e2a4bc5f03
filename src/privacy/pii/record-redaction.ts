import { invalidInput } from '../../core/errors.js';
import { transformAt, type FieldPath } from '../../crypto/field-paths.js';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { ENTITY_TYPES, type EntityType, type Finding } from './entity-types.js';

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

/** What a batch redacted, by type; and each redaction when they are to be audited. */
export interface RedactionTally {
  counts: Record<EntityType, number>;
  /** null: only counted (no audit wanted), which keeps the batch's answer small. */
  redactions: RedactionRecord[] | null;
  /** Records that had at least one redaction. */
  redactedRecords: number;
}

export interface BatchResult extends RedactionTally {
  /** The batch redacted, in input order: JSON Lines (each ending in a newline) or CSV rows. */
  output: string;
  records: number;
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

export function emptyTally(keepRedactions: boolean): RedactionTally {
  return { counts: Object.fromEntries(ENTITY_TYPES.map((t) => [t, 0])) as Record<EntityType, number>, redactions: keepRedactions ? [] : null, redactedRecords: 0 };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON Lines, as the bytes of whole lines: each line one JSON object. With `fields`, only
 * those paths (strings at them); without, every string anywhere in the record. A record with
 * nothing to redact is written back byte for byte; blank lines are kept. Bytes that are not
 * UTF-8 fail the batch, naming the line: decoding them to U+FFFD would silently change data.
 */
export function redactJsonLines(redactor: RecordRedactor, bytes: Uint8Array, firstLine: number, fields: readonly FieldPath[] | null, tally: RedactionTally): BatchResult {
  const lines = decodeLines(bytes, firstLine);
  let output = '';
  lines.forEach((text, i) => {
    const line = firstLine + i;
    if (text.trim() === '') {
      output += text + '\n';
      return;
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      throw new RecordError(line, 'not valid JSON');
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new RecordError(line, 'a record must be a JSON object');
    output += (redactRecord(redactor, record as Record<string, unknown>, line, fields, tally) ? JSON.stringify(record) : text) + '\n';
  });
  return { output, records: lines.length, ...tally };
}

/** The lines in `bytes` (whole lines, the last one's newline optional), each without its CR LF or LF. */
function decodeLines(bytes: Uint8Array, firstLine: number): string[] {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    let start = 0;
    for (let line = firstLine; ; line++) {
      const end = bytes.indexOf(10, start);
      try {
        utf8.decode(bytes.subarray(start, end < 0 ? bytes.length : end));
      } catch {
        throw new RecordError(line, 'is not valid UTF-8');
      }
      start = end + 1;
    }
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/**
 * Redact one record in place: the strings at `fields`, or every string anywhere in it. Appends
 * what it redacted to `redactions` (as found at `line`) and says whether it changed anything.
 */
export function redactRecord(redactor: RecordRedactor, record: Record<string, unknown>, line: number, fields: readonly FieldPath[] | null, tally: RedactionTally): boolean {
  let changed = false;
  const redactValue = (value: unknown, field: string): unknown => {
    if (typeof value !== 'string') return value;
    const redacted = redactString(redactor, value, line, field, tally);
    if (redacted !== value) changed = true;
    return redacted;
  };
  if (fields) for (const path of fields) transformAt(record, path, redactValue);
  else redactAllStrings(record, '', redactValue);
  if (changed) tally.redactedRecords += 1;
  return changed;
}

/**
 * CSV rows (cells as strings), redacting the cells of `columns` (indices into the header
 * `names`). `lines` holds each row's first line in the file (a quoted cell may span lines).
 */
export function redactCsvRows(redactor: RecordRedactor, rows: readonly string[][], lines: readonly number[], columns: readonly number[], names: readonly string[], tally: RedactionTally): BatchResult {
  const out = rows.map((row, i) => {
    const line = lines[i]!;
    if (row.length !== names.length) throw new RecordError(line, `has ${row.length} cells but the header names ${names.length} columns`);
    const redacted = [...row];
    let changed = false;
    for (const c of columns) {
      redacted[c] = redactString(redactor, row[c]!, line, names[c]!, tally);
      if (redacted[c] !== row[c]) changed = true;
    }
    if (changed) tally.redactedRecords += 1;
    return redacted;
  });
  return { output: stringifyCsv(out), records: rows.length, ...tally };
}

function redactString(redactor: RecordRedactor, text: string, line: number, field: string, tally: RedactionTally): string {
  const findings = redactor.detect(text);
  if (findings.length === 0) return text;
  for (const f of findings) {
    tally.counts[f.type] += 1;
    tally.redactions?.push({ line, field, type: f.type, start: f.start, end: f.end, recognizer: f.recognizer, score: f.score });
  }
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
