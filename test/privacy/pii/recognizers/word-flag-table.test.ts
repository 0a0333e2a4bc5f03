import { describe, expect, it } from 'vitest';
import { WordFlagTable } from '../../../../src/privacy/pii/recognizers/word-flag-table.js';

describe('WordFlagTable', () => {
  it('finds every word of every list with its bits, and nothing else', () => {
    const table = new WordFlagTable([[1, 'ann\nanna\nbob'], [6, 'annabel\nzoë\n欧阳'], [3, '']], '\n');
    expect(table.size).toBe(6);
    expect(['ann', 'anna', 'bob', 'annabel', 'zoë', '欧阳'].map((w) => table.get(w))).toEqual([1, 1, 1, 6, 6, 6]);
    // Prefixes, extensions and the separator itself are not words.
    for (const absent of ['an', 'annab', 'bobby', 'zoe', '欧', '', '\n', 'ann\nanna']) expect(table.get(absent)).toBeUndefined();
  });

  it('holds many words whose hashes collide in a small table', () => {
    const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
    const table = new WordFlagTable([[2, words.slice(0, 2500).join(',')], [5, words.slice(2500).join(',')]], ',');
    expect(words.every((w, i) => table.get(w) === (i < 2500 ? 2 : 5))).toBe(true);
    expect(table.get('w' + (5000).toString(36))).toBeUndefined();
  });

  it('refuses a word listed twice and bits that do not fit a byte', () => {
    expect(() => new WordFlagTable([[1, 'ann\nbob'], [2, 'bob']], '\n')).toThrow(/"bob" is listed twice/);
    expect(() => new WordFlagTable([[256, 'ann']], '\n')).toThrow(/0\.\.255/);
  });
});
