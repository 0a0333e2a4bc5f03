import { describe, expect, it } from 'vitest';
import { PIIDetector } from '../../../src/privacy/pii/pii-detector.js';
import { buildRecordRedactor } from '../../../src/privacy/pii/redactor.js';
import { syntheticOperator } from '../../../src/privacy/pii/redaction/synthetic-values.js';
import { foldFullWidth } from '../../../src/privacy/pii/full-width.js';

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
