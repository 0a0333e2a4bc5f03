/** Where a string value's token stands in a line: from its opening quote to past its closing one. */
export interface StringSpan {
  start: number;
  end: number;
}

/**
 * Where each string value of a JSON object's text stands, by its path as the redaction walks
 * name it (`text`, `user.email`, `messages[2].content`), so that a redacted record is written
 * back as its own line with only those strings replaced. Re-serialising the parsed record
 * changed what it did not redact: JSON.parse rounds integers past 2^53 (a 19-digit id came back
 * as another number), and `1.10`, key order, spacing and escapes came back rewritten.
 *
 * `text` must be JSON that JSON.parse accepted. Undefined when paths cannot tell every value
 * apart: a key holding `.`, `[` or `]`, or a key given twice in one object, which JSON.parse
 * keeps only the last of (the line would keep both, and the first was never scanned).
 *
 * Hand-written because no JSON parser for JavaScript reports source positions of values, and
 * JSON.parse's reviver gets them only from V8 11.4 (Node 21). Iterative: a record nested
 * 10,000 deep is one line of 20 KB.
 */
export function stringValueSpans(text: string): Map<string, StringSpan> | undefined {
  const spans = new Map<string, StringSpan>();
  type Frame = { path: string; keys: Set<string> | null; index: number };
  const stack: Frame[] = [];
  let at = skipBlanks(text, 0);
  if (text.charCodeAt(at) !== OPEN_BRACE) return undefined;
  stack.push({ path: '', keys: new Set(), index: 0 });
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
      const keyEnd = stringEnd(text, at);
      const key = keyText(text, at, keyEnd);
      if (frame.keys.has(key) || hasPathCharacter(key)) return undefined;
      frame.keys.add(key);
      path = frame.path === '' ? key : `${frame.path}.${key}`;
      at = skipBlanks(text, skipBlanks(text, keyEnd) + 1); // past the colon
      code = text.charCodeAt(at);
    } else path = `${frame.path}[${frame.index++}]`;
    if (code === QUOTE) {
      const end = stringEnd(text, at);
      spans.set(path, { start: at, end });
      at = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      stack.push({ path, keys: code === OPEN_BRACE ? new Set() : null, index: 0 });
      at++;
    } else at = scalarEnd(text, at);
  }
  return spans;
}

/** `text` with the string values at `replacements`' paths replaced by the new strings, or undefined when a path has no string in `spans`. */
export function withStringsReplaced(text: string, spans: ReadonlyMap<string, StringSpan>, replacements: ReadonlyMap<string, string>): string | undefined {
  const edits: Array<{ span: StringSpan; value: string }> = [];
  for (const [path, value] of replacements) {
    const span = spans.get(path);
    if (span === undefined) return undefined;
    edits.push({ span, value });
  }
  edits.sort((a, b) => a.span.start - b.span.start);
  let out = '';
  let from = 0;
  for (const { span, value } of edits) {
    out += text.slice(from, span.start) + JSON.stringify(value);
    from = span.end;
  }
  return out + text.slice(from);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
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

/** Past the closing quote of the string token opening at `at`: the first quote after it not escaped by an odd run of backslashes. */
function stringEnd(text: string, at: number): number {
  for (let quote = text.indexOf('"', at + 1); ; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
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
