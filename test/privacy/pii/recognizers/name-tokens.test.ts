import { describe, expect, it } from 'vitest';
import { NameFlag, type NameLexicon } from '../../../../src/privacy/pii/recognizers/name-lexicon.js';
import { infoAt } from '../../../../src/privacy/pii/recognizers/name-tokens.js';

const lexiconWith = (entries: Array<[string, number]>): NameLexicon => ({ flags: new Map(entries), placeNames: new Set(), cjkSurnames: [], cjkGivenNames: new Set() });

describe('infoAt', () => {
  it('reads a token from the lexicon it is given, not from one a cache was filled from before', () => {
    const text = 'Zorblax';
    const asFirstName = infoAt(text, 0, text.length, lexiconWith([['zorblax', NameFlag.First]]));
    const asPlace = infoAt(text, 0, text.length, lexiconWith([['zorblax', NameFlag.Place]]));
    expect(asFirstName.flags & NameFlag.First).toBeTruthy();
    expect(asPlace.flags & NameFlag.First).toBe(0);
    expect(asPlace.flags & NameFlag.Place).toBeTruthy();
  });
});
