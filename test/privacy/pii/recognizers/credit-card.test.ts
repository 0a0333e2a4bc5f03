import { describe, expect, it } from 'vitest';
import { PIIDetector } from '../../../../src/privacy/pii/pii-detector.js';
import { creditCardRecognizer } from '../../../../src/privacy/pii/recognizers/credit-card.js';

const values = (text: string): string[] => creditCardRecognizer.find(text).map((f) => text.slice(f.start, f.end));

/** Issuers' published test card numbers (Stripe, Adyen, PayPal/Braintree test-card lists). */
const TEST_CARDS = [
  '4111 1111 1111 1111', // Visa
  '4012888888881881', // Visa
  '4222222222222', // Visa, 13 digits
  '5555 5555 5555 4444', // Mastercard
  '5105-1051-0510-5100', // Mastercard
  '2223003122003222', // Mastercard 2-series
  '3782 822463 10005', // American Express
  '371449635398431', // American Express
  '6011 1111 1111 1117', // Discover
  '6011000990139424', // Discover
  '3530111333300000', // JCB
  '3566002020360505', // JCB
  '30569309025904', // Diners Club
  '38520000023237', // Diners Club
  '6200000000000005', // UnionPay
];

describe('creditCardRecognizer', () => {
  it('finds a grouped card with exact offsets and a strong score', () => {
    const text = 'Card: 4111 1111 1111 1111, exp 12/29';
    const [finding] = creditCardRecognizer.find(text);
    expect(finding).toMatchObject({ start: 6, end: 25, type: 'credit_card', recognizer: 'credit_card.luhn', score: 1 });
  });

  it.each(TEST_CARDS)('finds the published test card %s', (card) => {
    expect(values(`pay with ${card} now`)).toEqual([card]);
  });

  it('refuses 16-digit numbers that fail Luhn', () => {
    expect(values('4111 1111 1111 1112')).toEqual([]);
    expect(values('5555555555554445')).toEqual([]);
  });

  it('refuses Luhn-valid numbers without a known issuer or with a wrong length', () => {
    expect(values('1234567812345670')).toEqual([]); // Luhn-valid, no issuer starts with 1
    expect(values('41111111111111113')).toEqual([]); // Luhn-valid Visa prefix, 17 digits
    expect(values('37828224631003')).toEqual([]); // Luhn-valid Amex prefix, 14 digits
  });

  it('refuses cards inside longer digit runs', () => {
    expect(values('94111111111111111')).toEqual([]);
    expect(values('41111111111111119')).toEqual([]);
    expect(values('1234 4111 1111 1111 1111')).toEqual([]);
    expect(values('ref 4111-1111-1111-1111-22')).toEqual([]);
  });

  it('refuses mixed separators and non-card grouping', () => {
    expect(values('4111 1111-1111 1111')).toEqual([]);
    expect(values('41 11 11 11 11 11 11 11')).toEqual([]);
  });

  it('scores unbroken digits lower than printed card groups', () => {
    const [grouped] = creditCardRecognizer.find('4111 1111 1111 1111');
    const [unbroken] = creditCardRecognizer.find('4111111111111111');
    expect(unbroken?.score).toBeLessThan(grouped?.score ?? 0);
  });

  it('finds cards in CSV fields next to other numbers', () => {
    const text = 'payments.csv: 421458,4111 1111 1111 1111,$96.60,2021-04-13';
    expect(creditCardRecognizer.find(text)[0]).toMatchObject({ start: 21, end: 40 });
    expect(values('2870,4111111111111111,8018/28,72')).toEqual(['4111111111111111']);
    expect(values('total 1,4111111111111111 units')).toEqual([]); // one number with a comma, not a field
  });

  it('refuses digits inside hex hashes and other words', () => {
    expect(values('see commit/8e50e91f51aa5038745526710ef2c0ffee for the fix')).toEqual([]);
    expect(values('sha256 a4111111111111111 4111111111111111f')).toEqual([]);
    expect(values('x4111 1111 1111 1111 and 4111 1111 1111 1111y')).toEqual([]);
    expect(values('é4111111111111111 and 4111111111111111ж')).toEqual([]); // letters of other scripts
    expect(values('id_4111111111111111 (4111111111111111) "4111111111111111"')).toEqual([
      '4111111111111111',
      '4111111111111111',
      '4111111111111111',
    ]);
  });

  it('scores 13–15 unbroken digits under the 0.95 threshold unless a card word is before them', () => {
    const score = (text: string): number | undefined => creditCardRecognizer.find(text)[0]?.score;
    expect(score('id 4285458332395')).toBeLessThan(0.95);
    expect(score('ref 371449635398431')).toBeLessThan(0.95);
    expect(score('x 30569309025904')).toBeLessThan(0.95);
    expect(score('4012888888881881')).toBe(0.95); // 16 digits stay as they were
    expect(score('3782 822463 10005')).toBe(1); // grouped: the printed card layout
    const strict = new PIIDetector({ confidenceThreshold: 0.95, detectionTypes: ['credit_card'] });
    const found = (text: string): string[] => strict.detect(text).map((f) => text.slice(f.start, f.end));
    expect(found('id 4285458332395')).toEqual([]);
    expect(found('card 4285458332395')).toEqual(['4285458332395']);
    expect(found('Amex: 371449635398431')).toEqual(['371449635398431']);
    expect(found('user 371449635398431')).toEqual([]);
    expect(found('acct 4012888888881881')).toEqual(['4012888888881881']);
  });

  it('takes a CSV column headed as a card for the card word of 13–15 unbroken digits', () => {
    const csv = 'customer_id,card_number,expiry\n2870,30544848577665,8018/28\n2871,4285458332395,01/29';
    expect(creditCardRecognizer.find(csv).map((f) => f.cued)).toEqual([true, true]);
    expect(creditCardRecognizer.find('customer_id;ccNumber\r\n2870;371449635398431')[0]?.cued).toBe(true);
    expect(creditCardRecognizer.find('customer_id,account_id\n2870,30544848577665')[0]?.cued).toBeUndefined();
    expect(creditCardRecognizer.find('card_number,customer_id\n2870,30544848577665')[0]?.cued).toBeUndefined(); // another column
    const strict = new PIIDetector({ confidenceThreshold: 0.95, detectionTypes: ['credit_card'] });
    expect(strict.detect(csv).map((f) => csv.slice(f.start, f.end))).toEqual(['30544848577665', '4285458332395']);
  });
});
