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

  it('finds addresses obfuscated with bracketed markers (0.9), and bare "at … dot …" only below the default threshold (0.45)', () => {
    const found = (text: string) => emailRecognizer.find(text).map((f) => [text.slice(f.start, f.end), f.score, f.recognizer]);
    expect(found('Contact jane.doe [at] example [dot] com for details')).toEqual([['jane.doe [at] example [dot] com', 0.9, 'email.obfuscated']]);
    expect(found('prof: k.tanaka(at)cs.example.ac.jp, office 3F')).toEqual([['k.tanaka(at)cs.example.ac.jp', 0.9, 'email.obfuscated']]);
    expect(found('bob {at} mail {dot} example {dot} net; ann < at > example.org')).toEqual([
      ['bob {at} mail {dot} example {dot} net', 0.9, 'email.obfuscated'],
      ['ann < at > example.org', 0.9, 'email.obfuscated'],
    ]);
    expect(found('write john AT example DOT org')).toEqual([['john AT example DOT org', 0.45, 'email.obfuscated']]);
    expect(found('Contact: jane At example Dot com')).toEqual([['jane At example Dot com', 0.45, 'email.obfuscated']]);
    expect(found('I work at acme [dot] com')).toEqual([['work at acme [dot] com', 0.45, 'email.obfuscated']]); // bare "at": prose or not, a context word decides
    // prose: a bare "at" before a plain domain, "that)" closing a bracket, file names, no TLD
    for (const prose of ['It is available at github.com/foo', 'as described (see that) at length', 'logo [at] 2x [dot] png', 'see table (at) row [dot] 5', 'Meet me at noon dot']) expect(found(prose)).toEqual([]);
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

  it('ends an ASCII TLD where a script written without spaces (or a Korean particle) glued to it starts', () => {
    expect(values('john.doe@example.jpまで、jane@example.comです。')).toEqual(['john.doe@example.jp', 'jane@example.com']);
    expect(values('อีเมล somchai@example.co.thครับ, 메일은 kim@example.kr으로')).toEqual(['somchai@example.co.th', 'kim@example.kr']);
    expect(values('info@例え.みんな and user@example.com')).toEqual(['info@例え.みんな', 'user@example.com']);
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

  it('finds internationalised local parts whole, never from the middle of a word (RFC 6531)', () => {
    expect(values('Schreib an jörg@example.de oder müller@example.de.')).toEqual(['jörg@example.de', 'müller@example.de']);
    expect(values('escriba a señor@example.es')).toEqual(['señor@example.es']);
    expect(values('jаne@corp.com')).toEqual(['jаne@corp.com']); // Cyrillic а: a homoglyph must not leave "jа" behind
    expect(values('δοκιμή@παράδειγμα.δοκιμή and 用户@例子.广告')).toEqual(['δοκιμή@παράδειγμα.δοκιμή', '用户@例子.广告']);
    expect(values('jo\u0308rg@example.de')).toEqual(['jo\u0308rg@example.de']); // decomposed ö (combining mark)
    expect(values('𝒶lice@example.com')).toEqual(['𝒶lice@example.com']); // a letter outside the BMP
  });

  it('finds inner apostrophes (RFC 5322 atext) but not the quotes around an address', () => {
    expect(values("mail o'brien@example.ie today")).toEqual(["o'brien@example.ie"]);
    expect(values('mail o’brien@example.ie today')).toEqual(['o’brien@example.ie']);
    expect(values("'o'brien@example.ie' and 'bob@example.com'")).toEqual(["o'brien@example.ie", 'bob@example.com']);
    expect(values("he said it's bob@example.com")).toEqual(['bob@example.com']);
    expect(values("x'@example.com 'x@example.com")).toEqual(['x@example.com']); // a trailing quote is no atext
  });

  it('starts an address glued to a script written without spaces where that script ends', () => {
    expect(values('请发送至john@example.com')).toEqual(['john@example.com']);
    expect(values('メールはjohn.doe@example.jp。')).toEqual(['john.doe@example.jp']);
  });

  it('refuses a local part longer than RFC 5321 allows rather than cutting it', () => {
    expect(values(`${'ö'.repeat(65)}@example.com`)).toEqual([]);
    expect(values(`${'ö'.repeat(64)}@example.com`)).toEqual([`${'ö'.repeat(64)}@example.com`]);
  });

  it('keeps the punctuation around an address out of it, in any script', () => {
    expect(values('«jörg@example.de» „ann@example.org“ —bob@example.com url=eve@example.com')).toEqual([
      'jörg@example.de',
      'ann@example.org',
      'bob@example.com',
      'eve@example.com',
    ]);
    expect(values('jörg..x@example.de ö.@example.de')).toEqual([]);
  });
});
