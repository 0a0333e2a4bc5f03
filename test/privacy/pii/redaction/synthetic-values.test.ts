import { BlockList, isIP } from 'node:net';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import type { EntityType } from '../../../../src/privacy/pii/entity-types.js';
import { SyntheticDraws, syntheticOperator, syntheticValue } from '../../../../src/privacy/pii/redaction/synthetic-values.js';

const seedA = new Uint8Array(32).fill(0xa5);
const seedB = new Uint8Array(32).fill(0x5a);

/** Luhn (ISO/IEC 7812-1) written independently of the code under test. */
function luhnValid(digits: string): boolean {
  let sum = 0;
  [...digits].reverse().forEach((c, i) => {
    const d = Number(c) * (i % 2 === 1 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  });
  return sum % 10 === 0;
}

/** ISO 13616 check: move the first four characters to the end, letters to 10..35, the number mod 97 is 1. */
function ibanValid(iban: string): boolean {
  const compact = iban.replace(/\s/g, '');
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  const numeric = [...rearranged].map((c) => (/\d/.test(c) ? c : String(c.charCodeAt(0) - 55))).join('');
  return BigInt(numeric) % 97n === 1n;
}

/** Everything but digits, in place: the layout a fake must keep. */
const layout = (value: string) => value.replace(/\d/g, '#');

describe('SyntheticDraws', () => {
  it('is a pure function of seed, message and attempt, and stays in range', () => {
    const take = (draws: SyntheticDraws) => Array.from({ length: 40 }, () => draws.int(7));
    const first = take(new SyntheticDraws(seedA, 'email\0a@b.c'));
    expect(take(new SyntheticDraws(seedA, 'email\0a@b.c'))).toEqual(first);
    expect(take(new SyntheticDraws(seedB, 'email\0a@b.c'))).not.toEqual(first);
    expect(take(new SyntheticDraws(seedA, 'email\0a@b.c', 1))).not.toEqual(first);
    expect(first.every((n) => n >= 0 && n < 7)).toBe(true);
    expect(new Set(first).size).toBeGreaterThan(3);
    // 40 words span more than one HMAC block: the expansion keeps going.
    const draws = new SyntheticDraws(seedA, 'x');
    const fractions = Array.from({ length: 50 }, () => draws.fraction());
    expect(fractions.every((f) => f >= 0 && f < 1)).toBe(true);
    expect(new Set(fractions).size).toBe(50);
  });
});

describe('synthetic credit cards', () => {
  // Issuers' and processors' published test numbers, with the prefix family each belongs to.
  const cards: Array<[string, RegExp]> = [
    ['4111 1111 1111 1111', /^4/],
    ['4012888888881881', /^4/],
    ['4222222222222', /^4/],
    ['5555-5555-5555-4444', /^5[1-5]/],
    ['2223003122003222', /^2(?:22[1-9]|2[3-9]|[3-6]\d|7[01]|720)/],
    ['3782 822463 10005', /^3[47]/],
    ['371449635398431', /^3[47]/],
    ['6011111111111117', /^6(?:011|4[4-9]|5)/],
    ['3530111333300000', /^35(?:2[89]|[3-8])/],
    ['30569309025904', /^3(?:0[0-5]|[689])/],
    ['6200000000000005', /^62/],
  ];
  it.each(cards)('%s: Luhn-valid, same issuer family, length and layout, not the input', (card, family) => {
    const fake = syntheticValue(seedA, 'credit_card', card);
    const digits = fake.replace(/\D/g, '');
    expect(luhnValid(digits)).toBe(true);
    expect(digits).toMatch(family);
    expect(layout(fake)).toBe(layout(card));
    expect(digits).not.toBe(card.replace(/\D/g, ''));
  });

  it('is stable for a seed, different for another seed, and different for different cards', () => {
    const card = '4111 1111 1111 1111';
    expect(syntheticValue(seedA, 'credit_card', card)).toBe(syntheticValue(seedA, 'credit_card', card));
    expect(syntheticValue(seedB, 'credit_card', card)).not.toBe(syntheticValue(seedA, 'credit_card', card));
    expect(syntheticValue(seedA, 'credit_card', '4012888888881881')).not.toBe(syntheticValue(seedA, 'credit_card', '4111111111111111'));
  });
});

describe('synthetic contact details', () => {
  it.each(['john.doe@gmail.com', 'Maria.Garcia+news@correo.es', 'x@y.io'])('email %s goes to an RFC 2606 reserved domain', (email) => {
    const fake = syntheticValue(seedA, 'email', email);
    expect(fake).toMatch(/^[a-z0-9._]+@example\.(?:com|org|net)$/);
    expect(fake).not.toBe(email);
  });

  it('gives different people different addresses under one seed', () => {
    const inputs = Array.from({ length: 50 }, (_, i) => `user${i}@corp.example`);
    expect(new Set(inputs.map((e) => syntheticValue(seedA, 'email', e))).size).toBeGreaterThan(45);
  });

  it.each([
    ['(415) 867-5309', /^\(\d{3}\) 555-01\d\d$/, 'US'],
    ['415.867.5309', /^\d{3}\.555\.01\d\d$/, 'US'],
    ['+1 415-867-5309', /^\+1 \d{3}-555-01\d\d$/, undefined],
    ['+44 7911 123456', /^\+44 7700 900\d{3}$/, undefined],
    ['+44 20 7123 4567', /^\+44 20 7946 0\d{3}$/, undefined],
    // Bundesnetzagentur drama numbers, in the number's own area where it is one of the five
    ['+49 30 1234567', /^\+49 30 23125 \d{3}$/, undefined],
    ['+49 (0)30 12345678', /^\+49 \(0\)30 23125\d{3}$/, undefined],
    ['0049 221 9876543', /^0049 221 4710\d{3}$/, undefined],
    ['+49 151 23456789', /^\+49 (?:30 23125|69 90009|40 66969|221 4710|89 99998) ?\d{3}$/, undefined],
    // ACMA fictitious numbers
    ['+61 2 9876 5432', /^\+61 2 (?:5550|7010) \d{4}$/, undefined],
    ['0061 3 9123 4567', /^0061 3 (?:5550|7010) \d{4}$/, undefined],
  ] as const)('phone %s becomes a fictional number in the same layout', (phone, shape, country) => {
    const fake = syntheticValue(seedA, 'phone', phone);
    expect(fake).toMatch(shape);
    expect(parsePhoneNumberFromString(fake.replace(/^00/, '+'), country)?.isPossible()).toBe(true);
  });

  it('gives one German number one fake however its country code is written', () => {
    const fakes = ['+49 30 1234567', '+49 (0)30 1234567', '0049 30 1234567', '+4930 1234567'].map((p) => syntheticValue(seedA, 'phone', p).replace(/\D/g, '').replace(/^00/, '').replace(/^490/, '49'));
    expect(new Set(fakes).size).toBe(1);
  });

  it('falls back to a NANP fictional number for countries without a reserved range', () => {
    expect(syntheticValue(seedA, 'phone', '+33 1 23 45 67 89')).toMatch(/^\+1 \d{3}-555-01\d\d$/);
  });
});

describe('synthetic identifiers', () => {
  it.each(['123-45-6789', '123 45 6789', '123456789'])('ssn %s: never issuable (area 9xx, group outside ITIN ranges), same layout', (ssn) => {
    const fake = syntheticValue(seedA, 'ssn', ssn);
    expect(layout(fake)).toBe(layout(ssn));
    const digits = fake.replace(/\D/g, '');
    const area = Number(digits.slice(0, 3));
    const group = Number(digits.slice(3, 5));
    expect(area).toBeGreaterThanOrEqual(900);
    expect(group).toBeGreaterThanOrEqual(1);
    expect(group).toBeLessThanOrEqual(49);
    expect(Number(digits.slice(5))).toBeGreaterThan(0);
  });

  it('ip addresses land in the RFC 5737 / RFC 3849 documentation ranges', () => {
    const documentation = new BlockList();
    documentation.addSubnet('192.0.2.0', 24, 'ipv4');
    documentation.addSubnet('198.51.100.0', 24, 'ipv4');
    documentation.addSubnet('203.0.113.0', 24, 'ipv4');
    documentation.addSubnet('2001:db8::', 32, 'ipv6');
    for (const ip of ['8.8.8.8', '10.0.0.1', '172.16.254.3', '1.1.1.1']) {
      const fake = syntheticValue(seedA, 'ip_address', ip);
      expect(isIP(fake)).toBe(4);
      expect(documentation.check(fake, 'ipv4')).toBe(true);
    }
    for (const ip of ['2a00:1450:4001:82a::200e', '2606:4700::1111', 'fe80::1']) {
      const fake = syntheticValue(seedA, 'ip_address', ip);
      expect(isIP(fake)).toBe(6);
      expect(documentation.check(fake, 'ipv6')).toBe(true);
    }
    expect(documentation.check('8.8.8.8', 'ipv4')).toBe(false);
  });

  // Examples from the SWIFT IBAN registry.
  it.each(['GB82 WEST 1234 5698 7654 32', 'DE89370400440532013000', 'FR14 2004 1010 0505 0001 3M02 606', 'NL91ABNA0417164300'])(
    'iban %s: same country, length and spacing, valid check digits',
    (iban) => {
      expect(ibanValid(iban)).toBe(true);
      const fake = syntheticValue(seedA, 'iban', iban);
      expect(ibanValid(fake)).toBe(true);
      expect(fake.slice(0, 2)).toBe(iban.slice(0, 2));
      expect(fake.replace(/[A-Za-z]/g, 'A').replace(/\d/g, '9')).toBe(iban.replace(/[A-Za-z]/g, 'A').replace(/\d/g, '9'));
      expect(fake).not.toBe(iban);
    },
  );

  it.each(['X12345678', 'AB 123456 C', 'p-0099887'])('passport %s keeps its shape', (passport) => {
    const fake = syntheticValue(seedA, 'passport', passport);
    const shape = (v: string) => v.replace(/[A-Z]/g, 'A').replace(/[a-z]/g, 'a').replace(/\d/g, '9');
    expect(shape(fake)).toBe(shape(passport));
    expect(fake).not.toBe(passport);
  });
});

describe('synthetic api keys', () => {
  it('keeps the provider prefix, the length and the alphabet of the body', () => {
    const github = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
    const fakeGithub = syntheticValue(seedA, 'api_key', github);
    expect(fakeGithub.startsWith('ghp_')).toBe(true);
    expect(fakeGithub).toHaveLength(github.length);
    expect(fakeGithub.slice(4)).toMatch(/^[A-Za-z0-9]+$/);
    expect(fakeGithub).not.toBe(github);

    const aws = 'AKIAIOSFODNN7EXAMPLE';
    expect(syntheticValue(seedA, 'api_key', aws)).toMatch(/^AKIA[A-Z0-9]{16}$/);

    const hex = 'a3f1c9e07b2d4856a3f1c9e07b2d4856';
    const fakeHex = syntheticValue(seedA, 'api_key', hex);
    expect(fakeHex).toMatch(/^[0-9a-f]{32}$/);
    expect(fakeHex).not.toBe(hex);
  });

  it('replaces only the password of a connection string', () => {
    const url = 'postgres://admin:s3cretPass@db.internal:5432/app';
    const fake = syntheticValue(seedA, 'api_key', url);
    expect(fake).toMatch(/^postgres:\/\/admin:[A-Za-z0-9]{10}@db\.internal:5432\/app$/);
    expect(fake).not.toContain('s3cretPass');
  });

  it('keeps the BEGIN/END lines of a PEM key and replaces its body', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7=\n-----END PRIVATE KEY-----';
    const fake = syntheticValue(seedA, 'api_key', pem);
    const lines = fake.split('\n');
    expect(lines[0]).toBe('-----BEGIN PRIVATE KEY-----');
    expect(lines[3]).toBe('-----END PRIVATE KEY-----');
    expect(lines[1]).toHaveLength(32);
    expect(lines[1]).not.toBe('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
    expect(lines[2]!.endsWith('=')).toBe(true);
  });
});

describe('synthetic names and addresses', () => {
  it.each([
    ['John Smith', /^\p{Script=Latin}+ \p{Script=Latin}+$/u],
    ['Maria del Carmen Lopez', /^(?:\p{Script=Latin}+ ){3}[\p{Script=Latin}' -]+$/u],
    ['Иван Петров', /^\p{Script=Cyrillic}+ \p{Script=Cyrillic}+$/u],
    ['王小明', /^\p{Script=Han}+$/u],
    ['김민수', /^\p{Script=Hangul}+$/u],
    ['Γιώργος Παπαδόπουλος', /^[\p{Script=Greek}]+ [\p{Script=Greek}]+$/u],
  ])('person name %s gets a name in the same script and layout', (name, shape) => {
    const fake = syntheticValue(seedA, 'person_name', name);
    expect(fake).toMatch(shape);
    expect(fake).not.toBe(name);
    expect(syntheticValue(seedA, 'person_name', name)).toBe(fake);
  });

  it('keeps an all-capitals name in capitals', () => {
    const fake = syntheticValue(seedA, 'person_name', 'JANE DOE');
    expect(fake).toBe(fake.toUpperCase());
    expect(fake).toMatch(/^\S+ \S+$/);
  });

  it('gives an address in the same script', () => {
    const latin = syntheticValue(seedA, 'address', '221B Baker Street');
    expect(latin).toMatch(/\p{Script=Latin}/u);
    expect(latin).toMatch(/\d/);
    expect(latin).not.toBe('221B Baker Street');
    const cyrillic = syntheticValue(seedA, 'address', 'ул. Ленина, 5');
    expect(cyrillic).toMatch(/\p{Script=Cyrillic}/u);
    expect(syntheticValue(seedA, 'address', 'ул. Ленина, 5')).toBe(cyrillic);
    expect(syntheticValue(seedB, 'address', 'ул. Ленина, 5')).not.toBe(cyrillic);
  });
});

describe('synthetic dates of birth', () => {
  const parts = (value: string, order: 'ymd' | 'dmy') => {
    const [a, b, c] = value.split(/\D+/).map(Number) as [number, number, number];
    return order === 'ymd' ? { y: a, m: b, d: c } : { y: c, m: b, d: a };
  };
  const isRealDate = ({ y, m, d }: { y: number; m: number; d: number }) => {
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  };

  it.each([
    ['1985-03-14', 'ymd', /^\d{4}-\d{2}-\d{2}$/],
    ['14/03/1985', 'dmy', /^\d{2}\/\d{2}\/\d{4}$/],
    ['14.03.1985', 'dmy', /^\d{2}\.\d{2}\.\d{4}$/],
  ] as const)('%s: same layout, a real date with a birth year of 1940-2005', (dob, order, shape) => {
    const fake = syntheticValue(seedA, 'date_of_birth', dob);
    expect(fake).toMatch(shape);
    expect(fake).not.toBe(dob);
    const p = parts(fake, order);
    expect(isRealDate(p)).toBe(true);
    expect(p.y).toBeLessThanOrEqual(2005);
    expect(p.y).toBeGreaterThanOrEqual(1940);
  });

  it('keeps an ambiguous day/month valid either way round', () => {
    for (const dob of ['03/04/1985', '11/12/1990', '01/02/2001']) {
      const [a, b] = syntheticValue(seedA, 'date_of_birth', dob).split('/').map(Number) as [number, number];
      expect(a).toBeLessThanOrEqual(12);
      expect(b).toBeLessThanOrEqual(12);
    }
  });

  it('replaces month names with month names of the same form', () => {
    const full = syntheticValue(seedA, 'date_of_birth', 'March 14th, 1985');
    expect(full).toMatch(/^(?:January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}(?:st|nd|rd|th), \d{4}$/);
    const ordinal = /(\d+)(st|nd|rd|th)/.exec(full)!;
    const day = Number(ordinal[1]);
    expect(ordinal[2]).toBe(day % 10 === 1 && day !== 11 ? 'st' : day % 10 === 2 && day !== 12 ? 'nd' : day % 10 === 3 && day !== 13 ? 'rd' : 'th');
    expect(syntheticValue(seedA, 'date_of_birth', '14 SEP 1985')).toMatch(/^\d{2} (?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC) \d{4}$/);
  });
});

describe('syntheticValue', () => {
  const samples: Array<[EntityType, string]> = [
    ['email', 'ana@mail.pt'],
    ['phone', '(212) 555-0100'],
    ['ssn', '078-05-1120'],
    ['credit_card', '4242424242424242'],
    ['ip_address', '192.0.2.1'],
    ['person_name', 'Ada Lovelace'],
    ['address', '10 Downing Street'],
    ['iban', 'GB82WEST12345698765432'],
    ['date_of_birth', '1815-12-10'],
    ['passport', 'C01X00T47'],
    ['api_key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
  ];
  it.each(samples)('%s: never the input, stable per seed, different under another seed', (type, value) => {
    const fake = syntheticValue(seedA, type, value);
    expect(fake).not.toBe(value);
    expect(syntheticValue(seedA, type, value)).toBe(fake);
    expect(syntheticValue(seedB, type, value)).not.toBe(fake);
  });
});

describe('syntheticOperator', () => {
  it('fakes each value as syntheticValue does under its seed', () => {
    const operator = syntheticOperator(seedA);
    expect(operator.fake('email', 'ada@example.org')).toBe(syntheticValue(seedA, 'email', 'ada@example.org'));
    expect(operator.fake('email', 'ada@example.org')).not.toBe(syntheticOperator(seedB).fake('email', 'ada@example.org'));
  });

  it('refuses a seed shorter than 128 bits, whose fakes of small domains could be tabulated', () => {
    expect(() => syntheticOperator(new Uint8Array(15))).toThrow(/at least 16 bytes/);
  });
});
