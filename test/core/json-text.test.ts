import { describe, expect, it } from 'vitest';
import { inexactNumberDigits, stringTokenCount, stringTokenEnd } from '../../src/core/json-text.js';

describe('json-text', () => {
  it('ends a string token at the first quote not escaped by an odd run of backslashes', () => {
    const text = String.raw`{"a \"b\" \\": "\\\"", "c": 1}`;
    expect(JSON.parse(text)).toEqual({ 'a "b" \\': '\\"', c: 1 });
    expect(text.slice(1, stringTokenEnd(text, 1))).toBe(String.raw`"a \"b\" \\"`);
    expect(stringTokenCount(text)).toBe(3);
    expect(stringTokenCount('{"k": [1, {"x": ["\\u0022", ""]}]}')).toBe(4);
  });

  it('finds the number literals JSON.parse rounds, and only those', () => {
    const exact = ['0', '-0', '12', '9007199254740991', '-9007199254740992', '1.10', '1E5', '1e+21', '1000000000000000000000', '0.1', '3.141592653589793', '123456789012345.0', '0.000001234567890123456', '1.7976931348623157e308'];
    for (const n of exact) expect(inexactNumberDigits(`{"n": ${n}, "s": "1234567890123456789"}`), n).toBeUndefined();
    expect(inexactNumberDigits('{"id": 1234567890123456789}')).toBe(19);
    expect(inexactNumberDigits('{"a": [1, {"b": -9007199254740993}]}')).toBe(16);
    expect(inexactNumberDigits('{"pi": 3.14159265358979323846}')).toBe(21);
    expect(inexactNumberDigits('{"big": 12345678901234567890e-3}')).toBe(19); // the trailing zero is no significant digit
    expect(JSON.stringify(JSON.parse('{"id": 1234567890123456789}'))).toBe('{"id":1234567890123456800}'); // what a re-serialised record carried
  });
});
