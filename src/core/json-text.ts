/**
 * Reading JSON text that JSON.parse accepted, where the parsed value does not tell enough:
 * where string tokens end, how many there are, which number literals a parse rounds.
 * Hand-written because no JSON parser for JavaScript reports source positions or the source
 * text of numbers, and JSON.parse's reviver gets the latter only from V8 11.4 (Node 21).
 */

/** Past the closing quote of the string token opening at `at`: the first quote after it not escaped by an odd run of backslashes. */
export function stringTokenEnd(text: string, at: number): number {
  for (let quote = text.indexOf('"', at + 1); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
  }
  return text.length;
}

/** The string tokens of `text`, keys and values. */
export function stringTokenCount(text: string): number {
  let count = 0;
  for (let at = text.indexOf('"'); at !== -1; at = text.indexOf('"', stringTokenEnd(text, at))) count++;
  return count;
}

/**
 * How many significant digits the first number literal in `text` that JavaScript cannot hold
 * exactly has; undefined when every one is exact. JSON.parse rounds such a literal to the nearest
 * double, so a record parsed and written back would carry another number (a 19-digit id
 * `1234567890123456789` comes back as `1234567890123456800`): a pipeline that re-serialises
 * records refuses such a line rather than change it silently. Never the number itself: it may be
 * personal data.
 */
export function inexactNumberDigits(text: string): number | undefined {
  for (let at = 0; at < text.length; ) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      at = stringTokenEnd(text, at);
    } else if (code === MINUS || (code >= DIGIT_0 && code <= DIGIT_9)) {
      let end = at + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      const literal = text.slice(at, end);
      if (!isExact(literal)) return significantDigits(literal).length;
      at = end;
    } else at++;
  }
  return undefined;
}

/**
 * Whether the double JSON.parse makes of `literal` is the number it writes. Up to 15 significant
 * digits every decimal survives a double and back; past that, an integer is compared exactly
 * (BigInt), any other number by its digits against the shortest form that reads back as the
 * same double.
 */
function isExact(literal: string): boolean {
  const digits = significantDigits(literal);
  if (digits.length <= 15) return true;
  const value = Number(literal);
  if (/^-?\d+$/.test(literal)) return BigInt(literal) === BigInt(value);
  return significantDigits(String(value)) === digits;
}

/** The literal's digits from the first non-zero one to the last non-zero one, without sign, point or exponent. */
function significantDigits(literal: string): string {
  const mantissa = literal.replace(/^-/, '').replace(/[eE].*$/, '').replace('.', '');
  return mantissa.replace(/^0+/, '').replace(/0+$/, '');
}

function isNumberChar(code: number): boolean {
  return (code >= DIGIT_0 && code <= DIGIT_9) || code === 0x2e || code === 0x65 || code === 0x45 || code === 0x2b || code === MINUS;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
