import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// Worker threads run the compiled worker, which TypeScript sources do not have: these tests use
// the build `npm test` makes first, as the CLI tests do.
import { BatchWorkers } from '../../../dist/privacy/pii/dataset-pipeline.js';
import { redactDataset, type RedactDatasetJob } from '../../../dist/privacy/pii/dataset-redaction.js';
import type { EntityType } from '../../../dist/privacy/pii/entity-types.js';
import { PIIDetector } from '../../../src/privacy/pii/pii-detector.js';
import { tempFiles } from '../../support/services.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const dir = () => tempFiles('pii-workers', cleanups);

const EMAIL = 'maria.gonzalez@correo-ejemplo.es';
const IP = '203.0.113.42';
const line = (i: number) => JSON.stringify({ id: i, text: `ticket ${i}: mail ${EMAIL} from ${IP} about the printer` }) + '\n';
/** ~1.4 MB: three batches, so both threads take some. */
const MANY = 15_000;
const read = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { text: string }).text);

function job(input: string, output: string, pool: BatchWorkers, types: EntityType[], method: 'masking' | 'removal' = 'masking'): RedactDatasetJob {
  const redaction = method === 'masking' ? { method, preserveFormat: false } : { method };
  return { input, output, fields: ['text'], spec: { scan: { types, threshold: 0.5 }, redaction }, workers: pool };
}

describe('worker threads kept across data sets', () => {
  it('run jobs one after another and at once on the same threads, each job with its own settings', async () => {
    const file = dir();
    const input = file('in.jsonl', Array.from({ length: MANY }, (_, i) => line(i)).join(''));
    const pool = new BatchWorkers(2);
    cleanups.push(() => pool.close());

    const first = await redactDataset(job(input, file('masked.jsonl'), pool, ['email', 'ip_address']));
    expect(first).toMatchObject({ records: MANY, workers: 2, counts: { email: MANY, ip_address: MANY } });
    const threads = pool.threadIds;
    expect(threads).toHaveLength(2);

    // two jobs at once on the pool, batches of both interleaved on its threads
    const [emailsOnly, removed] = await Promise.all([
      redactDataset(job(input, file('emails.jsonl'), pool, ['email'])),
      redactDataset(job(input, file('removed.jsonl'), pool, ['email', 'ip_address'], 'removal')),
    ]);
    expect(pool.threadIds).toEqual(threads);
    expect(emailsOnly.counts).toMatchObject({ email: MANY, ip_address: 0 });
    expect(removed.counts).toMatchObject({ email: MANY, ip_address: MANY });
    const texts = { masked: read(file('masked.jsonl')), emails: read(file('emails.jsonl')), removed: read(file('removed.jsonl')) };
    texts.masked.forEach((text, i) => expect(text).toBe(`ticket ${i}: mail <EMAIL> from <IP_ADDRESS> about the printer`));
    texts.emails.forEach((text, i) => expect(text).toBe(`ticket ${i}: mail <EMAIL> from ${IP} about the printer`));
    texts.removed.forEach((text, i) => expect(text).toBe(`ticket ${i}: mail from about the printer`));
  });

  it('give each of many jobs in turn its own settings, and once closed fail the job running and take no more', async () => {
    const file = dir();
    const input = file('in.jsonl', Array.from({ length: 20 }, (_, i) => line(i)).join(''));
    const pool = new BatchWorkers(2);
    cleanups.push(() => pool.close());
    for (let k = 0; k < 10; k++) {
      const types: EntityType[] = k % 2 === 0 ? ['email'] : ['ip_address'];
      const report = await redactDataset(job(input, file(`out-${k}.jsonl`), pool, types));
      expect(report.counts).toMatchObject(k % 2 === 0 ? { email: 20, ip_address: 0 } : { email: 0, ip_address: 20 });
      expect(read(file(`out-${k}.jsonl`))[3]).toBe(k % 2 === 0 ? `ticket 3: mail <EMAIL> from ${IP} about the printer` : `ticket 3: mail ${EMAIL} from <IP_ADDRESS> about the printer`);
    }
    expect(pool.threadIds.length).toBeGreaterThan(0);

    // closed while a job runs (from its first progress report): the job fails with ERR_CLOSED and writes nothing
    const big = file('big.jsonl', Array.from({ length: MANY }, (_, i) => line(i)).join(''));
    const running = redactDataset({ ...job(big, file('big-out.jsonl'), pool, ['email']), onProgress: () => void pool.close() });
    await expect(running).rejects.toMatchObject({ code: 'ERR_CLOSED', message: expect.stringContaining('no output was written') });
    expect(existsSync(file('big-out.jsonl'))).toBe(false);
    expect(pool.threadIds).toEqual([]);
    await expect(redactDataset(job(input, file('after.jsonl'), pool, ['email']))).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    expect(pool.threadIds).toEqual([]);
  });

  it('refuse a thread count that is not a whole number of at least 1', () => {
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => new BatchWorkers(bad)).toThrow(/workers must be a whole number of at least 1/);
  });

  it('PIIDetector keeps its threads for the next data set until close, and a detector never closed does not keep the process alive', () => {
    const file = dir();
    const input = file('in.jsonl', Array.from({ length: MANY }, (_, i) => line(i)).join(''));
    const detector = new URL('../../../dist/privacy/pii/pii-detector.js', import.meta.url).href;
    // The process's threads (Linux) after each step; then the script must end on its own with a
    // detector it never closed.
    const script = `
      import { readdirSync } from 'node:fs';
      const threads = () => readdirSync('/proc/self/task').length;
      const { PIIDetector } = await import(${JSON.stringify(detector)});
      const run = (detector, out) => detector.processDataset({ input: ${JSON.stringify(input)}, output: ${JSON.stringify(file('x').slice(0, -1))} + out }, { fields: ['text'], auditRedactions: false, workers: 2 });
      const kept = new PIIDetector({ detectionTypes: ['email'] });
      const before = threads();
      const first = await run(kept, 'a.jsonl');
      const afterFirst = threads();
      const second = await run(kept, 'b.jsonl');
      const afterSecond = threads();
      await kept.close();
      const afterClose = threads();
      const unclosed = new PIIDetector({ detectionTypes: ['email'] });
      await run(unclosed, 'c.jsonl');
      process.stdout.write(JSON.stringify({ started: afterFirst - before, startedBySecond: afterSecond - afterFirst, leftAfterClose: afterClose - before, reports: [first, second].map((r) => [r.workers, r.counts.email]) }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 }));
    expect(out).toEqual({ started: 2, startedBySecond: 0, leftAfterClose: 0, reports: [[2, MANY], [2, MANY]] });
    const masked = new PIIDetector({ detectionTypes: ['email'] }).redact(JSON.parse(line(1)).text, { preserveFormat: true }).text;
    expect(masked).not.toContain(EMAIL);
    expect(read(file('b.jsonl'))[1]).toBe(masked);
    expect(read(file('c.jsonl'))[1]).toBe(masked);
  });
});
