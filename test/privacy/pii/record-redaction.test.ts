import { describe, expect, it } from 'vitest';
import { parseFieldPath } from '../../../src/crypto/field-paths.js';
import { EntityScanner } from '../../../src/privacy/pii/entity-scanner.js';
import type { Recognizer } from '../../../src/privacy/pii/recognizer.js';
import { RecordError } from '../../../src/privacy/pii/record-error.js';
import { emptyTally, redactCsvRows, redactJsonLines, redactRecordBatch, type RecordRedactor } from '../../../src/privacy/pii/record-redaction.js';
import { scanJsonLines } from '../../../src/privacy/pii/span-lines.js';

/** A recognizer that fails on texts holding "boom", as a regex out of stack would, and finds "secret" elsewhere. */
const failing: Recognizer = {
  name: 'test.failing',
  type: 'api_key',
  find(text) {
    if (text.includes('boom')) throw new RangeError('Maximum call stack size exceeded');
    const at = text.indexOf('secret');
    return at < 0 ? [] : [{ start: at, end: at + 6, type: 'api_key', score: 1, recognizer: 'test.failing' }];
  },
};
const scanner = new EntityScanner({ threshold: 0.5 }, [failing]);
const redactor: RecordRedactor = { detectAll: (texts) => scanner.scanAll(texts), redact: (text, findings) => findings.reduceRight((t, f) => t.slice(0, f.start) + '*'.repeat(f.end - f.start) + t.slice(f.end), text) };
const bytes = (lines: string[]) => new TextEncoder().encode(lines.join('\n') + '\n');

function thrown(work: () => unknown): RecordError {
  try {
    work();
  } catch (err) {
    if (err instanceof RecordError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe("a recognizer's failure on one record", () => {
  const lines = ['{"text":"a secret"}', '{"text":"x"}', '{"text":"private key of Ana: boom"}'];

  it('fails a JSONL batch naming the record\'s line and the recognizer, without any of its text', () => {
    const err = thrown(() => redactJsonLines(redactor, bytes(lines), 40, [parseFieldPath('text')], emptyTally(false, 1)));
    expect(err.line).toBe(42);
    expect(err.message).toBe('line 42: could not be scanned: the test.failing recognizer failed on it (RangeError); please report how the text is shaped');
    expect(err.message).not.toContain('Ana');
  });

  it('names the line of a CSV row and of a scanned JSON line the same way', () => {
    const csv = thrown(() => redactCsvRows(redactor, [['1', 'a secret'], ['2', 'boom']], [2, 5], [1], ['id', 'note'], emptyTally(false)));
    expect(csv.line).toBe(5);
    const scan = thrown(() => scanJsonLines(scanner, bytes(lines), 1, parseFieldPath('text'), emptyTally(false, 1)));
    expect(scan.line).toBe(3);
  });

  it('leaves batches without such a record as they were', () => {
    const done = redactJsonLines(redactor, bytes(lines.slice(0, 2)), 1, null, emptyTally(false));
    expect(new TextDecoder().decode(done.output)).toBe('{"text":"a ******"}\n{"text":"x"}\n');
  });
});

describe('every string of a record (no fields named)', () => {
  it('reaches strings nested 10,000 deep, which overflowed the call stack when walked by recursion', () => {
    const nested = (depth: number, value: string) => `${'{"a":'.repeat(depth)}"${value}"${'}'.repeat(depth)}`;
    // without a finding the record is copied as it was
    const clean = redactJsonLines(redactor, bytes([nested(10_000, 'nothing here')]), 1, null, emptyTally(false));
    expect(new TextDecoder().decode(clean.output)).toBe(`${nested(10_000, 'nothing here')}\n`);
    // with one, its line is written back with the string replaced where it stands
    const deep = redactJsonLines(redactor, bytes(['{"text":"x"}', nested(10_000, 'my secret')]), 1, null, emptyTally(false));
    expect(new TextDecoder().decode(deep.output)).toBe(`{"text":"x"}\n${nested(10_000, 'my ******')}\n`);
    // one that must be serialised whole (a key holding a dot) cannot be, this deep (JSON.stringify recurses): a bad record, named
    const twice = thrown(() => redactJsonLines(redactor, bytes(['{"text":"x"}', `{"k.1":1,"a":${nested(9_999, 'my secret')}}`]), 1, null, emptyTally(false)));
    expect(twice.message).toBe('line 2: is nested too deeply to be written back with its redactions; flatten it');
    const done = redactJsonLines(redactor, bytes([nested(500, 'my secret')]), 1, null, emptyTally(true));
    expect(new TextDecoder().decode(done.output)).toBe(`${nested(500, 'my ******')}\n`);
    expect(done.redactions![0]!.field).toBe(Array(500).fill('a').join('.'));
  });

  it('walks depth first in key order, and refuses an in-memory record that contains itself', () => {
    const record = { b: ['secret 1', { c: 'secret 2' }], a: 'secret 3' };
    const tally = emptyTally(true);
    redactRecordBatch(redactor, [record], [7], null, tally);
    expect(tally.redactions!.map((r) => r.field)).toEqual(['b[0]', 'b[1].c', 'a']);
    const cyclic: Record<string, unknown> = { text: 'secret' };
    cyclic.self = { back: cyclic };
    expect(() => redactRecordBatch(redactor, [cyclic], [1], null, emptyTally(false))).toThrow(/must not contain itself \(at self\.back\)/);
  });
});
