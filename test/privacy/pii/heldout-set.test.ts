import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isValidPhoneNumber } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import {
  generateHeldoutSet,
  HELDOUT_FULL_NAMES,
  HELDOUT_PHONE_COUNTRIES,
  HELDOUT_SET_PATH,
  serializeHeldoutSet,
  type HeldoutRecord,
} from '../../../bench/fixtures/pii-heldout.js';
import { ENTITY_TYPES, isEntityType } from '../../../src/privacy/pii/entity-types.js';

const committed = readFileSync(HELDOUT_SET_PATH, 'utf8');
const records = committed
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as HeldoutRecord);

const valuesOf = (type: string) => records.flatMap((r) => r.spans.filter((s) => s.type === type).map((s) => r.text.slice(s.start, s.end)));

// Checksums written out here rather than imported, so the set is not checked by its own generator.
function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function passesIbanMod97(value: string): boolean {
  const compact = value.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const numeric = (compact.slice(4) + compact.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  return BigInt(numeric) % 97n === 1n;
}

describe('held-out PII set', () => {
  it('has at least 1,200 records with unique ids', () => {
    expect(records.length).toBeGreaterThanOrEqual(1200);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
  });

  it('regenerates byte-identically from its seed', () => {
    expect(serializeHeldoutSet(generateHeldoutSet())).toBe(committed);
  });

  it('labels only the eleven types, with in-range, non-empty, non-overlapping spans', () => {
    for (const record of records) {
      const sorted = [...record.spans].sort((a, b) => a.start - b.start);
      let previousEnd = 0;
      for (const span of sorted) {
        expect(isEntityType(span.type), `${record.id} ${span.type}`).toBe(true);
        expect(span.start, record.id).toBeGreaterThanOrEqual(previousEnd);
        expect(span.end, record.id).toBeGreaterThan(span.start);
        expect(span.end, record.id).toBeLessThanOrEqual(record.text.length);
        expect(record.text.slice(span.start, span.end).trim().length, record.id).toBeGreaterThan(0);
        previousEnd = span.end;
      }
    }
  });

  it('has at least 30 spans of every type', () => {
    for (const type of ENTITY_TYPES) expect(valuesOf(type).length, type).toBeGreaterThanOrEqual(30);
  });

  it('leaves at least 35% of records without PII', () => {
    const empty = records.filter((r) => r.spans.length === 0).length;
    expect(empty / records.length).toBeGreaterThanOrEqual(0.35);
  });

  it('labels only Luhn-valid cards of 14 to 16 digits', () => {
    for (const card of valuesOf('credit_card')) {
      const digits = card.replace(/\D/g, '');
      expect(digits.length, card).toBeGreaterThanOrEqual(14);
      expect(digits.length, card).toBeLessThanOrEqual(16);
      expect(passesLuhn(digits), card).toBe(true);
    }
  });

  it('labels only mod-97-valid IBANs', () => {
    for (const iban of valuesOf('iban')) expect(passesIbanMod97(iban), iban).toBe(true);
    // The checker is not vacuous: the ECBS example passes, a digit swap fails.
    expect(passesIbanMod97('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(passesIbanMod97('GB82 WEST 1234 5698 7654 23')).toBe(false);
  });

  it('labels only phones valid per libphonenumber-js', () => {
    for (const phone of valuesOf('phone')) {
      const collapsed = phone.replace(/\s+/g, ' ');
      const valid = isValidPhoneNumber(collapsed) || HELDOUT_PHONE_COUNTRIES.some((c) => isValidPhoneNumber(collapsed, c));
      expect(valid, phone).toBe(true);
    }
  });

  it('labels only SSNs that obey the SSA rules', () => {
    for (const ssn of valuesOf('ssn')) {
      const digits = ssn.replace(/\D/g, '');
      expect(digits, ssn).toMatch(/^\d{9}$/);
      const area = Number(digits.slice(0, 3));
      expect(area === 0 || area === 666 || area >= 900, ssn).toBe(false);
      expect(digits.slice(3, 5), ssn).not.toBe('00');
      expect(digits.slice(5), ssn).not.toBe('0000');
    }
  });

  it('labels only valid IP literals', () => {
    for (const ip of valuesOf('ip_address')) expect(isIP(ip), ip).not.toBe(0);
  });

  it('draws names from at least 250 distinct full names, some outside the Latin script', () => {
    expect(new Set(HELDOUT_FULL_NAMES).size).toBeGreaterThanOrEqual(250);
    expect(HELDOUT_FULL_NAMES.some((n) => /[\u0400-\u04FF]/.test(n))).toBe(true);
    expect(HELDOUT_FULL_NAMES.some((n) => /[\u4E00-\u9FFF]/.test(n))).toBe(true);
    expect(HELDOUT_FULL_NAMES.some((n) => /[\u0600-\u06FF]/.test(n))).toBe(true);
  });

  it('keeps hard negatives unlabelled: invalid IBANs, non-Luhn numbers and invalid SSNs appear only outside spans', () => {
    const uncovered = (r: HeldoutRecord) => {
      let out = '';
      let at = 0;
      for (const s of [...r.spans].sort((a, b) => a.start - b.start)) {
        out += r.text.slice(at, s.start) + ' ';
        at = s.end;
      }
      return out + r.text.slice(at);
    };
    const outside = records.map(uncovered).join('\n');
    expect(outside).toMatch(/\b(?:000|666|9\d\d)-\d\d-\d{4}\b/);
    const sixteenDigitRuns = outside.match(/\b\d{4} \d{4} \d{4} \d{4}\b|\b\d{16}\b/g) ?? [];
    expect(sixteenDigitRuns.some((n) => !passesLuhn(n.replace(/\D/g, '')))).toBe(true);
    const ibanShaped = outside.match(/\b[A-Z]{2}\d{2}(?: [A-Z0-9]{4}){3,7}(?: [A-Z0-9]{1,4})?\b/g) ?? [];
    expect(ibanShaped.length).toBeGreaterThan(0);
    for (const candidate of ibanShaped) expect(passesIbanMod97(candidate), candidate).toBe(false);
  });
});
