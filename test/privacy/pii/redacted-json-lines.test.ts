import { describe, expect, it } from 'vitest';
import { parseFieldPath } from '../../../src/crypto/field-paths.js';
import { emptyTally, redactJsonLines } from '../../../src/privacy/pii/record-redaction.js';
import { buildRecordRedactor } from '../../../src/privacy/pii/redactor.js';

const redactor = buildRecordRedactor({ scan: { types: ['email'], threshold: 0.5 }, redaction: { method: 'masking', preserveFormat: false } }, null);
/** `lines` through the JSONL redaction of `fields` (every string without), as the output's lines. */
function redacted(lines: string[], fields?: string[]): string[] {
  const input = new TextEncoder().encode(lines.join('\n') + '\n');
  const result = redactJsonLines(redactor, input, 1, fields ? fields.map(parseFieldPath) : null, emptyTally(false));
  return new TextDecoder().decode(result.output).split('\n').slice(0, -1);
}
const EMAIL = 'maria.gonzalez@correo-ejemplo.es';

describe('a redacted JSON line', () => {
  it('keeps everything it did not redact as written: 19-digit ids, number spellings, key order, spacing, escapes', () => {
    const line = `{"id": 1234567890123456789, "score": 1.10, "big": 1E5,  "note": "caf\\u00e9 \\/ ok", "text": "mail ${EMAIL} now", "z": [1.0]}`;
    const [out] = redacted([line], ['text']);
    expect(out).toBe(`{"id": 1234567890123456789, "score": 1.10, "big": 1E5,  "note": "caf\\u00e9 \\/ ok", "text": "mail <EMAIL> now", "z": [1.0]}`);
    // what re-serialising the parsed record gave: another id, and the rest rewritten
    expect(JSON.stringify(JSON.parse(line))).toContain('"id":1234567890123456800');
  });

  it('replaces strings written with escapes, under escaped keys, and inside arrays, every string or chosen paths', () => {
    const python = `{"\\u0074ext": "mail ${EMAIL.replace('a', '\\u0061')} \\u00e9t\\u00e9"}`; // json.dumps(ensure_ascii=True) style
    expect(redacted([python], ['text'])).toEqual(['{"\\u0074ext": "mail <EMAIL> été"}']);
    const chat = `{"messages": [{"role": "user", "content": "I am ${EMAIL}"}, {"role": "assistant", "content": "noted"}], "meta": {"from": "${EMAIL}"}}`;
    expect(redacted([chat], ['messages[].content'])).toEqual([`{"messages": [{"role": "user", "content": "I am <EMAIL>"}, {"role": "assistant", "content": "noted"}], "meta": {"from": "${EMAIL}"}}`]);
    expect(redacted([chat])).toEqual(['{"messages": [{"role": "user", "content": "I am <EMAIL>"}, {"role": "assistant", "content": "noted"}], "meta": {"from": "<EMAIL>"}}']);
  });

  it('is serialised whole where paths cannot name its strings apart (a key holding . [ or ])', () => {
    const other = 'j.doe@mail-example.co.uk';
    const dotted = `{"a.b": "mail ${EMAIL}", "a": {"b": "mail ${other}"}, "n": 1.0}`;
    expect(redacted([dotted])).toEqual(['{"a.b":"mail <EMAIL>","a":{"b":"mail <EMAIL>"},"n":1}']);
    // unless it holds a number a re-serialisation would round: a bad record then, not a changed id
    expect(() => redacted([`{"a.b": "mail ${EMAIL}", "id": 1234567890123456789}`])).toThrow(/^line 1: has a key that field paths cannot name \(empty, or holding "\.", "\[" or "\]"\).*a number of 19 significant digits/);
  });

  it('is a bad record when it gives a key twice, at any depth, even with nothing else to redact: the dropped value was never scanned', () => {
    const other = 'j.doe@mail-example.co.uk';
    for (const line of [`{"text": "mail ${other}", "text": "hi"}`, `{"m": [{"c": "${other}", "c": ""}], "text": "x"}`, `{"t\\u0065xt": "${other}", "text": "x"}`]) {
      expect(() => redacted(['{"text": "fine"}', line], ['text'])).toThrow(/^line 2: gives a key twice in one object/);
      expect(() => redacted([line])).toThrow(/gives a key twice/);
    }
    // escaped quotes and backslashes inside strings are not taken for more keys
    expect(redacted(['{"text": "say \\"hi\\" \\\\", "k": "\\\\\\""}'])).toEqual(['{"text": "say \\"hi\\" \\\\", "k": "\\\\\\""}']);
  });
});
