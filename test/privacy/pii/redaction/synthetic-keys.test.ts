import { describe, expect, it } from 'vitest';
import type { EntityType } from '../../../../src/privacy/pii/entity-types.js';
import { SyntheticDraws, syntheticPhone, syntheticValue } from '../../../../src/privacy/pii/redaction/synthetic-values.js';
import { valueKey } from '../../../../src/privacy/pii/redaction/value-keys.js';

const seed = new Uint8Array(32).fill(0x3c);

/** The characters a fake's layout is made of: digits and letters as # and A, everything else kept. */
const layout = (value: string) => value.replace(/\d/g, '#').replace(/[A-Za-z]/g, 'A');
const digits = (value: string) => value.replace(/\D/g, '');

describe('synthetic fakes: one value written several ways gets one fake', () => {
  it.each<[EntityType, string[]]>([
    ['credit_card', ['4111 1111 1111 1111', '4111111111111111', '4111-1111-1111-1111']],
    ['credit_card', ['3782 822463 10005', '378282246310005']],
    ['ssn', ['123-45-6789', '123456789', '123 45 6789']],
  ])('%s: the same digits in each layout', (type, spellings) => {
    const fakes = spellings.map((s) => syntheticValue(seed, type, s));
    expect(new Set(fakes.map(digits)).size).toBe(1);
    fakes.forEach((fake, i) => {
      expect(layout(fake)).toBe(layout(spellings[i]!));
      expect(digits(fake)).not.toBe(digits(spellings[i]!));
    });
  });

  it('iban: spacing and case do not matter; the layout and case follow the input', () => {
    const spellings = ['GB82 WEST 1234 5698 7654 32', 'GB82WEST12345698765432', 'gb82 west 1234 5698 7654 32'];
    const fakes = spellings.map((s) => syntheticValue(seed, 'iban', s));
    expect(new Set(fakes.map((f) => f.replace(/\s/g, '').toUpperCase())).size).toBe(1);
    expect(fakes[0]).toMatch(/^GB\d\d [A-Z]{4}(?: \d{4}){3} \d\d$/);
    expect(fakes[1]).toMatch(/^GB\d\d[A-Z]{4}\d{14}$/);
    expect(fakes[2]).toMatch(/^gb\d\d [a-z]{4}(?: \d{4}){3} \d\d$/);
  });

  it.each([
    [['(415) 555-2671', '415-555-2671', '4155552671', '+1 415 555 2671', '1-415-555-2671', '001 415 555 2671']],
    [['+44 7911 123456', '+44 (0) 7911 123456', '0044 7911 123456']],
    [['+44 20 7123 4567', '0044 20 7123 4567']],
  ])('phone %j: one national fake, each with its own prefix and layout', (spellings) => {
    const fakes = spellings.map((s) => syntheticValue(seed, 'phone', s));
    const national = fakes.map((f) => digits(f).slice(-10));
    expect(new Set(national).size).toBe(1);
    fakes.forEach((fake, i) => expect(layout(fake)).toBe(layout(spellings[i]!)));
  });

  it('phone: another country, with + or 00, is one number; a different number is another', () => {
    const plus = syntheticValue(seed, 'phone', '+33 1 23 45 67 89');
    expect(syntheticValue(seed, 'phone', '0033 1 23 45 67 89')).toBe(plus);
    expect(syntheticValue(seed, 'phone', '+33 1 23 45 67 88')).not.toBe(plus);
    // a German fake keeps each occurrence's way of writing the country code, and is one number
    const german = syntheticValue(seed, 'phone', '+49 30 1234567');
    expect(syntheticValue(seed, 'phone', '0049 30 1234567')).toBe(german.replace('+', '00'));
    expect(syntheticValue(seed, 'phone', '+49 30 1234568')).not.toBe(german);
  });

  it('email: the domain and the local part fold case', () => {
    const fake = syntheticValue(seed, 'email', 'jane.doe@corp.com');
    expect(syntheticValue(seed, 'email', 'jane.doe@CORP.COM')).toBe(fake);
    expect(syntheticValue(seed, 'email', 'Jane.Doe@Corp.com')).toBe(fake);
    expect(syntheticValue(seed, 'email', 'john.doe@corp.com')).not.toBe(fake);
  });

  it('person_name: case and whitespace fold; capitals stay capitals', () => {
    const fake = syntheticValue(seed, 'person_name', 'Jane Doe');
    expect(syntheticValue(seed, 'person_name', 'jane  doe')).toBe(fake);
    expect(syntheticValue(seed, 'person_name', ' Jane\tDoe ')).toBe(fake);
    expect(syntheticValue(seed, 'person_name', 'JANE DOE')).toBe(fake.toUpperCase());
    // Composed and decomposed accents are one name.
    expect(syntheticValue(seed, 'person_name', 'Jose\u0301 Garci\u0301a')).toBe(syntheticValue(seed, 'person_name', 'Jos\u00e9 Garc\u00eda'));
    expect(syntheticValue(seed, 'person_name', 'Jane Roe')).not.toBe(fake);
  });

  it('ip_address: IPv6 hex digits fold case', () => {
    expect(syntheticValue(seed, 'ip_address', '2001:DB8:AB::1')).toBe(syntheticValue(seed, 'ip_address', '2001:db8:ab::1'));
  });

  it('a fake never equals its input written another way: the retry compares keys, not text', () => {
    // A fictional-range number whose first draw is itself, found by search (1 in 1,600 per number).
    const codes = ['201', '202', '206', '212', '213', '303', '305', '312', '404', '415', '503', '512', '617', '702', '713', '818'];
    let found: { seed: Uint8Array; national: string } | undefined;
    for (let fill = 0; fill < 256 && !found; fill++) {
      const s = new Uint8Array(32).fill(fill);
      for (const code of codes) {
        for (let n = 0; n < 100 && !found; n++) {
          const national = `${code}55501${String(n).padStart(2, '0')}`;
          const first = syntheticPhone(national, new SyntheticDraws(s, `phone\0${valueKey('phone', national)}`));
          if (first === national) found = { seed: s, national };
        }
      }
    }
    expect(found).toBeDefined();
    const { seed: s, national } = found!;
    const spellings = [national, `(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`, `+1 ${national}`];
    const fakes = spellings.map((v) => syntheticValue(s, 'phone', v));
    expect(new Set(fakes.map((f) => digits(f).slice(-10))).size).toBe(1);
    expect(digits(fakes[0]!)).not.toBe(national);
  });
});
