import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildNameLexicon, nameLexiconModule } from '../../../../src/privacy/pii/recognizers/name-lexicon-build.js';
import { NameFlag, nameLexicon } from '../../../../src/privacy/pii/recognizers/name-lexicon.js';

const DATA_FILE = new URL('../../../../src/privacy/pii/recognizers/name-lexicon-data.ts', import.meta.url);

describe('the compiled name lexicon', () => {
  const built = buildNameLexicon();

  it('is what its sources build today (run `npm run build:name-lexicon` after changing a list or faker)', () => {
    expect(readFileSync(DATA_FILE, 'utf8')).toBe(nameLexiconModule(built));
  });

  it('decodes to the same words, flags, places and CJK names as the build', () => {
    const decoded = nameLexicon();
    expect(decoded.flags.size).toBe(built.flags.size);
    for (const [word, bits] of built.flags) if (decoded.flags.get(word) !== bits) expect.unreachable(`${word}: ${decoded.flags.get(word)} != ${bits}`);
    expect([...decoded.placeNames].sort()).toEqual([...built.placeNames].sort());
    expect(decoded.cjkSurnames).toEqual(built.cjkSurnames);
    expect([...decoded.cjkGivenNames].sort()).toEqual([...built.cjkGivenNames].sort());
  });

  it('holds names of many scripts, with their transliterations', () => {
    const { flags, cjkSurnames } = nameLexicon();
    expect(flags.get('maria')! & NameFlag.First).toBeTruthy();
    expect(flags.get('иванов')! & NameFlag.Surname).toBeTruthy();
    expect(flags.get('ivanov')! & NameFlag.Surname).toBeTruthy(); // from the Cyrillic
    expect(flags.get('zhang')! & NameFlag.EastAsianSurname).toBeTruthy();
    expect(cjkSurnames).toContain('欧阳');
    expect(cjkSurnames.every((name, i) => i === 0 || name.length <= cjkSurnames[i - 1]!.length)).toBe(true); // longest first
  });

  it('marks frequent English words that no name list holds, and leaves names that are words as names', () => {
    const { flags } = nameLexicon();
    for (const word of ['cost', 'harvesting', 'persistence', 'defense', 'defence']) expect(flags.get(word)! & NameFlag.EnglishWord, word).toBeTruthy();
    for (const word of ['jane', 'grant', 'hunter', 'rose']) {
      expect(flags.get(word)! & NameFlag.EnglishWord, word).toBe(0);
      expect(flags.get(word)! & (NameFlag.First | NameFlag.Surname), word).toBeTruthy();
    }
  });
});
