import { stringTokenEnd } from './json-text.js';

/**
 * What a pipeline changes in one JSON record, by path in the form its walks name values
 * (`text`, `user.email`, `messages[2].content`): the new value at a path (any JSON value: a
 * redacted string, a ciphertext, a decrypted object), and the new name of a key (the path is
 * the key's own, as written: `contacts.carol@example.com`; paths below it keep the old key).
 */
export interface RecordChanges {
  values: ReadonlyMap<string, unknown>;
  keys: ReadonlyMap<string, string>;
}

/**
 * A JSON object's text with `changes` made where they stand (each new value written with
 * JSON.stringify over the old one, whatever it was; keys renamed); everything else stays as
 * written. So a changed record is written back as its own line: re-serialising the parsed
 * record changed what was not changed, as JSON.parse rounds integers past 2^53 (a 19-digit id
 * came back as another number), and `1.10`, key order, spacing and escapes came back rewritten.
 *
 * `text` must be JSON that JSON.parse accepted, with no key given twice in one object (the
 * pipelines refuse such lines). Undefined when paths cannot tell every value apart (an empty
 * key, or one holding `.`, `[` or `]`), or when a path has no value (no key, for a rename).
 */
export function replaceValues(text: string, changes: RecordChanges): string | undefined {
  let out = '';
  let copiedTo = 0;
  const replace = (start: number, end: number, written: string) => {
    out += text.slice(copiedTo, start) + written;
    copiedTo = end;
  };
  const met = walkPaths(text, pathTree(changes), {
    key: (step, start, end) => replace(start, end, JSON.stringify(step.rename)),
    value: (step, start, end) => replace(start, end, JSON.stringify(step.value)),
  });
  return met === changes.values.size + changes.keys.size ? out + text.slice(copiedTo) : undefined;
}

/**
 * The source text of the value at each of `paths`, as written (a number's digits before
 * JSON.parse rounds them, an object with its spacing); undefined as for replaceValues.
 */
export function valueTexts(text: string, paths: Iterable<string>): Map<string, string> | undefined {
  const wanted = [...new Set(paths)];
  const texts = new Map<string, string>();
  const root: PathStep = {};
  for (const path of wanted) stepAt(root, path).value = path;
  const met = walkPaths(text, root, { key: () => undefined, value: (step, start, end) => texts.set(step.value as string, text.slice(start, end)) });
  return met === wanted.length ? texts : undefined;
}

/**
 * The whole numbers of 16 to 19 digits in `text` (a JSON object) by path, as their digits as
 * written: those that JSON.parse may round (2^53 has 16 digits), however written
 * (`6250941006528599123`, `…123.0`, `6.250941006528599123e18`). One pass over the line, a path
 * built only for such a literal, so a line of thousands of them is read once rather than once
 * for each; undefined where paths cannot tell values apart (as for replaceValues).
 */
export function longIntegerTexts(text: string): Map<string, string> | undefined {
  // each frame knows the step that entered it and its parent: a path is built only for a literal found
  type Frame = { isObject: boolean; index: number; step: string; parent: Frame | undefined };
  const pathOf = (frame: Frame, step: string) => {
    const steps = [step];
    for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent) steps.push(f.step);
    return joinPath(steps.reverse());
  };
  const found = new Map<string, string>();
  const whole = walkMembers<Frame>(text, { isObject: true, index: 0, step: '', parent: undefined }, (frame, member) => {
    if (frame.isObject && isAmbiguousInPaths(member.key)) return undefined;
    const step = frame.isObject ? member.key : `[${frame.index++}]`;
    const code = text.charCodeAt(member.valueAt);
    if (code === OPEN_BRACE || code === OPEN_BRACKET) return { enter: { isObject: code === OPEN_BRACE, index: 0, step, parent: frame } };
    const end = valueEnd(text, member.valueAt);
    const digits = code === QUOTE ? undefined : longWholeNumberDigits(text.slice(member.valueAt, end));
    if (digits !== undefined) found.set(pathOf(frame, step), digits);
    return { passTo: end };
  });
  return whole ? found : undefined;
}

/** The digits, with any minus sign, of a JSON number literal that is a whole number of 16 to 19 digits; else undefined. */
function longWholeNumberDigits(literal: string): string | undefined {
  const parts = NUMBER_LITERAL.exec(literal);
  if (parts === null) return undefined; // true, false, null
  const [, sign, whole, fraction = '', exponent = '0'] = parts;
  const written = whole! + fraction;
  const point = whole!.length + Number(exponent); // digits before the decimal point
  const leadingZeros = /^0*/.exec(written)![0].length;
  if (point <= leadingZeros || point - leadingZeros > 19) return undefined; // below 1, or more digits than a card's
  if (/[1-9]/.test(written.slice(point))) return undefined; // a fraction
  const digits = (written.slice(0, point) + '0'.repeat(Math.max(0, point - written.length))).replace(/^0+(?=\d)/, '');
  return digits.length >= 16 && digits.length <= 19 ? sign + digits : undefined;
}

const NUMBER_LITERAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Steps as the walks name a path: `messages`, `[2]`, `content` -> `messages[2].content`. */
function joinPath(steps: readonly string[]): string {
  let path = '';
  for (const step of steps) path += step.startsWith('[') || path === '' ? step : `.${step}`;
  return path;
}

/**
 * Walks `text` (a JSON object) along the paths of `tree`, calling `visit.key` for each key whose
 * step is renamed and `visit.value` for each value whose step has one (its token or whole
 * container, not walked into), in text order; gives how many it met, or undefined where paths
 * cannot tell values apart.
 *
 * Hand-written (json-text.ts says why). One pass, in text order; iterative, as a record nested
 * 10,000 deep is one line of 20 KB. The paths are followed as a tree of their steps, so only
 * keys on some path are looked up, each once: building every value's path and looking it up
 * hashed long paths again and again (a 316 KB line with a 16,000-character key took 3 s).
 */
function walkPaths(text: string, tree: PathStep, visit: { key: (step: PathStep, start: number, end: number) => void; value: (step: PathStep, start: number, end: number) => void }): number | undefined {
  // step: where this container stands on the paths (undefined: on none of them)
  type Frame = { step: PathStep | undefined; isObject: boolean; index: number };
  let met = 0;
  const whole = walkMembers<Frame>(text, { step: tree, isObject: true, index: 0 }, (frame, member) => {
    let step: PathStep | undefined;
    if (frame.isObject) {
      if (isAmbiguousInPaths(member.key)) return undefined;
      step = frame.step?.keys?.get(member.key);
      if (step?.rename !== undefined) {
        visit.key(step, member.keyStart, member.keyEnd);
        met++;
      }
    } else step = frame.step?.items?.get(frame.index++);
    const code = text.charCodeAt(member.valueAt);
    if (step?.value !== undefined) {
      const end = valueEnd(text, member.valueAt);
      visit.value(step, member.valueAt, end);
      met++;
      return { passTo: end };
    }
    if (code === OPEN_BRACE || code === OPEN_BRACKET) return { enter: { step, isObject: code === OPEN_BRACE, index: 0 } };
    return { passTo: valueEnd(text, member.valueAt) };
  });
  return whole ? met : undefined;
}

/** A member as nextMember finds it: for an object, its key's token and the key decoded; where its value starts. */
interface Member {
  keyStart: number;
  keyEnd: number;
  key: string;
  valueAt: number;
}

/**
 * Walks the members of the JSON object `text` depth first, in text order, from `root`, the
 * object's frame: `visit` says for each member whether to walk into its value (an object or
 * array, with the frame it gets), or where the walk goes on past it, or to stop (undefined,
 * which the walk then gives as false). Iterative, as a record nested 10,000 deep is one line.
 */
function walkMembers<F extends { isObject: boolean }>(text: string, root: F, visit: (frame: F, member: Member) => { enter: F } | { passTo: number } | undefined): boolean {
  let at = skipBlanks(text, 0);
  if (text.charCodeAt(at) !== OPEN_BRACE) return false;
  const stack: F[] = [root];
  at++;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const member = nextMember(text, at, frame.isObject);
    if (member === CONTAINER_END) {
      stack.pop();
      at = skipBlanks(text, at) + 1;
      continue;
    }
    const next = visit(frame, member);
    if (next === undefined) return false;
    if ('enter' in next) {
      stack.push(next.enter);
      at = member.valueAt + 1;
    } else at = next.passTo;
  }
  return true;
}

/** What nextMember finds at the end of a container. */
const CONTAINER_END = Symbol('container end');

/**
 * From `at` inside a container (just after its opening or a member's value): CONTAINER_END at
 * its closing bracket, else its next member: for an object the key's token (start, end) and
 * the key decoded, and where the member's value starts.
 */
function nextMember(text: string, at: number, isObject: boolean): typeof CONTAINER_END | Member {
  at = skipBlanks(text, at);
  let code = text.charCodeAt(at);
  if (code === CLOSE_BRACE || code === CLOSE_BRACKET) return CONTAINER_END;
  if (code === COMMA) {
    at = skipBlanks(text, at + 1);
    code = text.charCodeAt(at);
  }
  if (!isObject) return { keyStart: at, keyEnd: at, key: '', valueAt: at };
  const keyEnd = stringTokenEnd(text, at);
  return { keyStart: at, keyEnd, key: keyText(text, at, keyEnd), valueAt: skipBlanks(text, skipBlanks(text, keyEnd) + 1) }; // past the colon
}

/** Past the value starting at `at`: a string, an object or array whole, or a number or literal. */
function valueEnd(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return code === QUOTE ? stringTokenEnd(text, at) : code === OPEN_BRACE || code === OPEN_BRACKET ? containerEnd(text, at) : scalarEnd(text, at);
}

/** One step of the paths: the new value where a value's path ends here, the new name where a key's does, and the steps on by key or array index. */
interface PathStep {
  value?: unknown;
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

/** Past the object or array opening at `at`. */
function containerEnd(text: string, at: number): number {
  let depth = 0;
  for (;;) {
    const code = text.charCodeAt(at);
    if (Number.isNaN(code)) return at;
    if (code === QUOTE) {
      at = stringTokenEnd(text, at);
      continue;
    }
    if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
    else if ((code === CLOSE_BRACE || code === CLOSE_BRACKET) && --depth === 0) return at + 1;
    at++;
  }
}

/** Past a number, `true`, `false` or `null`. */
function scalarEnd(text: string, at: number): number {
  for (;;) {
    const code = text.charCodeAt(at);
    if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || Number.isNaN(code)) return at;
    at++;
  }
}
