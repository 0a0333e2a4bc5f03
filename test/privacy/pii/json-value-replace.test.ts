import { describe, expect, it } from 'vitest';
import { parseFieldPath } from '../../../src/crypto/field-paths.js';
import { replaceValues } from '../../../src/core/json-value-replace.js';
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

describe('replaceValues', () => {
  const replace = (text: string, replacements: Record<string, string>) => replaceValues(text, { values: new Map(Object.entries(replacements)), keys: new Map() });

  it('replaces the string at each path the redaction walks name, in text order, keeping every other byte', () => {
    const line = ' { "id" : 12 , "text":"a \\"quoted\\" \\\\", "tags": [ "x", ["y", {"z": "w"}], true, null, -1.5e3 ], "user": {"name": "caf\\u00e9", "age": 3}, "e": {}, "f": [] } ';
    expect(JSON.parse(line)).toBeTruthy(); // valid JSON, as it requires
    const all = { text: 'T', 'tags[0]': 'X', 'tags[1][0]': 'Y', 'tags[1][1].z': 'Z', 'user.name': 'N "1"' };
    expect(replace(line, all)).toBe(' { "id" : 12 , "text":"T", "tags": [ "X", ["Y", {"z": "Z"}], true, null, -1.5e3 ], "user": {"name": "N \\"1\\"", "age": 3}, "e": {}, "f": [] } ');
    expect(replace(line, { 'user.name': 'N' })).toBe(line.replace('"caf\\u00e9"', '"N"'));
    expect(replace(line, {})).toBe(line);
  });

  it('decodes escaped keys; replaces a number by a string where it stands; refuses a path with no value', () => {
    expect(replace('{"\\u0074ext": "hi"}', { text: 'HI' })).toBe('{"\\u0074ext": "HI"}');
    expect(replace('{"b": "two", "card": 4111111111111111 , "n": [1.10, 4111111111111111]}', { card: '[CREDIT_CARD]', 'n[1]': '[CREDIT_CARD]' })).toBe(
      '{"b": "two", "card": "[CREDIT_CARD]" , "n": [1.10, "[CREDIT_CARD]"]}',
    );
    expect(replace('{"b": "two"}', { c: 'x' })).toBeUndefined();
  });

  it('renames keys where they stand; paths below a renamed key name it as written; a key path no key has is refused', () => {
    const line = '{ "calls" : { "+44 20 7946 0958" : { "note": "call +44 20 7946 0958", "n": 1.10 }, "x": 1 } }';
    const changes = { values: new Map([['calls.+44 20 7946 0958.note', 'call <PHONE>']]), keys: new Map([['calls.+44 20 7946 0958', '<PHONE>']]) };
    expect(replaceValues(line, changes)).toBe('{ "calls" : { "<PHONE>" : { "note": "call <PHONE>", "n": 1.10 }, "x": 1 } }');
    expect(replaceValues('{"\\u0041na Lima": 1}', { values: new Map(), keys: new Map([['Ana Lima', 'K "1"']]) })).toBe('{"K \\"1\\"": 1}');
    expect(replaceValues('{"a": 1}', { values: new Map(), keys: new Map([['b', 'B']]) })).toBeUndefined();
  });

  it('gives up where paths cannot tell values apart: an empty key, a key holding . [ or ]', () => {
    for (const key of ['a.b', 'a[0]', 'x]', '']) expect(replace(`{${JSON.stringify(key)}: "v", "text": "a"}`, { text: 'x' })).toBeUndefined();
    expect(replace('{"a": {"": {"b": "v"}}, "text": "a"}', { text: 'x' })).toBeUndefined();
  });

  it('follows long keys and many strings in time of the line, looking up only keys on a replaced path', () => {
    const key = 'k'.repeat(16_000);
    const line = `{"${key}": [${'"", '.repeat(2_000)}"bob"], "z": {"${key}": "bob"}}`;
    expect(replace(line, { [`${key}[2000]`]: 'B1', [`z.${key}`]: 'B2' })).toBe(line.replace('"bob"]', '"B1"]').replace('"bob"}', '"B2"}'));
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
