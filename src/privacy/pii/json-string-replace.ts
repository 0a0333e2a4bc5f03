import { stringTokenEnd } from '../../core/json-text.js';

/**
 * A JSON object's text with the string values at some paths replaced where they stand, each path
 * as the redaction walks name it (`text`, `user.email`, `messages[2].content`); everything else
 * stays as written. So a redacted record is written back as its own line: re-serialising the
 * parsed record changed what it did not redact, as JSON.parse rounds integers past 2^53 (a
 * 19-digit id came back as another number), and `1.10`, key order, spacing and escapes came
 * back rewritten.
 *
 * `text` must be JSON that JSON.parse accepted. Undefined when paths cannot tell every value
 * apart (a key holding `.`, `[` or `]`, or a key given twice in one object, which JSON.parse
 * keeps only the last of: the line would keep both, and the first was never scanned), or when a
 * path has no string value.
 *
 * Hand-written (json-text.ts says why). One pass, in text order, writing as it goes;
 * iterative, as a record nested 10,000 deep is one line of 20 KB.
 */
export function replaceStringValues(text: string, replacements: ReadonlyMap<string, string>): string | undefined {
  // keys: the object's keys so far (null for an array)
  type Frame = { path: string; keys: ObjectKeys | null; index: number };
  const stack: Frame[] = [];
  let out = '';
  let copiedTo = 0;
  let replaced = 0;
  // Paths longer than every path replaced are not looked up: a Map hashes a key in time of its
  // length, and a line of 100,000 strings under one 16,000-character key took 3 s.
  let longestPath = 0;
  for (const path of replacements.keys()) longestPath = Math.max(longestPath, path.length);
  let at = skipBlanks(text, 0);
  if (text.charCodeAt(at) !== OPEN_BRACE) return undefined;
  stack.push({ path: '', keys: new ObjectKeys(), index: 0 });
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
    let path: string;
    if (frame.keys !== null) {
      const keyEnd = stringTokenEnd(text, at);
      const key = keyText(text, at, keyEnd);
      if (hasPathCharacter(key) || !frame.keys.isNew(key)) return undefined;
      path = frame.path === '' ? key : `${frame.path}.${key}`;
      at = skipBlanks(text, skipBlanks(text, keyEnd) + 1); // past the colon
      code = text.charCodeAt(at);
    } else path = `${frame.path}[${frame.index++}]`;
    if (code === QUOTE) {
      const end = stringTokenEnd(text, at);
      const replacement = path.length <= longestPath ? replacements.get(path) : undefined;
      if (replacement !== undefined) {
        out += text.slice(copiedTo, at) + JSON.stringify(replacement);
        copiedTo = end;
        replaced++;
      }
      at = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      stack.push({ path, keys: code === OPEN_BRACE ? new ObjectKeys() : null, index: 0 });
      at++;
    } else at = scalarEnd(text, at);
  }
  return replaced === replacements.size ? out + text.slice(copiedTo) : undefined;
}

/** One object's keys so far, to refuse a key given twice: a list while short (records' objects have a few keys, where a Set each cost more), a Set past SHORT_OBJECT so that a huge object stays linear. */
class ObjectKeys {
  #keys: string[] | Set<string> = [];

  /** Adds `key`; false if it was there. */
  isNew(key: string): boolean {
    const keys = this.#keys;
    if (Array.isArray(keys)) {
      if (keys.includes(key)) return false;
      keys.push(key);
      if (keys.length > SHORT_OBJECT) this.#keys = new Set(keys);
      return true;
    }
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  }
}
const SHORT_OBJECT = 16;

const QUOTE = 0x22;
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

function hasPathCharacter(key: string): boolean {
  return key.includes('.') || key.includes('[') || key.includes(']');
}

/** Past a number, `true`, `false` or `null`. */
function scalarEnd(text: string, at: number): number {
  for (;;) {
    const code = text.charCodeAt(at);
    if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || Number.isNaN(code)) return at;
    at++;
  }
}
