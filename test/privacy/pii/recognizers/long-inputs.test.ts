import { describe, expect, it } from 'vitest';
import { apiKeyRecognizer } from '../../../../src/privacy/pii/recognizers/api-key.js';
import { addressRecognizer } from '../../../../src/privacy/pii/recognizers/address.js';
import { CYRILLIC_STREET } from '../../../../src/privacy/pii/recognizers/address-scripts.js';
import { creditCardRecognizer } from '../../../../src/privacy/pii/recognizers/credit-card.js';
import { emailRecognizer } from '../../../../src/privacy/pii/recognizers/email.js';
import { passportRecognizer } from '../../../../src/privacy/pii/recognizers/passport.js';
import { personNameRecognizer } from '../../../../src/privacy/pii/recognizers/person-name.js';
import { phoneRecognizer } from '../../../../src/privacy/pii/recognizers/phone.js';
import { UNCASED_RUN } from '../../../../src/privacy/pii/recognizers/uncased-names.js';

/**
 * Lines of millions of characters, as a data set can hold one, on which an unbounded repeated
 * group in a recognizer's regex overflowed the engine's stack (`RangeError: Maximum call stack
 * size exceeded`) and ended the whole job: each now scans, and finds what follows the long run.
 */
const values = (text: string, found: ReadonlyArray<{ start: number; end: number }>) => found.map((f) => text.slice(f.start, f.end));

describe('recognizers on a line of millions of characters', () => {
  it('phone: a run of 6 million digits, or of spaced digits, is no number, and the number after it is found', () => {
    expect(phoneRecognizer.find('1'.repeat(6_000_000))).toEqual([]);
    const text = `${'1 '.repeat(6_000_000)}\ncall +44 20 7946 0958`;
    expect(values(text, phoneRecognizer.find(text))).toEqual(['+44 20 7946 0958']);
  });

  it('credit_card: 4 million dash-joined groups are no card, and the card after them is found', () => {
    const text = `4111${'-1'.repeat(4_000_000)} card 4111-1111-1111-1111`;
    expect(values(text, creditCardRecognizer.find(text))).toEqual(['4111-1111-1111-1111']);
  });

  it('person_name: 4 million spaced Han or Hangul characters, and a word of 5 million hyphenated parts', () => {
    expect(() => personNameRecognizer.find('王 '.repeat(4_000_000))).not.toThrow();
    expect(() => personNameRecognizer.find('김 '.repeat(4_000_000))).not.toThrow();
    const text = `A${'-a'.repeat(5_000_000)} and Ana Lima`;
    expect(values(text, personNameRecognizer.find(text))).toEqual(['Ana Lima']);
  });

  it('address: a street word of 5 million joined parts', () => {
    expect(addressRecognizer.find(`12 A${'-a'.repeat(5_000_000)}`)).toEqual([]);
    expect(addressRecognizer.find(`12 A${'.a'.repeat(5_000_000)}`)).toEqual([]);
  });

  it('address: 4.5 million particles after a street type ("12 rue lalala…")', () => {
    expect(addressRecognizer.find(`12 rue ${'la'.repeat(4_500_000)} Paix`)).toEqual([]);
  });

  it('email: a domain of 800,000 labels is no address, and the address after it is found', () => {
    const text = `x@${'aaaaaaaaaa.'.repeat(800_000)} mail ana@example.org`;
    expect(values(text, emailRecognizer.find(text))).toEqual(['ana@example.org']);
  });

  it('email: obfuscation markers by the hundred thousand end without backtracking, and the address after them is found', () => {
    const text = `a [at] ${'b [dot] '.repeat(200_000)}x${' '.repeat(100_000)}at ] mail ana [at] example [dot] org`;
    expect(values(text, emailRecognizer.find(text))).toEqual(['ana [at] example [dot] org']);
  });

  it('passport: 150,000 numbers after Cyrillic cues on one line are all found, not overflowed', () => {
    const found = passportRecognizer.find('паспорт AB1234567 '.repeat(150_000));
    expect(found).toHaveLength(150_000);
    expect(found[149_999]!.start).toBe(149_999 * 18 + 8);
  });

  it('address: a Korean address followed by 2 million unit parts is found, not overflowed', () => {
    const text = `서울특별시 강남구 테헤란로 152${' 1동'.repeat(2_300_000)}`;
    expect(addressRecognizer.find(text).map((f) => f.start)).toEqual([0]);
  });

  it('api_key: a token body of millions of characters is no key; a PEM block after many unclosed headers is found', () => {
    expect(apiKeyRecognizer.find(`sk-ant-api03-${'aB_'.repeat(3_000_000)}`)).toEqual([]);
    expect(apiKeyRecognizer.find(`glpat-${'a'.repeat(9_000_000)}`)).toEqual([]);
    const block = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const text = `${'-----BEGIN PRIVATE KEY-----\nnothing\n'.repeat(20_000)}\n${block}`;
    const found = values(text, apiKeyRecognizer.find(text));
    expect(found).toHaveLength(1);
    expect(found[0]!.endsWith(block)).toBe(true);
    expect(apiKeyRecognizer.find(`-----BEGIN PRIVATE KEY-----\nx\n-----END ${'A '.repeat(4_500_000)}`)).toEqual([]);
  });
});

/**
 * A pattern tried at every position of a long unspaced word reads the word to its end from each:
 * quadratic (64 KB of Thai or Arabic letters took 3.5 s, of "Иван" 0.47 s). The patterns below
 * start only at a word's first letter, or first capital, which gives the same matches; checked
 * here by where a sticky copy may start, not by time.
 */
describe('patterns are not started inside a long word', () => {
  const startsAt = (pattern: RegExp, text: string, at: number) => {
    const sticky = new RegExp(pattern.source, 'y');
    sticky.lastIndex = at;
    return sticky.exec(text)?.[0] ?? null;
  };

  it('person_name: an uncased-script run starts at its first word\'s first letter only', () => {
    expect(startsAt(UNCASED_RUN, 'محمد علي', 0)).toBe('محمد علي');
    expect(startsAt(UNCASED_RUN, 'محمد علي', 1)).toBeNull();
    expect(startsAt(UNCASED_RUN, 'สมชาย ใจดี', 2)).toBeNull();
    const text = `${'ا'.repeat(1_000_000)}. محمد علي`;
    expect(values(text, personNameRecognizer.find(text))).toEqual(['محمد علي']);
    expect(personNameRecognizer.find('ก'.repeat(1_000_000))).toEqual([]);
  });

  it('address: a Cyrillic street name before its type starts at its word\'s first capital only', () => {
    expect(startsAt(CYRILLIC_STREET, 'ИванНевский проспект 5', 0)).toBe('ИванНевский проспект 5');
    expect(startsAt(CYRILLIC_STREET, 'ИванНевский проспект 5', 4)).toBeNull();
    expect(startsAt(CYRILLIC_STREET, '-Невский проспект 5', 1)).toBe('Невский проспект 5'); // no capital before it in its word
    const text = `${'Иван'.repeat(250_000)}. Невский проспект 28`;
    expect(values(text, addressRecognizer.find(text))).toEqual(['Невский проспект 28']);
  });
});
