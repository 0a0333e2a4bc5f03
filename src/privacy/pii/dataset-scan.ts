import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { invalidInput } from '../../core/errors.js';
import type { EntityScanner } from './entity-scanner.js';

/**
 * `langtrain pii scan`: for each line of a JSONL file, the spans found in one string field, as
 * one line `{"spans":[{start,end,type,score}]}`, in input order (a missing or non-string field
 * has no spans). A line that is not a JSON object fails the scan, naming the line.
 */
export async function scanJsonLines(scanner: EntityScanner, input: string, field: string, out: Writable, onProgress?: (records: number) => void): Promise<{ records: number; spans: number }> {
  let records = 0;
  let spans = 0;
  for await (const text of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    records += 1;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      throw invalidInput(`line ${records}: not valid JSON; no output was written`, { line: records });
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) throw invalidInput(`line ${records}: a record must be a JSON object; no output was written`, { line: records });
    const value = (record as Record<string, unknown>)[field];
    const found = typeof value === 'string' ? scanner.scan(value).map(({ start, end, type, score }) => ({ start, end, type, score: Math.round(score * 1000) / 1000 })) : [];
    spans += found.length;
    if (!out.write(JSON.stringify({ spans: found }) + '\n')) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    if (records % 1000 === 0) onProgress?.(records);
  }
  onProgress?.(records);
  return { records, spans };
}
