import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import {
  FULL_NAMES,
  generateLabelledSet,
  ibanCheckDigits,
  LABELLED_SET_PATH,
  luhnCheckDigit,
  serializeLabelledSet,
  type LabelledRecord,
} from '../../../bench/fixtures/pii-testset.js';
import { ENTITY_TYPES, isEntityType } from '../../../src/privacy/pii/entity-types.js';

const committed = readFileSync(LABELLED_SET_PATH, 'utf8');
const records = committed
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as LabelledRecord);

const valuesOf = (type: string) => records.flatMap((r) => r.spans.filter((s) => s.type === type).map((s) => r.text.slice(s.start, s.end)));
const digitsOf = (value: string) => value.replace(/\D/g, '');

/** Luhn over all digits, written out here so the set is not checked by the generator's own code. */
function passesLuhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i += 1) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** ISO 13616: move the first four characters to the end, letters to 10..35, remainder mod 97 is 1. */
function passesMod97(iban: string): boolean {
  const compact = iban.replace(/ /g, '');
  const numeric = (compact.slice(4) + compact.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  return BigInt(numeric) % 97n === 1n;
}

/** Is some unlabelled stretch of some record matched by `pattern` and accepted by `accept`? */
function unlabelledMatch(pattern: RegExp, accept: (value: string) => boolean = () => true): string | undefined {
  for (const r of records) {
    for (const m of r.text.matchAll(pattern)) {
      const start = m.index;
      const end = start + m[0].length;
      if (r.spans.some((s) => s.start < end && start < s.end)) continue;
      if (accept(m[0])) return m[0];
    }
  }
  return undefined;
}

describe('the committed labelled PII set', () => {
  it('has at least 1,000 records with unique ids', () => {
    expect(records.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
  });

  it('names only the eleven types, with spans in range, sorted and non-overlapping', () => {
    for (const r of records) {
      let lastEnd = 0;
      for (const s of r.spans) {
        expect(isEntityType(s.type), `${r.id} ${s.type}`).toBe(true);
        expect(s.start, r.id).toBeGreaterThanOrEqual(lastEnd);
        expect(s.end, r.id).toBeGreaterThan(s.start);
        expect(s.end, r.id).toBeLessThanOrEqual(r.text.length);
        expect(r.text.slice(s.start, s.end).trim(), r.id).toBe(r.text.slice(s.start, s.end));
        lastEnd = s.end;
      }
    }
  });

  it('has at least 40 gold spans of every type', () => {
    for (const type of ENTITY_TYPES) expect(valuesOf(type).length, type).toBeGreaterThanOrEqual(40);
  });

  it('leaves at least 30% of records without PII', () => {
    expect(records.filter((r) => r.spans.length === 0).length / records.length).toBeGreaterThanOrEqual(0.3);
  });

  it('labels only valid values: Luhn cards, mod-97 IBANs, assigned SSN ranges, IPs, phones', () => {
    for (const card of valuesOf('credit_card')) expect(passesLuhn(digitsOf(card)), card).toBe(true);
    for (const iban of valuesOf('iban')) expect(passesMod97(iban), iban).toBe(true);
    for (const ssn of valuesOf('ssn')) {
      const [area, group, serial] = ssn.split(/[- ]/).map(Number) as [number, number, number];
      expect(area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0, ssn).toBe(true);
    }
    for (const ip of valuesOf('ip_address')) expect(isIP(ip), ip).not.toBe(0);
    const countries: CountryCode[] = ['US', 'CA', 'GB', 'DE', 'FR', 'ES', 'PT', 'BR', 'IT', 'NL', 'PL', 'TR', 'RU', 'SA', 'AE', 'IN', 'CN', 'JP', 'VN', 'NG', 'KE'];
    for (const phone of valuesOf('phone')) {
      const valid = phone.startsWith('+') ? parsePhoneNumberFromString(phone)?.isValid() : countries.some((c) => parsePhoneNumberFromString(phone, c)?.isValid());
      expect(valid, phone).toBe(true);
    }
  });

  it('holds unlabelled hard negatives', () => {
    const sixteenDigits = /\b\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}\b/g;
    expect(unlabelledMatch(sixteenDigits, (v) => !passesLuhn(digitsOf(v)))).toBeDefined();
    expect(unlabelledMatch(/\b(?:000|666|9\d\d)-\d{2}-\d{4}\b/g)).toBeDefined();
    expect(unlabelledMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g, (v) => isIP(v) === 0)).toBeDefined();
    expect(unlabelledMatch(/\b10\.0\.\d{5}\.\d{4}\b/g)).toBeDefined(); // Windows build numbers
    expect(unlabelledMatch(/\bv\d+\.\d+\.\d+\b/g)).toBeDefined();
    expect(unlabelledMatch(/\b978-\d-\d{4}-\d{4}-\d\b/g)).toBeDefined(); // ISBN-13
    expect(unlabelledMatch(/\b[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\b/g)).toBeDefined(); // UUID v4
    for (const phrase of ['Apple Inc.', 'General Motors', 'Microsoft Azure', 'Will you', '3 main reasons', 'Monday', 'New York']) {
      expect(unlabelledMatch(new RegExp(phrase.replace('.', '\\.'), 'g')), phrase).toBeDefined();
    }
  });

  it('draws names from 20+ cultures and 300+ distinct full names', () => {
    expect(Object.keys(FULL_NAMES).length).toBeGreaterThanOrEqual(20);
    expect(new Set(valuesOf('person_name')).size).toBeGreaterThanOrEqual(300);
  });

  it('is exactly what the generator writes (deterministic)', () => {
    expect(serializeLabelledSet(generateLabelledSet()) === committed).toBe(true);
  });
});

describe("the generator's checksums", () => {
  it('agree with published test numbers', () => {
    // Visa's and Mastercard's test cards 4111 1111 1111 1111 and 5555 5555 5555 4444.
    expect(luhnCheckDigit('411111111111111')).toBe(1);
    expect(luhnCheckDigit('555555555555444')).toBe(4);
    // The ECBS example IBANs GB82 WEST 1234 5698 7654 32 and DE89 3704 0044 0532 0130 00.
    expect(ibanCheckDigits('GB', 'WEST12345698765432')).toBe('82');
    expect(ibanCheckDigits('DE', '370400440532013000')).toBe('89');
  });
});
