import { invalidInput } from '../core/errors.js';
import type { AttributeValue, Attributes } from './model.js';

/**
 * Request attributes as CEL values, converted once per request (not once per policy).
 *
 * JSON has one number type, CEL two: a number without a fractional part is a CEL `int` (BigInt
 * in cel-js), any other a `double`. So `classification_level: 3` compares as an int, as the
 * seed's policies expect. Strings stay strings: only `context.time` becomes a timestamp.
 *
 * Lists without numbers are used as they are, not copied: a decision is synchronous, so the
 * caller cannot change them while the conditions read them. Maps are always built afresh, key by
 * key: copying with spread and then replacing numbers by BigInts changes field representations
 * and measured 15 times slower.
 */

/** Deeper nesting is refused: attributes are records, not documents, and recursion is bounded. */
const MAX_DEPTH = 32;
/** Small ints as BigInts made once: levels, counts and flags are small, and BigInts are allocations. */
const SMALL_INTS = Array.from({ length: 1025 }, (_, i) => BigInt(i));

export type CelValue = string | bigint | number | boolean | null | readonly CelValue[] | CelMap;
export interface CelMap {
  [key: string]: CelValue | Date;
}

/** A fresh map of `attributes` as CEL values (the caller adds the reserved keys after). */
export function celMapOf(attributes: Attributes | undefined, what: string): CelMap {
  if (attributes === undefined || attributes === null) return {};
  if (typeof attributes !== 'object' || Array.isArray(attributes)) throw invalidInput(`${what} must be an object of attributes`);
  return mapOf(attributes, 0, what);
}

function mapOf(attributes: Record<string, AttributeValue>, depth: number, what: string): CelMap {
  const out: CelMap = {};
  const keys = Object.keys(attributes);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = celValueOf(attributes[key] as AttributeValue, depth + 1, what);
    // Assignment would set the prototype for `__proto__` (a JSON.parse'd own key): define it instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

function celValueOf(value: AttributeValue, depth: number, what: string): CelValue {
  if (typeof value === 'number') return Number.isInteger(value) ? (value >= 0 && value <= 1024 ? (SMALL_INTS[value] as bigint) : BigInt(value)) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) throw invalidInput(`${what}: attributes nest deeper than ${MAX_DEPTH}`);
  if (!Array.isArray(value)) return mapOf(value, depth, what);
  let copy: CelValue[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item = value[i] as AttributeValue;
    const converted = celValueOf(item, depth + 1, what);
    if (converted !== item) (copy ??= value.slice() as CelValue[])[i] = converted;
  }
  return copy ?? (value as CelValue[]);
}
