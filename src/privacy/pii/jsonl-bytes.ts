import { isUtf8 } from 'node:buffer';
import { stringTokenCount } from '../../core/json-text.js';
import { firstNonUtf8Line } from '../../core/strict-utf8.js';
import { RecordError } from './record-error.js';

/**
 * A batch of JSON Lines as bytes, each line decoded on its own: a batch decoded whole is one
 * string of megabytes, and on virtual machines where touching fresh memory is slow (page faults
 * cost ~10 µs on this project's CI) allocating such strings took a quarter of the redaction
 * pipeline's time. Small per-line strings also stay one-byte when the line is Latin-1, which
 * the regexes scan faster.
 */
export interface JsonLineBatch {
  bytes: Buffer;
  /** Each line's bytes, without its CR LF or LF. */
  lines: Array<{ start: number; end: number }>;
  /** The file's line number of `lines[0]`. */
  firstLine: number;
}

/** `bytes` (whole lines, the last one's newline optional) as lines; bytes that are not UTF-8 fail, naming the line (decoding them to U+FFFD would silently change data). */
export function jsonLineBatch(bytes: Uint8Array, firstLine: number): JsonLineBatch {
  const batch = jsonLinesOf(bytes, firstLine);
  if (!isUtf8(batch.bytes)) throw new RecordError(firstLine + firstNonUtf8Line(batch.bytes), 'is not valid UTF-8');
  return batch;
}

/**
 * `bytes` cut into lines as every reader of JSON Lines here cuts them (at LF, without the CR
 * before it, nor a byte order mark before the file's first line), their encoding unchecked:
 * for a reader of one line, which a bad byte on another line does not concern.
 */
export function jsonLinesOf(bytes: Uint8Array, firstLine: number): JsonLineBatch {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const lines: JsonLineBatch['lines'] = [];
  // A UTF-8 byte order mark before the file's first line, as some Windows tools write, is no part of it.
  const bom = firstLine === 1 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  for (let start = bom; start < buffer.length; ) {
    const newline = buffer.indexOf(LF, start);
    const next = newline < 0 ? buffer.length : newline;
    lines.push({ start, end: next > start && buffer[next - 1] === CR ? next - 1 : next });
    start = next + 1;
  }
  return { bytes: buffer, lines, firstLine };
}

/** Whether line `i` of the batch is UTF-8 (jsonLinesOf does not check). */
export function isUtf8Line(batch: JsonLineBatch, i: number): boolean {
  const { start, end } = batch.lines[i]!;
  return isUtf8(batch.bytes.subarray(start, end));
}

/** Line `i` of the batch, decoded. */
export function lineText(batch: JsonLineBatch, i: number): string {
  const { start, end } = batch.lines[i]!;
  return batch.bytes.toString('utf8', start, end);
}

/** Line `i` of the batch as a JSON object; undefined for a blank line. */
export function recordAt(batch: JsonLineBatch, i: number): Record<string, unknown> | undefined {
  const text = lineText(batch, i);
  if (JSON_BLANK.test(text)) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    throw new RecordError(batch.firstLine + i, 'not valid JSON', 'not_json');
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new RecordError(batch.firstLine + i, 'a record must be a JSON object');
  // Every key and string value is one string token: more tokens than the parsed record has keys
  // and strings means a key given twice, whose dropped value no scan could reach (~1 ms/MB).
  if (stringTokenCount(text) !== keysAndStrings(record)) {
    throw new RecordError(batch.firstLine + i, 'gives a key twice in one object: JSON parsers disagree on which value counts (JSON.parse keeps the last, so the other was never scanned); remove the duplicate');
  }
  return record as Record<string, unknown>;
}

/**
 * A blank line: JSON's own whitespace only. String.trim also strips NBSP, U+2028, a BOM, form
 * feeds and more, which no JSON parser takes, so such a line passed as blank and went on into
 * an output that downstream readers then refused.
 */
const JSON_BLANK = /^[ \t\r]*$/;

/** The keys and string values anywhere in a parsed record; walked without recursion, as records may nest 10,000 deep. */
function keysAndStrings(record: object): number {
  let count = 0;
  const stack: object[] = [record];
  const visit = (value: unknown) => {
    if (typeof value === 'string') count++;
    else if (value !== null && typeof value === 'object') stack.push(value);
  };
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Array.isArray(node)) node.forEach(visit);
    else
      for (const key of Object.keys(node)) {
        count++;
        visit((node as Record<string, unknown>)[key]);
      }
  }
  return count;
}

/**
 * The batch's output, one line per input line, each ending in LF, in an ArrayBuffer of its own
 * (never Buffer's shared pool) so that it can be moved to another thread. `lineOf(i)` gives
 * line `i`'s new bytes, or undefined to copy the input line as it was.
 */
export function movableLines(batch: JsonLineBatch, lineOf: (i: number) => Uint8Array | undefined): Buffer {
  const replaced = batch.lines.map((_, i) => lineOf(i));
  let size = 0;
  batch.lines.forEach(({ start, end }, i) => (size += (replaced[i]?.length ?? end - start) + 1));
  const output = Buffer.allocUnsafeSlow(size);
  let at = 0;
  batch.lines.forEach(({ start, end }, i) => {
    const line = replaced[i];
    if (line) {
      output.set(line, at);
      at += line.length;
    } else at += batch.bytes.copy(output, at, start, end);
    output[at++] = LF;
  });
  return output;
}

/** `text` as UTF-8 in an ArrayBuffer of its own, so that it can be moved to another thread. */
export function movableUtf8(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

const LF = 10;
const CR = 13;
