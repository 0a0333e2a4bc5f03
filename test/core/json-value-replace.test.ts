import { describe, expect, it } from 'vitest';
import { longIntegerTexts, replaceValues, valueTexts } from '../../src/core/json-value-replace.js';

/** Any JSON value and key renames (field encryption, PII redaction), value texts, long integers. */
describe('replaceValues with any JSON value, and valueTexts', () => {
  const line = '{"id": 1234567890123456789, "user": {"email": {"home": "a@b.org", "tags": ["x", "]"]}, "n": 1.10}, "list": [ [1, 2], {"k": "}"} ], "flag": true}';

  it('replaces a whole object, array, number or literal by any JSON value where it stands', () => {
    const values = new Map<string, unknown>([
      ['user.email', 'enc:v1:AAAA'],
      ['list[0]', { a: [1] }],
      ['list[1]', null],
      ['flag', 12],
    ]);
    expect(replaceValues(line, { values, keys: new Map() })).toBe('{"id": 1234567890123456789, "user": {"email": "enc:v1:AAAA", "n": 1.10}, "list": [ {"a":[1]}, null ], "flag": 12}');
  });

  it('gives the source text of values as written: digits JSON.parse would round, containers with their spacing', () => {
    expect(valueTexts(line, ['id', 'user.email', 'user.n', 'list[1].k', 'id'])).toEqual(
      new Map([
        ['id', '1234567890123456789'],
        ['user.email', '{"home": "a@b.org", "tags": ["x", "]"]}'],
        ['user.n', '1.10'],
        ['list[1].k', '"}"'],
      ]),
    );
    expect(valueTexts(line, ['user.missing'])).toBeUndefined();
    expect(valueTexts('{"a.b": 1, "c": 2}', ['c'])).toBeUndefined(); // a key paths cannot name apart
  });

  it('longIntegerTexts: the whole numbers JSON.parse may round, by path, as their written digits, in one pass', () => {
    const text = '{"id": 1234567890123456789, "n": 9007199254740993, "small": 42, "f": 12345678901234567.5, "a": [[1], {"b": -1234567890123456789}], "s": "1234567890123456789"}';
    expect(longIntegerTexts(text)).toEqual(new Map([['id', '1234567890123456789'], ['n', '9007199254740993'], ['a[1].b', '-1234567890123456789']]));
    expect(longIntegerTexts('{"v1.2": 1234567890123456789}')).toBeUndefined();
    // the digits of a whole number however written; fractions and other lengths are none
    const spellings = '{"a": 1234567890123456789.000, "b": 1.234567890123456789e18, "c": 12345678901234567890e-1, "d": -1.2345678901234567E+16, "e": 1.5e3, "f": 1e400, "g": 0.1234567890123456789e19, "h": 1234567890123456.7e2, "i": 1234567890123456.78e1, "j": 1234567890123456789000000000000000000000e-21, "k": 1e999999999, "l": 0.0e5}';
    expect(longIntegerTexts(spellings)).toEqual(new Map([['a', '1234567890123456789'], ['b', '1234567890123456789'], ['c', '1234567890123456789'], ['d', '-12345678901234567'], ['g', '1234567890123456789'], ['h', '123456789012345670'], ['j', '1234567890123456789']]));
  });
});

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
