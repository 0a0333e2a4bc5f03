import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { labelOfPath, maskedLabel, personalDataInLabel, refusePersonalLabel } from '../../../src/privacy/pii/dataset-label.js';
import { redactShards } from '../../../src/privacy/pii/dataset-shards.js';
import { PIIDetector } from '../../../src/privacy/pii/pii-detector.js';
import { RecordedEvents } from '../../support/recorded-events.js';
import { tempDir } from '../../support/services.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function workspace() {
  const d = tempDir('dataset-label');
  cleanups.push(d.cleanup);
  const put = (name: string, text: string) => {
    mkdirSync(join(d.path, name, '..'), { recursive: true });
    writeFileSync(join(d.path, name), text);
    return join(d.path, name);
  };
  return { root: d.path, put };
}
const LINE = '{"text":"mail maria.gonzalez@correo-ejemplo.es"}\n';
const SPEC = { scan: { types: ['email' as const], threshold: 0.5 }, redaction: { method: 'masking' as const, preserveFormat: false } };
const datasetsOf = (audit: RecordedEvents) => audit.events.map((e) => e.additionalData!.dataset);

describe('personalDataInLabel', () => {
  it('finds nothing in labels that name data sets: words, versions, lineage names, and dates and timestamps as digits', () => {
    for (const label of [
      'crm-export-2026-01',
      'tickets-2026-01-15',
      'dataset:customers-v2',
      'exports/crm_2026.q1',
      's3://bucket/exports/2026/01/15/',
      'train-00000-of-00010.jsonl',
      'export_20260115',
      'export_20260115T123000Z',
      'export-20260115123000',
      'wikipedia.20231101.en',
      'Customer-Feedback-Q1',
      'Support_Tickets_2026',
      'RedPajama-Data-1T',
    ]) {
      expect(personalDataInLabel(label), label).toEqual([]);
    }
  });

  it('finds addresses, numbers and names, also glued to words by - _ / : . or followed by a file extension', () => {
    const cases: Array<[string, string[]]> = [
      ['jane.doe@corp.com', ['email']],
      ['jane.doe@corp.com.csv', ['email']],
      ['crm-4155550123', ['digits']],
      ['crm-415-555-0123', ['phone', 'digits']],
      ['crm:+44 20 7946 0958', ['phone']],
      ['crm-4111-1111-1111-1111', ['credit_card']],
      ['4111-1111-1111-1111', ['credit_card']],
      ['export_Jane_Doe', ['person_name']],
      ['Maria-Gonzalez-tickets', ['person_name']],
      ['born-1990-05-12', ['date_of_birth']],
      ['hosts/203.0.113.5', ['ip_address']],
      ['orders_1234567', ['digits']],
    ];
    // a number written in groups is also a run of digits (digitGroups), whatever the scanner made of it
    for (const [label, found] of cases) expect(personalDataInLabel(label).filter((type) => type !== 'digits' || found.includes('digits')), label).toEqual(found);
  });

  it('takes a run of digits as a date only when all of it is one: YYYYMMDD or YYYYMMDDhhmmss, a real day from 2000 to 2199, with no birth named', () => {
    for (const label of [
      'export-202601151230', // YYYYMMDDhhmm: twelve digits, a personnummer's and some phone numbers' length
      'pnr_198503121234', // a Swedish personnummer
      'export-201012150930', // +20 10 1215 0930 without its +
      'backup-19991231', // the last century's days are most adults' birthdays
      'dob-20010312', // a day, said to be a birthday
      'customers-born-20050312',
      'Geburtsdatum_20010312',
      'customerDob20010312', // birth words glued in keys count too
      'crm-v2-415-555-0132', // a number in groups, in the middle of the label
      'shard-00001-00010', // ten digits in two groups: a number's length
      'export-2026011512', // YYYYMMDDhh: ten digits, a phone number's length
      'export-1736899200', // Unix seconds
      'export-20260230', // no 30 February
      'export-20261301',
      'export-18991231',
      'export-22000101',
      'export-202601152460', // no 24:60
      'export-2026011512300', // thirteen digits
      'export-20260115-0123456', // a date, then an account
      'export-202601150', // a date with a digit more
    ]) {
      expect(personalDataInLabel(label), label).toContain('digits');
    }
    expect(personalDataInLabel('leap-20240229')).toEqual([]);
    expect(personalDataInLabel('leap-20250229')).toEqual(['digits']);
  });

  it('reads a day written with its parts apart, and its time, as the artifact\'s date, whatever digits come before it; the numbers around it are judged alone', () => {
    for (const label of [
      'model:llama3-ft-2024-11-27', // read as a phone number before
      'model:llama3-ft-20241127',
      'model:llama-3-2024-11-27', // a version, then the day: 3 + the day was nine digits
      'dataset:export-27-11-2024',
      'dataset:export-2024-11-27-1530',
      'dataset:export-2024-11-27-12-30-59',
      'model:adapter-2024.11.27-1530',
      'dataset:export-20241127-153000',
    ]) {
      expect(personalDataInLabel(label), label).toEqual([]);
    }
    for (const [label, found] of [
      ['dataset:pnr-20241127-1530', 'digits'], // YYYYMMDD-NNNN: a personnummer, not a day and a time
      ['dataset:export-1985-03-12', 'digits'], // the last century's days are most adults' birthdays
      ['dataset:export-2024-13-27', 'digits'], // no thirteenth month
      ['dataset:dob-2024-11-27', 'digits'], // a day said to be a birthday
      ['dataset:call-2024-11-27-415-555-0132', 'digits'], // a day, then a phone number: judged alone
    ] as const) {
      expect(personalDataInLabel(label), label).toContain(found);
    }
  });
});

describe('refusePersonalLabel', () => {
  it('throws ERR_INVALID_INPUT naming the label by its option and what was found, never quoting it', () => {
    let thrown: unknown;
    try {
      refusePersonalLabel('crm-jane.doe@corp.com-4155550123', '--dataset');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { option: '--dataset', personalData: ['email', 'digits'] } });
    const message = (thrown as Error).message;
    expect(message).toBe(
      '--dataset looks like it holds personal data (email, a run of seven or more digits that is no date (a phone number, an account or a card)): it is written to the audit log, which cannot be changed or erased, so name the data set by a label that names no one, such as crm-export-2026-01',
    );
    expect(() => refusePersonalLabel('export_20260115', '--dataset')).not.toThrow();
    expect(() => refusePersonalLabel(' ', '--dataset')).toThrow('--dataset is empty: name the data set, such as crm-export-2026-01');
  });

  it('refuses a label past 200 characters as no name, before reading it', () => {
    expect(() => refusePersonalLabel('a.'.repeat(100), '--dataset')).not.toThrow();
    expect(() => refusePersonalLabel('a.'.repeat(101), '--dataset')).toThrow(/--dataset is 202 characters long: a data set's label is a name of at most 200/);
  });
});

describe('labelOfPath', () => {
  it('is the base name, with what it holds masked: directories above it (a home directory) never reach the log', () => {
    expect(labelOfPath('/home/jane.doe@corp.com/export.jsonl')).toBe('export.jsonl');
    expect(labelOfPath('/Users/jane/exports/tickets-2026-01-15.csv')).toBe('tickets-2026-01-15.csv');
    expect(labelOfPath('/data/jane.doe@corp.com.csv')).toBe('<email>.csv');
    expect(labelOfPath('/data/crm-4155550123.jsonl')).toBe('<digits>.jsonl');
    expect(labelOfPath('/data/Jane_Doe.jsonl')).toBe('<person_name>.jsonl');
    expect(labelOfPath('/data/export_20260115.jsonl')).toBe('export_20260115.jsonl');
    expect(labelOfPath('/data/shards/')).toBe('shards');
    for (const path of ['/data/jane.doe@corp.com.csv', '/data/crm-4155550123.jsonl', '/data/Jane_Doe.jsonl']) expect(personalDataInLabel(labelOfPath(path)), path).toEqual([]);
  });

  it('maskedLabel masks what a shard\'s name holds read with its data set\'s label', () => {
    expect(maskedLabel('crm-Jane/Doe.csv')).toBe('crm-<person_name>.csv');
    expect(maskedLabel('s3://bucket/exports/a.csv')).toBe('s3://bucket/exports/a.csv');
  });
});

describe('data set labels in the library', () => {
  it('processDataset refuses a dataset holding personal data with ERR_INVALID_INPUT, before any output or audit record', async () => {
    const { root, put } = workspace();
    const input = put('in.jsonl', LINE);
    const shards = join(root, 'shards');
    put('shards/a.jsonl', LINE);
    const audit = new RecordedEvents();
    const detector = new PIIDetector({ redactionMethod: 'masking' }, { audit });
    for (const [dataset, found] of [['crm-4155550123', ['digits']], ['jane.doe@corp.com', ['email']]] as const) {
      for (const data of [{ input, output: join(root, 'out.jsonl') }, { inputDir: shards, outputDir: join(root, 'out') }, [{ text: 'mail maria.gonzalez@correo-ejemplo.es' }]]) {
        const refused = detector.processDataset(data as never, { dataset, preserveFormat: false, workers: 0 });
        await expect(refused).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/^PIIDetector\.processDataset: dataset looks like it holds personal data/), details: { personalData: found } });
      }
    }
    expect(audit.events).toEqual([]);
    expect(readdirSync(root).sort()).toEqual(['in.jsonl', 'shards']);
    // a date is no personal data
    await detector.processDataset({ input, output: join(root, 'out.jsonl') }, { dataset: 'export_20260115', preserveFormat: false, workers: 0 });
    expect(new Set(datasetsOf(audit))).toEqual(new Set(['export_20260115']));
  });

  it('processDataset names an unnamed data set by its file\'s or directory\'s name, masked: a path holding an email never reaches the log', async () => {
    const { root, put } = workspace();
    const audit = new RecordedEvents();
    const detector = new PIIDetector({ redactionMethod: 'masking' }, { audit });
    await detector.processDataset({ input: put('jane.doe@corp.com/export.jsonl', LINE), output: join(root, 'out.jsonl') }, { preserveFormat: false, workers: 0 });
    await detector.processDataset({ input: put('exports/jane.doe@corp.com.csv', 'contact\nmaria.gonzalez@correo-ejemplo.es\n'), output: join(root, 'out.csv') }, { preserveFormat: false, workers: 0 });
    put('jane.doe@corp.com-shards/crm-4155550123.jsonl', LINE);
    await detector.processDataset({ inputDir: join(root, 'jane.doe@corp.com-shards'), outputDir: join(root, 'clean') }, { preserveFormat: false, workers: 0 });
    expect(new Set(datasetsOf(audit))).toEqual(new Set(['export.jsonl', '<email>.csv', '<email>-shards/<digits>.jsonl']));
    expect(JSON.stringify(audit.events)).not.toMatch(/jane|4155550123/);
  });

  it('redactShards masks a shard\'s name holding personal data in its audit records, and writes the output under the real name', async () => {
    const { root, put } = workspace();
    put('in/jane.doe@corp.com.jsonl', LINE);
    put('in/b.jsonl', LINE);
    const audit = new RecordedEvents();
    const report = await redactShards({ inputDir: join(root, 'in'), outputDir: join(root, 'out'), spec: SPEC, workers: 0, audit: { sink: audit, dataset: 'exports' } });
    expect(report.files.map((f) => f.file)).toEqual(['b.jsonl', 'jane.doe@corp.com.jsonl']);
    expect(existsSync(join(root, 'out', 'jane.doe@corp.com.jsonl'))).toBe(true);
    expect(audit.of('pii.dataset_redacted').map((e) => e.additionalData!.dataset)).toEqual(['exports/b.jsonl', 'exports/<email>']);
    expect(JSON.stringify(audit.events)).not.toContain('jane');
  });

  it('a name no one chose is masked until nothing is found in it, so a job never fails over a file\'s name', async () => {
    // one masking pass can uncover the next value ("<phone>-415-555-0132" reads as a number only
    // once the first is masked), and a value in the middle reads as none from the label's start:
    // judged by the values' own digits and letters, not by the check that does the masking
    const parts = ['415-555-0132', '+44 20 7946 0958', 'jane.doe@corp.com', '203.0.113.5', '4111-1111-1111-1111', 'Jane_Doe', '4155550123', '2026-01-15', 'crm', 'v2'];
    const traces = [/555/, /7946/, /jane/i, /203\.0/, /4111/];
    let names = 0;
    for (const [i, a] of parts.entries()) for (const [j, b] of parts.entries()) for (const [k, c] of parts.entries()) for (const joiner of ['-', '_', '.']) {
      if (i === j || j === k || i === k) continue;
      const name = `${a}${joiner}${b}${joiner}${c}.jsonl`;
      const label = labelOfPath(`/data/${name}`);
      expect(traces.filter((trace) => trace.test(label)), `${name} -> ${label}`).toEqual([]);
      expect(personalDataInLabel(label), name).toEqual([]);
      names++;
    }
    expect(names).toBe(2160);
    const { root, put } = workspace();
    const audit = new RecordedEvents();
    const detector = new PIIDetector({ redactionMethod: 'masking' }, { audit });
    await detector.processDataset({ input: put('415-555-0132-415-555-0132.jsonl', LINE), output: join(root, 'out.jsonl') }, { preserveFormat: false, workers: 0 });
    expect(new Set(datasetsOf(audit))).toEqual(new Set(['<digits>.jsonl']));
    // the working directory's own name may be its user's: `.` stays `.`
    expect([labelOfPath('.'), labelOfPath('./'), labelOfPath('/')]).toEqual(['.', '.', '/']);
    // cut to a label's length on whole characters (half an emoji is no text the audit store takes), after masking, masks and all
    expect(labelOfPath(`/data/${'a'.repeat(300)}.jsonl`)).toBe(`${'a'.repeat(199)}…`);
    const long = labelOfPath(`/data/${'x@y.co-'.repeat(40)}${'😀'.repeat(100)}`);
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long).not.toMatch(/x@y|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(() => refusePersonalLabel(long, '--dataset')).not.toThrow();
  });

  it('a failed data set in shards names the failing file in its audit record masked as its label is', async () => {
    const { root, put } = workspace();
    put('in/a.jsonl', LINE);
    put('in/jane.doe@corp.com.jsonl', `${LINE}{"text": \n`);
    const audit = new RecordedEvents();
    await expect(redactShards({ inputDir: join(root, 'in'), outputDir: join(root, 'out'), spec: SPEC, workers: 0, audit: { sink: audit, dataset: 'exports' } })).rejects.toThrow(/^jane\.doe@corp\.com\.jsonl: line 2: not valid JSON/);
    expect(audit.of('pii.dataset_redaction_failed').map((e) => e.additionalData)).toEqual([expect.objectContaining({ dataset: 'exports', file: '<email>', line: 2 })]);
    expect(JSON.stringify(audit.events)).not.toContain('jane');
    // masked until nothing is found, as the shard's label is
    put('in2/0-first.jsonl', LINE);
    put('in2/415-555-0132-415-555-0132.jsonl', `${LINE}{"text": \n`);
    const again = new RecordedEvents();
    await expect(redactShards({ inputDir: join(root, 'in2'), outputDir: join(root, 'out2'), spec: SPEC, workers: 0, audit: { sink: again, dataset: 'exports' } })).rejects.toThrow(/line 2: not valid JSON/);
    expect(again.of('pii.dataset_redaction_failed').map((e) => e.additionalData!.file)).toEqual(['<digits>.jsonl']);
    expect(JSON.stringify(again.events)).not.toMatch(/555/);
  });
});
