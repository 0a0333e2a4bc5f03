import { stringTokenEnd } from '../../core/json-text.js';

/**
 * What a redaction changes in one record: by path as the redaction walks name it (`text`,
 * `user.email`, `messages[2].content`), the new string of a value (a string, or a number
 * scanned as its digits), and the new name of a key that held personal data (the path is the
 * key's own, as written: `contacts.carol@example.com`; paths below it keep the old key).
 */
export interface RecordChanges {
  values: ReadonlyMap<string, string>;
  keys: ReadonlyMap<string, string>;
}

/**
 * A JSON object's text with `changes` made where they stand (values replaced by strings, keys
 * renamed); everything else stays as written. So a redacted record is written back as its own line: re-serialising the
 * parsed record changed what it did not redact, as JSON.parse rounds integers past 2^53 (a
 * 19-digit id came back as another number), and `1.10`, key order, spacing and escapes came
 * back rewritten.
 *
 * `text` must be JSON that JSON.parse accepted, with no key given twice in one object (recordAt
 * refuses such lines). Undefined when paths cannot tell every value apart (an empty key, or one
 * holding `.`, `[` or `]`), or when a path has no string or number value (no key, for a rename).
 *
 * Hand-written (json-text.ts says why). One pass, in text order, writing as it goes;
 * iterative, as a record nested 10,000 deep is one line of 20 KB. The paths are followed as a
 * tree of their steps, so only keys on some path are looked up, each once: building every
 * value's path and looking it up hashed long paths again and again (a 316 KB line with a
 * 16,000-character key took 3 s).
 */
export function replaceValues(text: string, changes: RecordChanges): string | undefined {
  // step: where this container stands on the replaced paths (undefined: on none of them)
  type Frame = { step: PathStep | undefined; isObject: boolean; index: number };
  const stack: Frame[] = [];
  let out = '';
  let copiedTo = 0;
  let replaced = 0;
  let at = skipBlanks(text, 0);
  if (text.charCodeAt(at) !== OPEN_BRACE) return undefined;
  stack.push({ step: pathTree(changes), isObject: true, index: 0 });
  at++;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    at = skipBlanks(text, at);
    let code = text.charCodeAt(at);
    if (code === COMMA) {
      at = skipBlanks(text, at + 1);
      code = text.charCodeAt(at);
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      stack.pop();
      at++;
      continue;
    }
    let step: PathStep | undefined;
    if (frame.isObject) {
      const keyEnd = stringTokenEnd(text, at);
      const key = keyText(text, at, keyEnd);
      if (isAmbiguousInPaths(key)) return undefined;
      step = frame.step?.keys?.get(key);
      if (step?.rename !== undefined) {
        out += text.slice(copiedTo, at) + JSON.stringify(step.rename);
        copiedTo = keyEnd;
        replaced++;
      }
      at = skipBlanks(text, skipBlanks(text, keyEnd) + 1); // past the colon
      code = text.charCodeAt(at);
    } else step = frame.step?.items?.get(frame.index++);
    if (code === QUOTE) {
      const end = stringTokenEnd(text, at);
      if (step?.value !== undefined) {
        out += text.slice(copiedTo, at) + JSON.stringify(step.value);
        copiedTo = end;
        replaced++;
      }
      at = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      stack.push({ step, isObject: code === OPEN_BRACE, index: 0 });
      at++;
    } else {
      const end = scalarEnd(text, at);
      if (step?.value !== undefined) {
        out += text.slice(copiedTo, at) + JSON.stringify(step.value);
        copiedTo = end;
        replaced++;
      }
      at = end;
    }
  }
  return replaced === changes.values.size + changes.keys.size ? out + text.slice(copiedTo) : undefined;
}

/** One step of the changed paths: the new string where a value's path ends here, the new name where a key's does, and the steps on by key or array index. */
interface PathStep {
  value?: string;
  rename?: string;
  keys?: Map<string, PathStep>;
  items?: Map<number, PathStep>;
}

function pathTree(changes: RecordChanges): PathStep {
  const root: PathStep = {};
  for (const [path, value] of changes.values) stepAt(root, path).value = value;
  for (const [path, name] of changes.keys) stepAt(root, path).rename = name;
  return root;
}

/** The step `path` ends at, added with the steps to it where missing. */
function stepAt(root: PathStep, path: string): PathStep {
  // the steps of the walks' path form: `messages`, then `[2]`, then `content` (keys hold no `.`, `[` or `]`)
  let step = root;
  for (let at = 0; at < path.length; ) {
    if (path.charCodeAt(at) === OPEN_BRACKET) {
      const close = path.indexOf(']', at);
      const index = Number(path.slice(at + 1, close));
      step.items ??= new Map();
      let next = step.items.get(index);
      if (next === undefined) step.items.set(index, (next = {}));
      step = next;
      at = close + 1;
    } else {
      if (path.charCodeAt(at) === DOT) at++;
      let end = at;
      while (end < path.length && path.charCodeAt(end) !== DOT && path.charCodeAt(end) !== OPEN_BRACKET) end++;
      const key = path.slice(at, end);
      step.keys ??= new Map();
      let next = step.keys.get(key);
      if (next === undefined) step.keys.set(key, (next = {}));
      step = next;
      at = end;
    }
  }
  return step;
}

const QUOTE = 0x22;
const DOT = 0x2e;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function skipBlanks(text: string, at: number): number {
  for (;;) {
    const code = text.charCodeAt(at);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return at;
    at++;
  }
}

/** The key a string token names, its escapes decoded ("\u0074ext" is `text`). */
function keyText(text: string, start: number, end: number): string {
  const inner = text.slice(start + 1, end - 1);
  return inner.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : inner;
}

/** A key the walks' path strings cannot name apart from others: empty ("" then "b" is named as "b"), or holding `.`, `[` or `]`. */
function isAmbiguousInPaths(key: string): boolean {
  return key === '' || key.includes('.') || key.includes('[') || key.includes(']');
}

/** Past a number, `true`, `false` or `null`. */
function scalarEnd(text: string, at: number): number {
  for (;;) {
    const code = text.charCodeAt(at);
    if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || Number.isNaN(code)) return at;
    at++;
  }
}
