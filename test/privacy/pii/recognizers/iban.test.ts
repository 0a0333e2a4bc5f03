import { describe, expect, it } from 'vitest';
import { ibanRecognizer } from '../../../../src/privacy/pii/recognizers/iban.js';

const values = (text: string): string[] => ibanRecognizer.find(text).map((f) => text.slice(f.start, f.end));

/** IBAN examples from the SWIFT IBAN Registry (paper and electronic formats). */
const REGISTRY_EXAMPLES = [
  'GB82 WEST 1234 5698 7654 32',
  'DE89 3704 0044 0532 0130 00',
  'FR14 2004 1010 0505 0001 3M02 606',
  'NL91ABNA0417164300',
  'BE68539007547034',
  'CH93 0076 2011 6238 5295 7',
  'ES91 2100 0418 4502 0005 1332',
  'IT60 X054 2811 1010 0000 0123 456',
  'NO9386011117947',
  'MT84 MALT 0110 0001 2345 MTLC AST0 01S',
];

describe('ibanRecognizer', () => {
  it('finds a printed IBAN with exact offsets', () => {
    const text = 'Please pay to GB82 WEST 1234 5698 7654 32 by Friday.';
    const [finding] = ibanRecognizer.find(text);
    expect(finding).toMatchObject({ start: 14, end: 41, type: 'iban', recognizer: 'iban.mod97' });
    expect(finding?.score).toBeGreaterThanOrEqual(0.95);
  });

  it.each(REGISTRY_EXAMPLES)('finds the registry example %s', (iban) => {
    expect(values(`IBAN: ${iban}.`)).toEqual([iban]);
    expect(values(iban.replaceAll(' ', ''))).toEqual([iban.replaceAll(' ', '')]);
  });

  it('cuts the match at the country length before a following code', () => {
    expect(values('DE89 3704 0044 0532 0130 00 COBADEFF')).toEqual(['DE89 3704 0044 0532 0130 00']);
    expect(values('NL91 ABNA 0417 1643 00 BIC ABNANL2A')).toEqual(['NL91 ABNA 0417 1643 00']);
  });

  it('refuses a wrong check digit or a single changed character', () => {
    expect(values('GB83 WEST 1234 5698 7654 32')).toEqual([]);
    expect(values('DE89 3704 0044 0532 0130 01')).toEqual([]);
  });

  it('refuses wrong lengths and unknown country codes', () => {
    expect(values('GB82 WEST 1234 5698 7654 3')).toEqual([]);
    expect(values('XX82 WEST 1234 5698 7654 32')).toEqual([]);
  });

  it('refuses lower case and IBANs glued to other text', () => {
    expect(values('gb82 west 1234 5698 7654 32')).toEqual([]);
    expect(values('XGB82WEST12345698765432')).toEqual([]);
  });
});
