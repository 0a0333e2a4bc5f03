import { describe, expect, it } from 'vitest';
import { AuditedFieldNames } from '../../../src/privacy/pii/audited-field-names.js';

/** Field paths as the audit log gets them (dataset-redaction.test.ts checks them in a job's events). */
describe('AuditedFieldNames', () => {
  it('masks what keys hold by its type, and a key of seven or more digits as <digits>', () => {
    const names = new AuditedFieldNames();
    expect(names.of('contacts[0].carol@example.com')).toBe('contacts[0].<email>');
    expect(names.of('cards.4111 1111 1111 1111')).toBe('cards.<credit_card>');
    expect(names.of('ips.203.0.113.5')).toBe('ips.<ip_address>');
    expect(names.of('byPhone.4155550134')).toBe('byPhone.<digits>');
    expect(names.of('accounts[0].9012345.balance')).toBe('accounts[0].<digits>.balance');
    expect(names.of('messages[].content')).toBe('messages[].content');
    expect(names.of('ids.123456')).toBe('ids.123456'); // six digits: an order number, a small id
  });

  it('keeps a key whose long digits are a day of this or the next century (YYYYMMDD, YYYYMMDDhhmmss), as daily partitions write them, unless a birth is named', () => {
    const names = new AuditedFieldNames();
    for (const field of ['daily.20260115.total', 'snapshots.20260115123000', 'exports.export_20260115', 'leap.20240229']) {
      expect(names.of(field), field).toBe(field);
    }
    // not a real day or time, a year out of 2000 to 2199, ten or twelve digits (phone numbers', a personnummer's length), a date with more digits, or a birthday
    for (const [field, audited] of [
      ['byHour.202601151200', 'byHour.<digits>'],
      ['customers.198503121234', 'customers.<digits>'],
      ['daily.19991231', 'daily.<digits>'],
      ['dob.20010312', 'dob.<digits>'],
      ['dateOfBirth.20010312', 'dateOfBirth.<digits>'],
      ['customerDob.20010312', 'customerDob.<digits>'],
      ['people.date_of_birth_20010312', 'people.<digits>'],
      ['daily.20260230', 'daily.<digits>'],
      ['daily.20250229', 'daily.<digits>'],
      ['daily.18991231', 'daily.<digits>'],
      ['daily.22000101', 'daily.<digits>'],
      ['byHour.2026011512', 'byHour.<digits>'],
      ['byHour.202601152400', 'byHour.<digits>'],
      ['day.20260115-4155550134', 'day.<digits>'],
      ['day.202601150', 'day.<digits>'],
    ]) {
      expect(names.of(field!), field).toBe(audited);
    }
  });
});
