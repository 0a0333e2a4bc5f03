import { invalidInput } from '../core/errors.js';

/**
 * Field paths name values inside a record: `user.email` (nested objects), `items[].ssn`
 * (every element of an array), `phone` (top level). Parsed once, then applied per record.
 * A step names an own field only: `constructor`, `toString` or `__proto__` match a record's
 * field of that name (JSON can hold one), never what objects inherit.
 */
export interface FieldPath {
  readonly text: string;
  readonly steps: ReadonlyArray<{ key: string; each: boolean }>;
}

const STEP = /^([A-Za-z0-9_$@:-]+)(\[\])?$/;

export function parseFieldPath(text: string): FieldPath {
  const parts = text.split('.');
  const steps = parts.map((part) => {
    const match = STEP.exec(part);
    if (!match) throw invalidInput(`field path "${text}": "${part}" is not a field name (use letters, digits, _ $ @ : -, and [] for every array element)`);
    return { key: match[1]!, each: match[2] !== undefined };
  });
  return { text, steps };
}

/**
 * Replace every value at `path` with `transform(value, concretePath)`, in place. The
 * concrete path names the exact position (`items[2].ssn`), so a value bound to it cannot be
 * moved to another element unnoticed. Missing fields are skipped; returns how many changed.
 */
export function transformAt(record: Record<string, unknown>, path: FieldPath, transform: (value: unknown, concretePath: string) => unknown): number {
  let changed = 0;
  const walk = (node: unknown, depth: number, trail: string): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    const step = path.steps[depth]!;
    const container = node as Record<string, unknown>;
    // Own properties only: `in` would match what every object inherits (`constructor`,
    // `toString`, `__proto__`), so `--field constructor` found "a value" in every record.
    if (!Object.hasOwn(container, step.key)) return;
    const here = trail === '' ? step.key : `${trail}.${step.key}`;
    const last = depth === path.steps.length - 1;
    const visit = (value: unknown, at: string, set: (v: unknown) => void) => {
      if (last) {
        if (value === undefined) return;
        set(transform(value, at));
        changed += 1;
      } else walk(value, depth + 1, at);
    };
    const value = container[step.key];
    if (step.each) {
      if (!Array.isArray(value)) return;
      value.forEach((element, i) => visit(element, `${here}[${i}]`, (v) => (value[i] = v)));
    } else visit(value, here, (v) => setOwn(container, step.key, v));
  };
  walk(record, 0, '');
  return changed;
}

/**
 * Replaces the own property `key` of `container`, defined rather than assigned: a record parsed
 * from JSON can hold an own `__proto__` field, and assigning `container['__proto__']` where that
 * field is not own would call Object.prototype's setter and change the object's prototype
 * (prototype pollution). Defining only ever touches the record's own data.
 */
function setOwn(container: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(container, key, { value, writable: true, enumerable: true, configurable: true });
}
