import { describe, expect, it } from 'vitest';
import { isTrivialSequence } from '../../../src/identity/passwords/trivial-sequence.js';

const trivial = (s: string) => isTrivialSequence([...s]);

describe('isTrivialSequence', () => {
  it.each([
    ['one character repeated', 'aaaaaaaa'],
    ['counting up', '12345678'],
    ['counting down', 'hgfedcba'],
    ['two runs', '1234abcd'],
    ['repeat runs', 'aaaabbbb'],
    ['keyboard row', 'qwertyuiop'],
    ['keyboard row backwards', 'poiuytrewq'],
    ['digit row through 0', '567890-='],
    ['short unit repeated', 'abababab'],
    ['four-character unit twice', 'passpass'],
    ['longer unit three times', 'hunter2hunter2hunter2'],
    ['non-ASCII run', 'αβγδεζηθ'],
  ])('finds %s (%j)', (_what, pw) => {
    expect(trivial(pw)).toBe(true);
  });

  it.each([
    ['a run with one odd character', '1234x5678'],
    ['runs shorter than 3', 'aabbccdd'],
    ['a longer unit only twice', 'correcthorsecorrecthorse'],
    ['ordinary text', 'ghost42-lemon'],
    ['too short to be a run', 'ab'],
  ])('passes %s (%j)', (_what, pw) => {
    expect(trivial(pw)).toBe(false);
  });
});
