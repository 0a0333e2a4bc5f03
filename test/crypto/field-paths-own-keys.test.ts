import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFieldPath, transformAt } from '../../src/crypto/field-paths.js';
import { redactDataset } from '../../src/privacy/pii/dataset-redaction.js';
import { tempFiles } from '../support/services.js';

const cleanups: Array<() => unknown> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** Every value at `path` replaced by `X`; how many were. */
const mark = (record: Record<string, unknown>, path: string) => transformAt(record, parseFieldPath(path), () => 'X');
const INHERITED = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', '__defineGetter__', 'isPrototypeOf'];

describe('field paths name own fields only', () => {
  it('a step named like an inherited property finds nothing in a record without that field', () => {
    for (const name of INHERITED) {
      const record: Record<string, unknown> = { text: 'hi', user: { email: 'a@example.com' }, items: [{ ssn: '1' }] };
      const before = structuredClone(record);
      expect(mark(record, name), name).toBe(0);
      expect(mark(record, `user.${name}`), name).toBe(0);
      expect(mark(record, `items[].${name}`), name).toBe(0);
      expect(mark(record, `${name}.prototype`), name).toBe(0);
      expect(record, name).toEqual(before);
      expect(Object.getPrototypeOf(record), name).toBe(Object.prototype);
    }
  });

  it('a record that does hold such a field (JSON can) has it replaced, and its prototype is untouched', () => {
    const record = JSON.parse('{"constructor": "alice@example.com", "__proto__": {"email": "bob@example.com"}, "toString": ["x"]}') as Record<string, unknown>;
    expect(mark(record, 'constructor')).toBe(1);
    expect(mark(record, '__proto__.email')).toBe(1);
    expect(mark(record, 'toString[]')).toBe(1);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(JSON.stringify(record)).toBe('{"constructor":"X","__proto__":{"email":"X"},"toString":["X"]}');
    // The whole own `__proto__` field replaced: defined, not assigned, so the prototype stays.
    expect(mark(record, '__proto__')).toBe(1);
    expect(Object.getOwnPropertyDescriptor(record, '__proto__')).toEqual({ value: 'X', writable: true, enumerable: true, configurable: true });
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(['constructor', '__proto__', 'toString']); // order kept
  });

  it('no path pollutes Object.prototype, whatever the record', () => {
    // With `in`, `__proto__.isPrototypeOf` walked into Object.prototype and overwrote its method.
    const paths = ['__proto__.polluted', '__proto__.isPrototypeOf', 'constructor.prototype.propertyIsEnumerable', '__proto__.__proto__.polluted', 'a.__proto__.toLocaleString', 'list[].__proto__.polluted', 'list[].__proto__'];
    const records = [{}, { a: {} }, { list: [{}, []] }, JSON.parse('{"__proto__": {}}'), JSON.parse('{"a": {"__proto__": {"polluted": 1}}}')];
    const before = Object.getOwnPropertyDescriptors(Object.prototype);
    for (const record of records) for (const path of paths) transformAt(record, parseFieldPath(path), () => 'polluted');
    expect(Object.getOwnPropertyDescriptors(Object.prototype)).toEqual(before);
    for (const record of records) expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('pii redaction with --field constructor reports the path no record has, instead of success', async () => {
    const path = tempFiles('field-own', cleanups);
    const input = path('in.jsonl', '{"text": "write to alice@example.com"}\n{"text": "nothing"}\n');
    const output = path('out.jsonl');
    const spec = { scan: { types: ['email' as const], threshold: 0.5 }, redaction: { method: 'masking' as const, preserveFormat: false } };
    for (const field of ['constructor', 'toString', '__proto__']) {
      await expect(redactDataset({ input, output, fields: [field], spec, workers: 0 }), field).rejects.toThrow(`no record has a value at the field path ${JSON.stringify(field)} (2 records read)`);
      expect(existsSync(output)).toBe(false);
    }
    await redactDataset({ input, output, fields: ['text'], spec, workers: 0 });
    expect(readFileSync(output, 'utf8')).not.toContain('alice@example.com');
  });
});
