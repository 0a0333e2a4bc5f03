import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../../src/core/audit-sink.js';
import { PIIDetector } from '../../../src/privacy/pii/pii-detector.js';
import { RecordedEvents } from '../../support/recorded-events.js';
import { tempFiles } from '../../support/services.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const dir = () => tempFiles('pii-dataset-audit', cleanups);

/** JSON Lines of `n` records, each with an address: ~600 KB for 9000, more than one 512 KB batch. */
const mailLines = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ text: `row ${i} mail user${i}@example.org ${'.'.repeat(20)}` }));

describe('the audit trail of a data set redaction that fails', () => {
  it('records the failure of a job that had recorded redactions, with the line and problem, never a value', async () => {
    const file = dir();
    const lines = mailLines(9000);
    lines[8999] = '{"text": "user8999@example.org'; // a bad line at the end, after the first batch was audited
    const audit = new RecordedEvents();
    const output = file('out.jsonl');
    await expect(new PIIDetector({}, { audit }).processDataset({ input: file('in.jsonl', lines.join('\n') + '\n'), output }, { dataset: 'tickets', userId: 'ops' })).rejects.toThrow(
      /^line 9000: not valid JSON; no output was written$/,
    );
    expect(existsSync(output)).toBe(false);
    const redacted = audit.of('pii.redacted');
    expect(redacted.length).toBeGreaterThan(0);
    expect(audit.of('pii.dataset_redacted')).toEqual([]);
    expect(audit.of('pii.dataset_redaction_failed')).toEqual([
      {
        eventType: 'pii.dataset_redaction_failed',
        result: 'failure',
        userId: 'ops',
        additionalData: { dataset: 'tickets', method: 'masking', error: 'ERR_INVALID_INPUT', line: 9000, problem: 'not_json', redactionEvents: redacted.length },
      },
    ]);
    expect(audit.events.at(-1)!.eventType).toBe('pii.dataset_redaction_failed');
    expect(JSON.stringify(audit.events)).not.toMatch(/user\d+@/);
  });

  it('records it for a CSV, and for a check after the last batch; not for a job that failed before recording any', async () => {
    const file = dir();
    const audit = new RecordedEvents();
    const detector = new PIIDetector({}, { audit });
    // ~300 KB, read in chunks of 64 KB: the bad byte is read after batches of 500 rows were audited
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},mail user${i}@example.org ${'.'.repeat(60)}`);
    const bytes = Buffer.from(`id,text\n${rows.join('\n')}\n`);
    bytes[bytes.lastIndexOf('mail')] = 0xff; // line 3001
    await expect(detector.processDataset({ input: file('late.csv', bytes as never), output: file('late-out.csv') }, { dataset: 'late' })).rejects.toThrow(/^line 3001: is not valid UTF-8/);
    expect(audit.of('pii.redacted').length).toBeGreaterThan(0);
    expect(failuresOf(audit, 'late')).toEqual([{ dataset: 'late', method: 'masking', error: 'ERR_INVALID_INPUT', line: 3001, redactionEvents: audit.of('pii.redacted').length }]);
    // every record redacted and audited, then a chosen path no record has fails the job
    const misspelt = detector.processDataset({ input: file('in.jsonl', mailLines(3).join('\n') + '\n'), output: file('out.jsonl') }, { dataset: 'misspelt', fields: ['text', 'txt'] });
    await expect(misspelt).rejects.toThrow(/no record has a value at the field path "txt"/);
    expect(failuresOf(audit, 'misspelt')).toEqual([{ dataset: 'misspelt', method: 'masking', error: 'ERR_INVALID_INPUT', redactionEvents: 1 }]);
    // a bad first line: nothing was recorded, so there is nothing to take back
    const early = detector.processDataset({ input: file('early.jsonl', ['nope', ...mailLines(3)].join('\n')), output: file('early-out.jsonl') }, { dataset: 'early' });
    await expect(early).rejects.toThrow(/^line 1: not valid JSON/);
    expect(audit.events.filter((e) => e.additionalData?.dataset === 'early')).toEqual([]);
  });

  it('records it for an in-memory list, naming the record', async () => {
    const audit = new RecordedEvents();
    const records: Array<Record<string, unknown>> = mailLines(600).map((line) => JSON.parse(line) as Record<string, unknown>);
    records[550] = [] as never;
    await expect(new PIIDetector({}, { audit }).processDataset(records, { dataset: 'list' })).rejects.toThrow(/^record 551: a record must be an object/);
    const redacted = audit.of('pii.redacted').length;
    expect(redacted).toBeGreaterThan(0);
    expect(audit.of('pii.dataset_redaction_failed').map((e) => e.additionalData)).toEqual([{ dataset: 'list', method: 'masking', error: 'ERR_INVALID_INPUT', record: 551, redactionEvents: redacted }]);
  });

  it('records one failure for a data set in shards, naming the file, when an earlier file\'s redactions were recorded', async () => {
    const file = dir();
    const shards = file('shards');
    mkdirSync(shards);
    writeFileSync(join(shards, 'a.jsonl'), mailLines(2).join('\n') + '\n');
    writeFileSync(join(shards, 'b.jsonl'), 'not json\n');
    const audit = new RecordedEvents();
    await expect(new PIIDetector({}, { audit }).processDataset({ inputDir: shards, outputDir: file('clean') }, { dataset: 'chats' })).rejects.toThrow(/^b\.jsonl: line 1: not valid JSON/);
    expect(existsSync(file('clean'))).toBe(false);
    expect(audit.of('pii.redacted').map((e) => e.additionalData!.dataset)).toEqual(['chats/a.jsonl']);
    expect(audit.of('pii.dataset_redacted')).toEqual([]);
    expect(audit.of('pii.dataset_redaction_failed').map((e) => e.additionalData)).toEqual([
      { dataset: 'chats', method: 'masking', error: 'ERR_INVALID_INPUT', line: 1, problem: 'not_json', file: 'b.jsonl', redactionEvents: 1 },
    ]);
  });

  it('fails with the job\'s own error when the failure cannot be recorded either', async () => {
    const file = dir();
    const lines = mailLines(9000);
    lines[8999] = '[]';
    const refusing = new (class extends RecordedEvents {
      override async record(event: AuditEventInput) {
        if (event.eventType === 'pii.dataset_redaction_failed') throw new Error('the audit log is down');
        return super.record(event);
      }
    })();
    await expect(new PIIDetector({}, { audit: refusing }).processDataset({ input: file('in.jsonl', lines.join('\n')), output: file('out.jsonl') })).rejects.toThrow(/^line 9000: a record must be a JSON object; no output was written$/);
    expect(refusing.of('pii.redacted').length).toBeGreaterThan(0);
  });
});

function failuresOf(audit: RecordedEvents, dataset: string): unknown[] {
  return audit.of('pii.dataset_redaction_failed').map((e) => e.additionalData).filter((data) => data?.dataset === dataset);
}
