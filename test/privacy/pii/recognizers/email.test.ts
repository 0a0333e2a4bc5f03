import { describe, expect, it } from 'vitest';
import { emailRecognizer } from '../../../../src/privacy/pii/recognizers/email.js';

const values = (text: string): string[] => emailRecognizer.find(text).map((f) => text.slice(f.start, f.end));

describe('emailRecognizer', () => {
  it('finds an address with exact offsets', () => {
    const text = 'Write to john.doe+news@example.com today.';
    const [finding] = emailRecognizer.find(text);
    expect(finding).toMatchObject({ start: 9, end: 34, type: 'email', recognizer: 'email.rfc5322' });
    expect(finding?.score).toBeGreaterThanOrEqual(0.95);
  });

  it('finds dot-atom local parts, subdomains and multi-label TLDs', () => {
    expect(values('a.b_c%d-e@mail.example.co.uk, x@example.org')).toEqual(['a.b_c%d-e@mail.example.co.uk', 'x@example.org']);
  });

  it('finds IDN and punycode domains', () => {
    expect(values('kontakt: info@bücher.example und admin@xn--bcher-kva.example')).toEqual([
      'info@bücher.example',
      'admin@xn--bcher-kva.example',
    ]);
    expect(values('mail to user@example.xn--p1ai please')).toEqual(['user@example.xn--p1ai']);
  });

  it('stops at surrounding punctuation', () => {
    expect(values('<alice@example.net>; (bob@example.com). "carol@example.org"')).toEqual([
      'alice@example.net',
      'bob@example.com',
      'carol@example.org',
    ]);
    expect(values('mailto:dave@example.com')).toEqual(['dave@example.com']);
  });

  it('refuses hosts without a TLD, @handles and bare a@b', () => {
    expect(values('user@localhost')).toEqual([]);
    expect(values('thanks @jane_doe and @team')).toEqual([]);
    expect(values('a@b')).toEqual([]);
    expect(values('user@example.c')).toEqual([]);
    expect(values('npm i lodash@4.17.21 @types/node@20.1.0')).toEqual([]);
  });

  it('refuses broken dot-atoms', () => {
    expect(values('john..doe@example.com')).toEqual([]);
    expect(values('john.@example.com')).toEqual([]);
    expect(values('.john@example.com')).toEqual(['john@example.com']);
  });

  it('refuses asset names and URL credentials', () => {
    expect(values('<img src="logo@2x.png"> icon@3x.jpg')).toEqual([]);
    expect(values('postgres://admin:s3cret@db.example.com/app')).toEqual([]);
  });

  it('returns nothing for text without @', () => {
    expect(emailRecognizer.find('no addresses here, example.com')).toEqual([]);
  });

  it('refuses the host after a URL password holding any character', () => {
    expect(values('mongodb+srv://admin:yVFW6!WJzpHyz@cluster0.example.net/db')).toEqual([]);
    expect(values('redis://:tQdFb#IPYJVZQoRt@cache.internal:6379/0')).toEqual([]);
    expect(values('see https://example.com/u/ann@example.org now')).toEqual(['ann@example.org']); // in a path
  });
});
