import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { pipeline, Transform, type Readable } from 'node:stream';
import { invalidInput } from './errors.js';

/**
 * A file's bytes passed on unchanged once checked to be UTF-8; the first that are not fail the
 * stream, naming their line ("line 3: is not valid UTF-8; no output was written"), for jobs that
 * write nothing on failure. Readers (csv-parse, readline) decode what they are given leniently,
 * each bad byte becoming U+FFFD: a data set's values would change silently, and a redacted or
 * filtered output would no longer be the input it claims to be.
 *
 * Each chunk is checked up to its last whole character; the bytes of one cut off at its end (at
 * most three) are held back and checked with the next chunk, so a character split between
 * chunks is neither refused nor passed on in halves.
 */
export function strictUtf8(): Transform {
  let held = Buffer.alloc(0);
  // Newlines passed on so far: the line of a bad byte is this plus its line within the chunk.
  let lines = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const bytes = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
      const whole = bytes.subarray(0, wholeCharacters(bytes));
      if (!isUtf8(whole)) return done(notUtf8(lines + firstNonUtf8Line(whole) + 1));
      lines += newlines(whole);
      held = Buffer.from(bytes.subarray(whole.length)); // a copy: the chunk's buffer is passed on
      done(null, whole.length > 0 ? whole : undefined);
    },
    flush(done) {
      // a character begun and never finished, at the end of the file
      done(held.length > 0 ? notUtf8(lines + 1) : null);
    },
  });
}

/**
 * The bytes of the file at `path` (or of `source`, a stream of them), failing at the first line
 * that is not UTF-8 (strictUtf8): what readline and csv-parse read through it never holds a
 * U+FFFD they made up. The failure reaches the reader, as the stream's error.
 */
export function utf8Bytes(source: string | Readable): Readable {
  return pipeline(typeof source === 'string' ? createReadStream(source) : source, strictUtf8(), () => undefined);
}

/**
 * The index (0-based) of the first line of `bytes` that is not UTF-8; `bytes` as a whole is
 * not. Lines are cut at LF, which is never part of a multi-byte character, so each line is
 * valid or not on its own.
 */
export function firstNonUtf8Line(bytes: Buffer): number {
  let line = 0;
  for (let start = 0; ; line++) {
    const end = bytes.indexOf(LF, start);
    if (!isUtf8(bytes.subarray(start, end < 0 ? bytes.length : end)) || end < 0) return line;
    start = end + 1;
  }
}

function notUtf8(line: number): Error {
  return invalidInput(`line ${line}: is not valid UTF-8; no output was written`, { line });
}

/**
 * The length of `bytes` without a character cut off at its end: the last lead byte among the
 * final three, when its character needs more bytes than follow it. Anything else (ASCII, a
 * stray continuation byte, a byte no UTF-8 holds) is left for isUtf8 to judge.
 */
function wholeCharacters(bytes: Buffer): number {
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 3); i--) {
    const byte = bytes[i]!;
    if (byte < 0x80) return bytes.length;
    if (byte >= 0xc0) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return bytes.length - i < length ? i : bytes.length;
    }
  }
  return bytes.length;
}

function newlines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(LF); at >= 0; at = bytes.indexOf(LF, at + 1)) count++;
  return count;
}

const LF = 0x0a;
