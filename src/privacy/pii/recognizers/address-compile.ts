/**
 * V8 compiles a pattern to bytecode and interprets it at its first match, and compiles it again,
 * to machine code, at the next; but a text of 1,000 characters or more (V8's
 * JSRegExp::kTierUpForSubjectLengthValue) has it compiled to machine code at once. The large
 * patterns that nearly every text reaches are matched once against such a text when their module
 * loads, which skips the bytecode: in a new process the first 0.5 MB of prose then took 8 ms, and
 * the load 4 ms more, where the first 0.5 MB took 22 ms.
 */

const LONG_TEXT = ' '.repeat(1000);

/** `pattern`, compiled to machine code now. */
export function compiledNow(pattern: RegExp): RegExp {
  pattern.test(LONG_TEXT);
  pattern.lastIndex = 0;
  return pattern;
}
