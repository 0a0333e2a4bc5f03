import { invalidInput } from '../../core/errors.js';
import { parseFieldPath, type FieldPath } from '../../crypto/field-paths.js';
import type { EntityScanner } from './entity-scanner.js';
import { jsonLineBatch, movableLines, recordAt } from './jsonl-bytes.js';
import { detectNamingLine, type BatchResult, type RedactionTally } from './record-redaction.js';

/**
 * `langtrain pii scan`'s batch: for each JSON line, one line `{"spans":[{start,end,type,score}]}`
 * of what was found in the string at `field` (a missing or non-string field, or a blank line,
 * has no spans), scores rounded to three decimals. The tally counts spans per type, the
 * records that had any, and (fieldsFound[0]) the records with a string at `field`.
 */
export function scanJsonLines(scanner: EntityScanner, bytes: Uint8Array, firstLine: number, field: FieldPath, tally: RedactionTally): BatchResult {
  const batch = jsonLineBatch(bytes, firstLine);
  const texts: string[] = [];
  const textLines: number[] = [];
  // blank lines are no records, as for redact: one file, one count
  let records = 0;
  batch.lines.forEach((_, i) => {
    const record = recordAt(batch, i);
    if (record !== undefined) records++;
    const value = record === undefined ? undefined : valueAt(record, field);
    if (typeof value !== 'string') return;
    texts.push(value);
    textLines.push(i);
  });
  tally.fieldsFound[0] = texts.length;
  const found = detectNamingLine((all) => scanner.scanAll(all), texts, (t) => batch.firstLine + textLines[t]!);
  const spansOfLine = new Map<number, string>();
  found.forEach((findings, t) => {
    if (findings.length === 0) return;
    tally.recordsWithFindings += 1;
    for (const f of findings) tally.counts[f.type] += 1;
    spansOfLine.set(textLines[t]!, JSON.stringify({ spans: findings.map(({ start, end, type, score }) => ({ start, end, type, score: Math.round(score * 1000) / 1000 })) }));
  });
  return {
    output: movableLines(batch, (i) => {
      const spans = spansOfLine.get(i);
      return spans === undefined ? NO_SPANS : Buffer.from(spans);
    }),
    records,
    ...tally,
  };
}

const NO_SPANS = Buffer.from('{"spans":[]}');

/**
 * The scanned field as a path (`text`, `user.bio`): one string per line, since the spans are
 * offsets into it, so a path with `[]` (every element of an array) is refused.
 */
export function scannedField(field: string): FieldPath {
  const path = parseFieldPath(field);
  if (path.steps.some((step) => step.each)) {
    throw invalidInput(`the field path ${JSON.stringify(field)} names every element of an array, but a scan reports the spans of one string per line; name a path to one string`, { field });
  }
  return path;
}

/** What `record` holds at `path` (a path to one value: scannedField), or undefined. */
export function valueAt(record: Record<string, unknown>, path: FieldPath): unknown {
  let node: unknown = record;
  for (const { key } of path.steps) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
