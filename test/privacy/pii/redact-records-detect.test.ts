import { describe, expect, it } from 'vitest';
import { redactRecords } from '../../../src/privacy/pii/dataset-redaction.js';
import { scannerFor } from '../../../src/privacy/pii/entity-scanner.js';
import { RecordedEvents } from '../../support/recorded-events.js';

const SPEC = { scan: { threshold: 0.5 }, redaction: { method: 'masking', preserveFormat: false } } as const;
const records = () => [
  { id: 1, text: 'mail ana@example.org', 'bob@example.org': 'a key that is an address' },
  { id: 2, nested: { note: 'from 203.0.113.9' }, text: 'nothing here' },
];

describe('redactRecords with a detectAll of the caller (the server scans off its event loop)', () => {
  it('scans the texts and keys through it, once a batch, and redacts and audits as when it scans itself', async () => {
    const calls: string[][] = [];
    const scanner = scannerFor(SPEC.scan);
    const elsewhere = async (texts: readonly string[]) => {
      calls.push([...texts]);
      return scanner.scanAll(texts);
    };
    const [auditHere, auditElsewhere] = [new RecordedEvents(), new RecordedEvents()];
    const here = await redactRecords(records(), { spec: SPEC, audit: { sink: auditHere, dataset: 'd' } });
    const there = await redactRecords(records(), { spec: SPEC, audit: { sink: auditElsewhere, dataset: 'd' }, detectAll: elsewhere });
    expect(there).toEqual(here);
    expect(there.records[0]).toEqual({ id: 1, text: 'mail <EMAIL>', '<EMAIL>': 'a key that is an address' });
    expect(there.report.counts).toMatchObject({ email: 2, ip_address: 1 });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual(expect.arrayContaining(['mail ana@example.org', 'bob@example.org', 'from 203.0.113.9']));
    expect(auditElsewhere.events.map((e) => e.additionalData)).toEqual(auditHere.events.map((e) => e.additionalData));
  });
});
