import { en_IN } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { syntheticValue } from '../../../../src/privacy/pii/redaction/synthetic-values.js';

/** Fakes that keep nothing of the real value: review M1 (cards), M2 (birth years), L2 (national phones), L3 (scripts), L4 (MRZ). */

const seeds = Array.from({ length: 40 }, (_, i) => new Uint8Array(32).fill(i + 1));
const digits = (value: string) => value.replace(/\D/g, '');
const layout = (value: string) => value.replace(/\d/g, '#');

/** Luhn (ISO/IEC 7812-1), written independently of the code under test. */
function luhnValid(number: string): boolean {
  let sum = 0;
  [...number].reverse().forEach((c, i) => {
    const d = Number(c) * (i % 2 === 1 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  });
  return sum % 10 === 0;
}

describe('synthetic cards of issuers without a listed test range', () => {
  it.each([
    ['2200 1234 5678 9019', /^411111/], // Mir: no published test BIN we can vouch for, Visa's 16-digit one
    ['6759 1234 5678 9015', /^(?:675964|630400)/], // Maestro
    ['5018 1234 5678 9014', /^(?:675964|630400)/], // Maestro
    ['6763 1234 5678 9016', /^(?:675964|630400)/], // Maestro
    ['3095 1234 5678 97', /^(?:305693|385200)/], // Diners Club International
  ])('%s never keeps its own BIN: a test BIN, Luhn-valid, same layout', (card, bin) => {
    for (const seed of seeds) {
      const fake = syntheticValue(seed, 'credit_card', card);
      expect(digits(fake).slice(0, 6)).not.toBe(digits(card).slice(0, 6));
      expect(digits(fake)).toMatch(bin);
      expect(luhnValid(digits(fake))).toBe(true);
      expect(layout(fake)).toBe(layout(card));
    }
  });
});

describe('synthetic dates of birth', () => {
  it.each([['1987-03-14', /^(\d{4})-\d\d-\d\d$/], ['14 March 1987', /^\d\d \p{L}+ (\d{4})$/u]])('%s: the year is drawn from 1940-2005, not near the real one', (dob, shape) => {
    const years = seeds.map((seed) => Number(shape.exec(syntheticValue(seed, 'date_of_birth', dob))![1]));
    expect(Math.min(...years)).toBeGreaterThanOrEqual(1940);
    expect(Math.max(...years)).toBeLessThanOrEqual(2005);
    // Before, every fake year was 1977-1986: the real year lay within ten years after it.
    expect(years.some((y) => y < 1977 || y > 1987)).toBe(true);
  });
});

describe('synthetic national phone numbers that name no country', () => {
  it.each(['090-1234-5678', '030 12345678', '07911 123456', '138 0013 8000', '0123456789'])('%s gets a NANP fictional number with +1, not a fake in its own layout', (phone) => {
    for (const seed of seeds.slice(0, 5)) {
      expect(syntheticValue(seed, 'phone', phone)).toMatch(/^\+1 \d{3}-555-01\d\d$/);
    }
  });

  it('a number of NANP shape keeps its layout: area code and exchange starting 2-9', () => {
    expect(syntheticValue(seeds[0]!, 'phone', '(415) 555-0134')).toMatch(/^\(\d{3}\) 555-01\d\d$/);
    expect(syntheticValue(seeds[0]!, 'phone', '1 415 867 5309')).toMatch(/^1 \d{3} 555 01\d\d$/);
    expect(syntheticValue(seeds[0]!, 'phone', '+1 380 013 8000')).toMatch(/^\+1 \d{3} 555 01\d\d$/); // says it is NANP
  });

  it('a UK number that says it is one still gets an Ofcom drama number', () => {
    expect(syntheticValue(seeds[0]!, 'phone', '+44 7911 123456')).toMatch(/^\+44 7700 900\d{3}$/);
    expect(syntheticValue(seeds[0]!, 'phone', '0044 20 7123 4567')).toMatch(/^0044 20 7946 0\d{3}$/);
  });
});

describe('synthetic names in more scripts', () => {
  it.each([
    ['राहुल शर्मा', /^\p{Script=Devanagari}[\p{Script=Devanagari}\p{M}]* [\p{Script=Devanagari}\p{M}]+$/u],
    ['สมชาย ใจดี', /^[\p{Script=Thai}]+ [\p{Script=Thai}]+$/u],
  ])('%s gets a name in its own script', (name, shape) => {
    const fake = syntheticValue(seeds[0]!, 'person_name', name);
    expect(fake).toMatch(shape);
    expect(fake).not.toBe(name);
  });

  // faker has no Tamil or Bengali names: Indian names in Latin script (faker's en_IN), as the docs say
  it.each(['அருண் குமார்', 'রহিম উদ্দিন'])('%s gets an Indian name in Latin script', (name) => {
    const family = Object.values(en_IN.person!.last_name!).flat();
    for (const seed of seeds.slice(0, 5)) {
      const fake = syntheticValue(seed, 'person_name', name);
      expect(fake).toMatch(/^\p{Script=Latin}+ [\p{Script=Latin}' -]+$/u);
      expect(family).toContain(fake.split(' ').slice(1).join(' '));
    }
  });
});

/** ICAO 9303 part 3 §4.9, written independently: weights 7,3,1; `<` = 0; A-Z = 10-35. */
function check(field: string): number {
  const values = [...field].map((c) => (c === '<' ? 0 : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55));
  return values.reduce((sum, v, i) => sum + v * [7, 3, 1][i % 3]!, 0) % 10;
}

function mrzValid(line: string): boolean {
  const field = (from: number, to: number, at: number) => (line[at] === '<' ? /^<*$/.test(line.slice(from, to)) : Number(line[at]) === check(line.slice(from, to)));
  const date = (from: number) => {
    const [m, d] = [Number(line.slice(from + 2, from + 4)), Number(line.slice(from + 4, from + 6))];
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
  };
  return (
    line.length === 44 &&
    field(0, 9, 9) &&
    field(13, 19, 19) &&
    field(21, 27, 27) &&
    field(28, 42, 42) &&
    Number(line[43]) === check(line.slice(0, 10) + line.slice(13, 20) + line.slice(21, 43)) &&
    date(13) &&
    date(21)
  );
}

describe('synthetic passport MRZ lines', () => {
  // ICAO 9303's specimen (Anna Maria Eriksson, Utopia) and one with an empty optional field.
  it.each(['L898902C36UTO7408122F1204159ZE184226B<<<<<10', 'X123456785GBR8501019M3001019<<<<<<<<<<<<<<<2'])('%s: valid check digits, same state and sex, a fresh document', (line) => {
    expect(mrzValid(line)).toBe(true);
    for (const seed of seeds.slice(0, 10)) {
      const fake = syntheticValue(seed, 'passport', line);
      expect(mrzValid(fake)).toBe(true);
      expect(fake.slice(10, 13)).toBe(line.slice(10, 13));
      expect(fake[20]).toBe(line[20]);
      expect(fake.slice(0, 9)).not.toBe(line.slice(0, 9));
      expect(fake.slice(13, 19)).not.toBe(line.slice(13, 19));
    }
  });

  it('leaves other passport numbers to the same-shape fake', () => {
    expect(syntheticValue(seeds[0]!, 'passport', 'X12345678')).toMatch(/^[A-Z]\d{8}$/);
  });
});

describe('synthetic names in a passport MRZ', () => {
  it('keep the MRZ form and the length, so the line stays 44 characters', () => {
    for (const seed of seeds.slice(0, 10)) {
      const fake = syntheticValue(seed, 'person_name', 'ERIKSSON<<ANNA<MARIA');
      expect(fake).toHaveLength('ERIKSSON<<ANNA<MARIA'.length);
      expect(fake).toMatch(/^[A-Z]+(?:<[A-Z]+)*<<[A-Z<]*$/);
      expect(fake).not.toContain('ERIKSSON');
      const alone = syntheticValue(seed, 'person_name', 'ERIKSSON<<');
      expect(alone).toMatch(/^[A-Z]+<*$/); // padded with fillers, or a long surname cut as ICAO 9303 cuts names
      expect(alone).toHaveLength('ERIKSSON<<'.length);
    }
  });
});
