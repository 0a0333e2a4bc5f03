import { describe, expect, it } from 'vitest';
import { longIntegerTexts, replaceValues, valueTexts } from '../../src/core/json-value-replace.js';

/** The parts field encryption needs beyond PII redaction's strings (test/privacy/pii/json-value-replace.test.ts has those). */
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

  it('longIntegerTexts: the integer literals JSON.parse may round, by path, as written, in one pass', () => {
    const text = '{"id": 1234567890123456789, "n": 9007199254740993, "small": 42, "f": 12345678901234567.5, "a": [[1], {"b": -1234567890123456789}], "s": "1234567890123456789"}';
    expect(longIntegerTexts(text)).toEqual(new Map([['id', '1234567890123456789'], ['n', '9007199254740993'], ['a[1].b', '-1234567890123456789']]));
    expect(longIntegerTexts('{"v1.2": 1234567890123456789}')).toBeUndefined();
  });
});
