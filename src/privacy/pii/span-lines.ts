import type { EntityScanner } from './entity-scanner.js';
import { jsonLineBatch, movableLines, recordAt } from './jsonl-bytes.js';
import { detectNamingLine, type BatchResult, type RedactionTally } from './record-redaction.js';

/**
 * `langtrain pii scan`'s batch: for each JSON line, one line `{"spans":[{start,end,type,score}]}`
 * of what was found in the string at `field` (a missing or non-string field, or a blank line,
 * has no spans), scores rounded to three decimals. The tally counts spans per type and the
 * records that had any.
 */
export function scanJsonLines(scanner: EntityScanner, bytes: Uint8Array, firstLine: number, field: string, tally: RedactionTally): BatchResult {
  const batch = jsonLineBatch(bytes, firstLine);
  const texts: string[] = [];
  const textLines: number[] = [];
  batch.lines.forEach((_, i) => {
    const value = recordAt(batch, i)?.[field];
    if (typeof value !== 'string') return;
    texts.push(value);
    textLines.push(i);
  });
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
    records: batch.lines.length,
    ...tally,
  };
}

const NO_SPANS = Buffer.from('{"spans":[]}');
