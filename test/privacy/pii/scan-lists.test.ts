import { describe, expect, it } from 'vitest';
import { EntityScanner } from '../../../src/privacy/pii/entity-scanner.js';
import { PIIDetector } from '../../../src/privacy/pii/pii-detector.js';
import { MAX_LIST_ENTRIES } from '../../../src/privacy/pii/scan-lists.js';

const found = (detector: PIIDetector, text: string) => detector.detect(text).map((f) => [f.type, text.slice(f.start, f.end), f.recognizer]);

describe('allow lists', () => {
  const text = 'Write to support@example.com or to jane.doe@example.org; card 4111 1111 1111 1111 is our documented test card.';

  it('leave out found values equal to an entry, and only those', () => {
    expect(found(new PIIDetector(), text).map(([type]) => type)).toEqual(['email', 'email', 'credit_card']);
    const detector = new PIIDetector({ allowList: ['support@example.com', '4111 1111 1111 1111'] });
    expect(found(detector, text)).toEqual([['email', 'jane.doe@example.org', 'email.rfc5322']]);
    // exact: another spelling of the card is still a card
    expect(found(detector, 'card 4111-1111-1111-1111').map(([type]) => type)).toEqual(['credit_card']);
  });

  it('with allowListMatch regex, leave out values an entry matches whole', () => {
    const detector = new PIIDetector({ allowList: ['[a-z.]+@example\\.com', '4111[ -]?1111[ -]?1111[ -]?1111'], allowListMatch: 'regex' });
    expect(found(detector, text)).toEqual([['email', 'jane.doe@example.org', 'email.rfc5322']]);
    expect(found(detector, 'mail support@example.com.evil.org').map(([, value]) => value)).toEqual(['support@example.com.evil.org']); // matched whole, not a prefix
  });

  it('refuse bad entries by index, and allowListMatch without a list', () => {
    expect(() => new PIIDetector({ allowList: ['ok', ''] })).toThrow(/allowList\[1\] is empty/);
    expect(() => new PIIDetector({ allowList: ['(unclosed'], allowListMatch: 'regex' })).toThrow(/allowList\[0\] is not a regular expression/);
    expect(() => new PIIDetector({ allowListMatch: 'regex' })).toThrow(/allowListMatch applies only with an allowList/);
    expect(() => new PIIDetector({ allowList: ['x'], allowListMatch: 'glob' as never })).toThrow(/allowListMatch: supported: exact, regex/);
  });
});

describe('deny lists', () => {
  const staff = ['Zorblax Quintavius', 'Ilse Vandermeer-Okafor'];

  it('find their entries as whole words, in any case and spacing, as their type at score 1', () => {
    const detector = new PIIDetector({ denyList: { person_name: staff, api_key: ['ACME-INT-4471'] } });
    const text = 'Ask ZORBLAX   quintavius or ilse vandermeer-okafor\nabout ACME-INT-4471, not ACME-INT-44710 or xZorblax Quintavius.';
    expect(found(detector, text)).toEqual([
      ['person_name', 'ZORBLAX   quintavius', 'person_name.deny_list'],
      ['person_name', 'ilse vandermeer-okafor', 'person_name.deny_list'],
      ['api_key', 'ACME-INT-4471', 'api_key.deny_list'],
    ]);
    expect(detector.detect(text).every((f) => f.score === 1)).toBe(true);
  });

  it('win over the built-in recognizers, the longest entry first, and pass any threshold', () => {
    const detector = new PIIDetector({ confidenceThreshold: 1, denyList: { person_name: ['Ada', 'Ada Quintavius Lovelace'] } });
    expect(found(detector, 'Signed, Ada Quintavius Lovelace and Ada.')).toEqual([
      ['person_name', 'Ada Quintavius Lovelace', 'person_name.deny_list'],
      ['person_name', 'Ada', 'person_name.deny_list'],
    ]);
  });

  it('find entries on the recognizers\' reading of the text: full-width forms too, at the original offsets', () => {
    const detector = new PIIDetector({ detectionTypes: ['api_key'], denyList: { api_key: ['ACME-INT-4471'] } });
    const text = '鍵：ＡＣＭＥ－ＩＮＴ－４４７１です';
    expect(found(detector, text)).toEqual([['api_key', 'ＡＣＭＥ－ＩＮＴ－４４７１', 'api_key.deny_list']]);
    // CJK text runs words together: its neighbours do not make a match part of a longer word
    const names = new PIIDetector({ detectionTypes: ['person_name'], denyList: { person_name: ['欧阳娜娜'] } });
    expect(found(names, '我是欧阳娜娜。')).toEqual([['person_name', '欧阳娜娜', 'person_name.deny_list']]);
  });

  it('refuse, naming entries by index only (they are personal data), what cannot be matched or contradicts the scan', () => {
    const refusal = (options: ConstructorParameters<typeof PIIDetector>[0]) => {
      try {
        new PIIDetector(options);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal({ denyList: { person_name: [...staff, '   '] } })).toMatch(/denyList\.person_name\[2\] is empty/);
    expect(refusal({ denyList: { person_name: ['--'] } })).toMatch(/denyList\.person_name\[0\] has no letter or digit/);
    expect(refusal({ denyList: { person_name: [`Zorblax ${'Q'.repeat(300)}`] } })).toMatch(/denyList\.person_name\[0\] is longer than 256 characters/);
    expect(refusal({ detectionTypes: ['email'], denyList: { person_name: staff } })).toMatch(/denyList\.person_name: person_name is not among the types looked for \(email\)/);
    expect(refusal({ allowList: [staff[1]!], denyList: { person_name: staff } })).toMatch(/denyList\.person_name\[1\] is also in the allowList/);
    expect(refusal({ denyList: { zip_code: ['12345'] } as never })).toMatch(/denyList: unknown key zip_code \(supported: email, phone/);
    expect(refusal({ denyList: { person_name: Array.from({ length: MAX_LIST_ENTRIES + 1 }, (_, i) => `n${i}`) } })).toMatch(/has 100001 entries; at most 100000/);
    const messages = [refusal({ denyList: { person_name: [...staff, ''] } }), refusal({ allowList: [staff[0]!], denyList: { person_name: staff } })];
    for (const message of messages) for (const name of staff) expect(message).not.toContain(name.split(' ')[0]);
  });

  it('stay out of settings, which get logged, while the allow list is shown', () => {
    const detector = new PIIDetector({ allowList: ['support@example.com'], denyList: { person_name: staff } });
    expect(JSON.stringify(detector.settings)).not.toContain('Zorblax');
    expect(detector.settings.allowList).toEqual(['support@example.com']);
  });

  it('match what stands around the words of an entry with any spacing, and whole words with their combining marks', () => {
    const detector = new PIIDetector({ detectionTypes: ['phone', 'person_name'], denyList: { phone: ['( 555 ) 0100'], person_name: ['राम', 'Ann Lee'] } });
    expect(found(detector, 'dial (  555 )\t0100, not (555) 0100').map(([, value]) => value)).toEqual(['(  555 )\t0100']); // white space may differ, not be missing
    expect(found(detector, 'रामा and राम')).toEqual([['person_name', 'राम', 'person_name.deny_list']]);
    expect(found(detector, 'Ann Leek, Ann  Lee.').filter(([, , recognizer]) => recognizer === 'person_name.deny_list')).toEqual([['person_name', 'Ann  Lee', 'person_name.deny_list']]);
  });

  it('follow the words of the entries, not the entries: 1,000 sharing their first 23 words cost no more than one', () => {
    // compared entry by entry from their first word, each "a" of the text compared 1,000 entries (30 s for 10,000 characters with longer ones)
    const entries = Array.from({ length: 1000 }, (_, i) => `${'a '.repeat(23)}z${i}`);
    const scanner = new EntityScanner({ types: ['person_name'], threshold: 0.5, denyList: { person_name: entries } });
    const text = `${'a '.repeat(20_000)}then ${'a '.repeat(23)}z999 end`;
    expect(scanner.scan(text).map((f) => text.slice(f.start, f.end))).toEqual([`${'a '.repeat(23)}z999`]);
    expect(() => new EntityScanner({ threshold: 0.5, denyList: { address: [Array.from({ length: 25 }, (_, i) => `w${i}`).join(' ')] } })).toThrow(
      /denyList\.address\[0\] has more than 24 words/,
    );
  });

  it('of all types are one matcher: a value listed under two types is refused, and where two types\' entries overlap the longer wins', () => {
    expect(() => new EntityScanner({ threshold: 0.5, denyList: { person_name: ['Ann Lee'], address: ['x', 'ANN  lee'] } })).toThrow(
      /denyList\.address\[1\] is also denyList\.person_name\[0\] \(matched alike, ignoring case and spacing\): a value is of one type/,
    );
    const scanner = new EntityScanner({ threshold: 0.5, denyList: { passport: ['Qx7731 Zorblax'], person_name: ['Zorblax Quintavius Vondrake', 'Ann Lee'], address: ['Lee Road 4'] } });
    const found = (text: string) => scanner.scan(text).map((f) => [f.type, text.slice(f.start, f.end), f.recognizer]);
    // the passport's entry starts first, the name's is longer: as with one matcher per type, the longer is kept
    expect(found('Ref Qx7731 Zorblax Quintavius Vondrake')).toEqual([['person_name', 'Zorblax Quintavius Vondrake', 'person_name.deny_list']]);
    expect(found('visit Ann Lee Road 4 today')).toEqual([['address', 'Lee Road 4', 'address.deny_list']]);
  });

  it('match 10,000 entries in one pass over the text (a regex alternation of them backtracks through every entry at every position)', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `Staffer${i} Surname${i}`);
    const scanner = new EntityScanner({ types: ['person_name'], threshold: 0.5, denyList: { person_name: names } });
    const text = `${'A line of prose with no one in it. '.repeat(2_000)}Then Staffer9999 Surname9999 and staffer17 SURNAME17.`;
    expect(scanner.scan(text).map((f) => text.slice(f.start, f.end))).toEqual(['Staffer9999 Surname9999', 'staffer17 SURNAME17']);
  });
});
