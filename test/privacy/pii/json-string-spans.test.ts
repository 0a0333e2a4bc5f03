import { describe, expect, it } from 'vitest';
import { parseFieldPath } from '../../../src/crypto/field-paths.js';
import { stringValueSpans, withStringsReplaced } from '../../../src/privacy/pii/json-string-spans.js';
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

describe('stringValueSpans', () => {
  it('finds every string value by the path the redaction walks name it, each span its token as written', () => {
    const line = ' { "id" : 12 , "text":"a \\"quoted\\" \\\\", "tags": [ "x", ["y", {"z": "w"}], true, null, -1.5e3 ], "user": {"name": "caf\\u00e9", "age": 3}, "e": {}, "f": [] } ';
    const spans = stringValueSpans(line)!;
    expect(JSON.parse(line)).toBeTruthy(); // valid JSON, as the scanner requires
    const tokens = Object.fromEntries([...spans].map(([path, { start, end }]) => [path, line.slice(start, end)]));
    expect(tokens).toEqual({
      text: '"a \\"quoted\\" \\\\"',
      'tags[0]': '"x"',
      'tags[1][0]': '"y"',
      'tags[1][1].z': '"w"',
      'user.name': '"caf\\u00e9"',
    });
  });

  it('decodes escaped keys, and gives up where paths cannot tell values apart: a key given twice, a key holding . [ or ]', () => {
    expect([...stringValueSpans('{"\\u0074ext": "hi"}')!.keys()]).toEqual(['text']);
    expect(stringValueSpans('{"text": "a", "text": "b"}')).toBeUndefined();
    expect(stringValueSpans('{"m": [{"k": 1, "k": 2}]}')).toBeUndefined();
    expect(stringValueSpans('{"te\\u0078t": "a", "text": "b"}')).toBeUndefined(); // the same key, escaped once
    for (const key of ['a.b', 'a[0]', 'x]']) expect(stringValueSpans(`{${JSON.stringify(key)}: "v"}`)).toBeUndefined();
  });

  it('replaces strings at paths in text order, and refuses a path with no string', () => {
    const line = '{"b": "two", "a": "one", "n": 1}';
    const spans = stringValueSpans(line)!;
    expect(withStringsReplaced(line, spans, new Map([['a', 'ONE "1"'], ['b', 'TWO']]))).toBe('{"b": "TWO", "a": "ONE \\"1\\"", "n": 1}');
    expect(withStringsReplaced(line, spans, new Map([['n', 'x']]))).toBeUndefined();
  });
});

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

  it('is serialised whole where paths cannot name its strings apart, so a key given twice never carries its unscanned first value out', () => {
    const other = 'j.doe@mail-example.co.uk';
    const twice = `{"text": "mail ${other}", "text": "mail ${EMAIL}", "id": 7}`;
    const [out] = redacted([twice], ['text']);
    expect(out).toBe('{"text":"mail <EMAIL>","id":7}');
    expect(out).not.toContain(other);
    const dotted = `{"a.b": "mail ${EMAIL}", "a": {"b": "mail ${other}"}}`;
    expect(redacted([dotted])).toEqual(['{"a.b":"mail <EMAIL>","a":{"b":"mail <EMAIL>"}}']);
  });
});
