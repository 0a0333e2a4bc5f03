import { describe, expect, it } from 'vitest';
import { thrownBy } from '../../../support/thrown.js';
import { isLangtrainError } from '../../../../src/core/errors.js';
import { ALPHANUMERIC, DIGITS, FpeCipher } from '../../../../src/crypto/fpe-ff1.js';
import type { EntityType, Finding } from '../../../../src/privacy/pii/entity-types.js';
import {
  decryptValue,
  redactText,
  type EncryptOperator,
  type RedactionOperator,
} from '../../../../src/privacy/pii/redaction/operators.js';
import { syntheticOperator } from '../../../../src/privacy/pii/redaction/synthetic-values.js';

const key = new Uint8Array(32).fill(7);
const otherKey = new Uint8Array(32).fill(8);
const cipher = new FpeCipher({ key, alphabet: DIGITS });

/** Findings for the listed values, located in `text` in order (each value's first occurrence after the previous one). */
function findingsIn(text: string, ...entries: Array<[EntityType, string]>): Finding[] {
  let from = 0;
  return entries.map(([type, value]) => {
    const start = text.indexOf(value, from);
    if (start < 0) throw new Error(`${value} not in text`);
    from = start + value.length;
    return { start, end: start + value.length, type, score: 1, recognizer: 'test' };
  });
}

const text = 'Card 4111 1111 1111 1111, mail jane.doe@mail.example.co.uk, call +1 (415) 867-5309 or SSN 078-05-1120.';
const findings = findingsIn(
  text,
  ['credit_card', '4111 1111 1111 1111'],
  ['email', 'jane.doe@mail.example.co.uk'],
  ['phone', '+1 (415) 867-5309'],
  ['ssn', '078-05-1120'],
);

const operators: Array<[string, RedactionOperator]> = [
  ['masking', { method: 'masking' }],
  ['masking, preserveFormat', { method: 'masking', preserveFormat: true }],
  ['synthetic', syntheticOperator(key)],
  ['removal', { method: 'removal' }],
  ['hash', { method: 'hash', key }],
];

describe('redactText offsets', () => {
  it.each(operators)('%s: the text between replacements is the original text between findings', (_name, operator) => {
    const out = redactText(text, findings, operator);
    expect(out.replacements).toHaveLength(findings.length);
    let previousIn = 0;
    let previousOut = 0;
    out.replacements.forEach((r, i) => {
      expect([r.start, r.end, r.type]).toEqual([findings[i]!.start, findings[i]!.end, findings[i]!.type]);
      const between = text.slice(previousIn, r.start);
      // Removal drops the space after a removed value that would otherwise double one.
      const expected = operator.method === 'removal' && previousIn > 0 ? [between, between.replace(/^ /, '')] : [between];
      expect(expected).toContain(out.text.slice(previousOut, r.replacementStart));
      expect(r.replacementEnd).toBeGreaterThanOrEqual(r.replacementStart);
      previousIn = r.end;
      previousOut = r.replacementEnd;
    });
    expect(out.text.slice(previousOut)).toBe(text.slice(previousIn));
    for (const f of findings) expect(out.text).not.toContain(text.slice(f.start, f.end));
  });

  it('points each replacement at its tag in the output', () => {
    const out = redactText(text, findings, { method: 'masking' });
    expect(out.replacements.map((r) => out.text.slice(r.replacementStart, r.replacementEnd))).toEqual(['<CREDIT_CARD>', '<EMAIL>', '<PHONE>', '<SSN>']);
    expect(out.text).toBe('Card <CREDIT_CARD>, mail <EMAIL>, call <PHONE> or SSN <SSN>.');
  });

  it('points each replacement at its synthetic value in the output', () => {
    const out = redactText(text, findings, syntheticOperator(key));
    const [card, email, phone, ssn] = out.replacements.map((r) => out.text.slice(r.replacementStart, r.replacementEnd));
    expect(card).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(email).toMatch(/@example\.(?:com|org|net)$/);
    expect(phone).toMatch(/^\+1 \(\d{3}\) 555-01\d\d$/);
    expect(ssn).toMatch(/^9\d\d-\d\d-\d{4}$/);
  });

  it('refuses overlapping, unsorted or out-of-range findings', () => {
    const a: Finding = { start: 5, end: 10, type: 'phone', score: 1, recognizer: 't' };
    const overlapping: Finding = { ...a, start: 8, end: 12 };
    for (const bad of [[a, overlapping], [overlapping, a], [{ ...a, end: text.length + 1 }]]) {
      expect(() => redactText(text, bad, { method: 'removal' })).toThrow(/sorted by start and not overlapping/);
    }
  });

  it('returns the text unchanged when there is nothing to redact', () => {
    expect(redactText(text, [], { method: 'masking' })).toEqual({ text, replacements: [] });
  });
});

describe('masking with preserveFormat', () => {
  const mask = (value: string, type: EntityType) =>
    redactText(value, [{ start: 0, end: value.length, type, score: 1, recognizer: 't' }], { method: 'masking', preserveFormat: true }).text;

  it('keeps length, separators and the last four digits of cards and phones', () => {
    expect(mask('4111 1111 1111 1111', 'credit_card')).toBe('**** **** **** 1111');
    expect(mask('3782-822463-10005', 'credit_card')).toBe('****-******-*0005');
    expect(mask('+1 (415) 867-5309', 'phone')).toBe('+* (***) ***-5309');
  });

  it('keeps the last four characters of an IBAN', () => {
    expect(mask('GB82 WEST 1234 5698 7654 32', 'iban')).toBe('**** **** **** **** **54 32');
  });

  it('masks both the local part and the domain labels of an email, keeping @ and dots', () => {
    expect(mask('jane.doe@mail.example.co.uk', 'email')).toBe('****.***@****.*******.**.**');
  });

  it('shows nothing of an SSN, a name or a short number', () => {
    expect(mask('078-05-1120', 'ssn')).toBe('***-**-****');
    expect(mask('José Ñúñez', 'person_name')).toBe('**** *****');
    expect(mask('5309', 'phone')).toBe('****');
  });

  it('keeps the UTF-16 length for letters outside the BMP and combining marks', () => {
    const name = '𠀋田 José';
    const masked = mask(name, 'person_name');
    expect(masked).toHaveLength(name.length);
    expect(masked).toMatch(/^\*+ \*+$/);
  });
});

describe('removal', () => {
  it('leaves no double space behind', () => {
    const input = 'Call John Smith today, or mail a@b.co now';
    const out = redactText(input, findingsIn(input, ['person_name', 'John Smith'], ['email', 'a@b.co']), { method: 'removal' });
    expect(out.text).toBe('Call today, or mail now');
    expect(out.text).not.toMatch(/ {2}/);
    expect(out.replacements.map((r) => [r.replacementStart, r.replacementEnd])).toEqual([
      [5, 5],
      [20, 20],
    ]);
  });

  it('collapses adjacent removals to one space and keeps a space not doubled', () => {
    const input = 'to a@b.co c@d.co from x';
    const out = redactText(input, findingsIn(input, ['email', 'a@b.co'], ['email', 'c@d.co']), { method: 'removal' });
    expect(out.text).toBe('to from x');
    const punctuated = redactText('Hi Ana, bye', findingsIn('Hi Ana, bye', ['person_name', 'Ana']), { method: 'removal' });
    expect(punctuated.text).toBe('Hi , bye');
  });
});

describe('hash', () => {
  const input = 'a@b.co wrote to a@b.co and c@d.co';
  const emails = findingsIn(input, ['email', 'a@b.co'], ['email', 'a@b.co'], ['email', 'c@d.co']);
  const tokens = (k: Uint8Array) => {
    const out = redactText(input, emails, { method: 'hash', key: k });
    return out.replacements.map((r) => out.text.slice(r.replacementStart, r.replacementEnd));
  };

  it('gives equal values equal tokens and different values different tokens', () => {
    const [first, second, third] = tokens(key);
    expect(first).toMatch(/^<EMAIL:[0-9a-f]{16}>$/);
    expect(second).toBe(first);
    expect(third).not.toBe(first);
  });

  it('gives other tokens under another key', () => {
    expect(tokens(otherKey)[0]).not.toBe(tokens(key)[0]);
  });

  it('gives one value one token however it is written, so joins survive spelling', () => {
    const tokenOf = (type: EntityType, value: string) => redactText(value, [{ start: 0, end: value.length, type, score: 1, recognizer: 'test' }], { method: 'hash', key }).text;
    const spellings: Array<[EntityType, string[]]> = [
      ['email', ['Jane.Doe@Corp.com', 'jane.doe@corp.com']],
      ['phone', ['(415) 555-0134', '+1 415 555 0134', '001 415 555 0134', '415.555.0134']],
      ['phone', ['0044 7700 900123', '+44 7700 900123', '+44 (0) 7700 900123']],
      ['credit_card', ['4111 1111 1111 1111', '4111-1111-1111-1111', '4111111111111111']],
      ['iban', ['DE89 3704 0044 0532 0130 00', 'de89370400440532013000']],
      ['person_name', ['Jane  Doe', 'jane doe']],
    ];
    for (const [type, values] of spellings) {
      expect(new Set(values.map((v) => tokenOf(type, v))).size, `${type}: ${values.join(' | ')}`).toBe(1);
    }
    // other values stay apart, and the same digits as another type are another token
    expect(tokenOf('phone', '(415) 555-0135')).not.toBe(tokenOf('phone', '(415) 555-0134'));
    expect(tokenOf('ssn', '123456789').slice(5)).not.toBe(tokenOf('phone', '123456789').slice(7));
  });

  it('gives a value with invisible characters inside (scraped text) the token of the plain one', () => {
    const hidden = 'a\u200b@b.co';
    const out = redactText(hidden, findingsIn(hidden, ['email', hidden]), { method: 'hash', key });
    expect(out.text).toBe(tokens(key)[0]);
  });
});

describe('encrypt (FF1)', () => {
  const operator: EncryptOperator = { method: 'encrypt', cipher, context: 'customers.notes' };

  it('keeps the format and round-trips every value', () => {
    const digitFindings = findings.filter((f) => f.type !== 'email');
    const out = redactText(text, digitFindings, operator);
    expect(out.replacements).toHaveLength(3);
    out.replacements.forEach((r) => {
      const original = text.slice(r.start, r.end);
      const encrypted = out.text.slice(r.replacementStart, r.replacementEnd);
      expect(encrypted.replace(/\d/g, '#')).toBe(original.replace(/\d/g, '#'));
      expect(encrypted).not.toBe(original);
      expect(decryptValue(encrypted, r.type, operator)).toBe(original);
    });
  });

  it('encrypts only the digits of an IBAN and round-trips it', () => {
    const iban = 'DE89 3704 0044 0532 0130 00';
    const out = redactText(iban, findingsIn(iban, ['iban', iban]), operator);
    expect(out.text.slice(0, 2)).toBe('DE');
    expect(out.text.replace(/\d/g, '#')).toBe(iban.replace(/\d/g, '#'));
    expect(decryptValue(out.text, 'iban', operator)).toBe(iban);
  });

  it('binds ciphertexts to the entity type and the context', () => {
    const digits = '4111111111111111';
    const as = (type: EntityType, op: EncryptOperator) => redactText(digits, findingsIn(digits, [type, digits]), op).text;
    expect(as('credit_card', operator)).not.toBe(as('phone', operator));
    expect(as('credit_card', operator)).not.toBe(as('credit_card', { ...operator, context: 'other.table' }));
    expect(decryptValue(as('credit_card', operator), 'credit_card', { ...operator, context: 'other.table' })).not.toBe(digits);
  });

  it('refuses types that are not digit strings, naming the supported ones', () => {
    const input = 'mail a@b.co';
    const caught = thrownBy(() => redactText(input, findingsIn(input, ['email', 'a@b.co']), operator));
    expect(isLangtrainError(caught, 'ERR_INVALID_INPUT')).toBe(true);
    expect((caught as Error).message).toBe('format-preserving encryption supports credit_card, phone, ssn, iban; not email');
  });

  it('refuses a cipher over another alphabet', () => {
    const letters: EncryptOperator = { method: 'encrypt', cipher: new FpeCipher({ key, alphabet: ALPHANUMERIC }) };
    expect(() => redactText('078-05-1120', findingsIn('078-05-1120', ['ssn', '078-05-1120']), letters)).toThrow(/over DIGITS/);
  });
});
