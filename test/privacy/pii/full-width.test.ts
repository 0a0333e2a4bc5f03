import { describe, expect, it } from 'vitest';
import { PIIDetector } from '../../../src/privacy/pii/pii-detector.js';
import { buildRecordRedactor } from '../../../src/privacy/pii/redactor.js';
import { syntheticOperator } from '../../../src/privacy/pii/redaction/synthetic-values.js';
import { foldForScan, foldFullWidth, foldValue } from '../../../src/privacy/pii/full-width.js';
import { foldInvisible } from '../../../src/privacy/pii/invisible-chars.js';

/** Digits, letters and punctuation typed full-width, as CJK input methods do. */
const PHONE = '０９０－１２３４－５６７８';
const CARD = '４１１１　１１１１　１１１１　１１１１';
const EMAIL = 'ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ';
const IP = '１９２．１６８．０．１';
const text = `電話：${PHONE}、カード番号 ${CARD}、メール：${EMAIL}、ＩＰ：${IP}`;
const found = (t: string) => new PIIDetector().detect(t).map((f) => [f.type, t.slice(f.start, f.end)]);

describe('full-width forms', () => {
  it('fold to ASCII one unit for one, so offsets hold', () => {
    expect(foldFullWidth(`${PHONE}　${EMAIL}`)).toBe('090-1234-5678 taro@example.co.jp');
    expect(foldFullWidth(text)).toHaveLength(text.length);
    expect(foldFullWidth('plain text, ünïcode 東京')).toBe('plain text, ünïcode 東京');
  });

  it('leave the sentence punctuation of CJK prose alone, so a Chinese sentence does not read as a CSV row', () => {
    expect(foldFullWidth('你好，请联系：李明；谢谢！好吗？')).toBe('你好，请联系：李明；谢谢！好吗？');
    const csv = '2017年8月13日，护照号码：E14669392。 employee_id,name,ssn\n6722,Heather Ashby,643-15-2752';
    expect(new PIIDetector().detect(csv).find((f) => f.type === 'person_name')).toMatchObject({ start: csv.indexOf('Heather'), score: 0.95 });
  });

  it('are found where they stand in the original text', () => {
    expect(found(text)).toEqual([
      ['phone', PHONE],
      ['credit_card', CARD],
      ['email', EMAIL],
      ['ip_address', IP],
    ]);
  });

  it('stay hard negatives where the ASCII form is one: an order number, a version, a card failing Luhn', () => {
    expect(found('注文番号：１２３４５６７８９０')).toEqual([]);
    expect(found('ｖｅｒｓｉｏｎ　１．２．３')).toEqual([]);
    expect(found('カード番号 ４１１１　１１１１　１１１１　１１１２')).toEqual([]);
  });

  it('are redacted by every method: fakes, hashes and ciphertexts are made from the ASCII fold, so no full-width digit of a value survives', () => {
    const fullWidthRuns = /[\uFF10-\uFF19]{4}/;
    for (const redaction of [
      { method: 'masking', preserveFormat: false },
      { method: 'removal' },
      { method: 'hash', key: new Uint8Array(32).fill(7) },
    ] as const) {
      const redactor = buildRecordRedactor({ scan: { threshold: 0.5 }, redaction }, null);
      const out = redactor.redact(text, redactor.detectAll([text])[0]!);
      expect(out, redaction.method).not.toMatch(fullWidthRuns);
      expect(out).not.toContain(EMAIL);
    }
    const synthetic = buildRecordRedactor({ scan: { threshold: 0.5 }, redaction: { method: 'synthetic', seed: new Uint8Array(32) } }, syntheticOperator);
    const faked = synthetic.redact(text, synthetic.detectAll([text])[0]!);
    expect(faked).not.toMatch(fullWidthRuns);
    expect(faked).toMatch(/カード番号 4\d{3} \d{4} \d{4} \d{4}、/); // a format-valid fake card, in ASCII
    const encrypt = buildRecordRedactor({ scan: { types: ['phone', 'credit_card'], threshold: 0.5 }, redaction: { method: 'encrypt', key: new Uint8Array(32).fill(9) } }, null);
    const sealed = encrypt.redact(text, encrypt.detectAll([text])[0]!);
    expect(sealed).toMatch(/^電話：\d{3}-\d{4}-\d{4}、カード番号 \d{4} \d{4} \d{4} \d{4}、/);
    expect(sealed).not.toContain('5678');
  });

  it('keep their last four digits, full-width, under masking with preserveFormat', () => {
    const { text: masked } = new PIIDetector().redact(`電話：${PHONE} カード ${CARD}`, { preserveFormat: true });
    expect(masked).toBe('電話：***－****－５６７８ カード ****　****　****　１１１１');
  });
});

describe('invisible characters inside values (ZWSP, ZWNJ, ZWJ, WORD JOINER, BOM, SOFT HYPHEN)', () => {
  const spans = (t: string) => new PIIDetector().detect(t).map((f) => [f.type, f.start, f.end]);

  it('no longer hide a value: it is found, and its span in the original text covers them', () => {
    const email = 'mail jane\u200b@corp.com now';
    expect(spans(email)).toEqual([['email', 5, 19]]);
    const card = 'card 4111\u200b1111\u200b1111\u200b1111 ok';
    expect(spans(card)).toEqual([['credit_card', 5, 24]]);
    const name = 'Contact Jane\u200bDoe today';
    expect(spans(name)).toEqual([['person_name', 8, 16]]);
    for (const invisible of ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad']) {
      const text = `mail ja${invisible}ne@co${invisible}rp.com, tel +1 415${invisible}555 0134`;
      expect(new PIIDetector().detect(text).map((f) => [f.type, text.slice(f.start, f.end)]), JSON.stringify(invisible)).toEqual([
        ['email', `ja${invisible}ne@co${invisible}rp.com`],
        ['phone', `+1 415${invisible}555 0134`],
      ]);
    }
  });

  it('standing where a group separator would be, are read as it: the card is found, its span covering them', () => {
    for (const card of [
      '4111\u200b1111 1111 1111', // the docs' example: a ZWSP in place of one group's space
      '4111 1111 1111\u200b1111',
      '4111\u200b\u2060\u200b1111 1111 1111', // a run
      '4111\u200b1111\u200b1111 1111',
      '4111-1111\u200b1111-1111',
      '3782\u200b822463 10005', // Amex 4-6-5
      '41\u200b11 1111 1111 1111', // inside a group: removed
      '4111 1111 1\u00ad111 1111',
      '3782 822\u200b463 10005',
    ]) {
      const text = `card ${card} ok`;
      expect(spans(text), JSON.stringify(card)).toEqual([['credit_card', 5, 5 + card.length]]);
    }
    const iban = 'IBAN DE89 3704\u200b0044 0532 0130 00';
    expect(found(iban)).toEqual([['iban', 'DE89 3704\u200b0044 0532 0130 00']]);
  });

  it('between digits are read as a separator only beside a group of at least 4, with separated groups around', () => {
    expect(foldInvisible('4111\u200b1111 1111').text).toBe('4111 1111 1111');
    expect(foldInvisible('4111 1111-1111\u200b1111').text).toBe('4111 1111-1111-1111');
    expect(foldInvisible('41\u200b11 1111').text).toBe('4111 1111'); // inside a group
    expect(foldInvisible('4111 1111\u200b11 1111').text).toBe('4111 111111 1111'); // a short run with groups after it
    expect(foldInvisible('4111\u200b1111\u200b1111').text).toBe('411111111111'); // no group separated
    const folded = foldInvisible('x 4111\u200b\u200b1111 1111');
    expect(folded.text).toBe('x 4111 1111 1111');
    expect([6, 7].map((i) => folded.offsets!.original(i))).toEqual([6, 8]); // the separator is the run's first character
  });

  it('just outside a value stay outside its span', () => {
    const text = '\u200b\u200bjane@corp.com\u200b and \ufeff+1 415 555 0134\u2060.';
    expect(new PIIDetector().detect(text).map((f) => text.slice(f.start, f.end))).toEqual(['jane@corp.com', '+1 415 555 0134']);
  });

  it('fold together with full-width forms', () => {
    const text = 'メール：ｊａｎｅ\u200b＠ｃｏｒｐ．ｃｏｍ';
    expect(found(text)).toEqual([['email', 'ｊａｎｅ\u200b＠ｃｏｒｐ．ｃｏｍ']]);
  });

  it('are kept where they carry meaning: emoji sequences, Persian and Indic spelling, Khmer and Thai word breaks', () => {
    for (const text of ['👨\u200d👩\u200d👧 family', 'می\u200cخواهم', 'क्\u200dष', 'ខ្ញុំ\u200bឈ្មោះ', 'สวัสดี\u200bครับ']) {
      expect(foldInvisible(text), text).toEqual({ text, offsets: undefined });
    }
  });

  it('are removed only next to Latin, Greek, Cyrillic, ASCII or a blank, a ZWSP between a lower- and an upper-case letter read as a space', () => {
    const folded = foldInvisible('a\u200bb Jane\u200bDoe Jo\u00adhann Ива\u200bн \u200b\u200bx');
    expect(folded.text).toBe('ab Jane Doe Johann Иван x');
    const map = folded.offsets!;
    expect([0, 1, 2].map((i) => map.original(i))).toEqual([0, 2, 3]);
    expect(map.start(1)).toBe(2);
    expect(map.end(2)).toBe(3); // "ab": covers the ZWSP inside it
  });

  it('cost the texts without any one regex test and no copy', () => {
    const plain = 'plain text, ünïcode 東京, ０９０';
    expect(foldForScan('plain text, ünïcode 東京')).toEqual({ text: 'plain text, ünïcode 東京', offsets: undefined });
    expect(foldForScan(plain)).toEqual({ text: foldFullWidth(plain), offsets: undefined });
  });

  it('are left out of the value fakes, hashes and ciphertexts are made from', () => {
    expect(foldValue('４１１１\u200b1111\u00ad')).toBe('41111111');
  });
});
