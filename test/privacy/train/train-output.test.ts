import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../../src/core/audit-sink.js';
import { BudgetLedger } from '../../../src/privacy/budget/budget-ledger.js';
import { budgetMigrations } from '../../../src/privacy/budget/schema.js';
import { DifferentialPrivacy } from '../../../src/privacy/differential-privacy.js';
import { LineageStore, digestFile } from '../../../src/privacy/lineage/lineage-store.js';
import { lineageMigrations } from '../../../src/privacy/lineage/schema.js';
import { train } from '../../../src/privacy/train.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { RecordedEvents } from '../../support/recorded-events.js';
import { tempDir } from '../../support/services.js';

/** 400 easy examples: a run is quick, and delta 1e-5 is well below 1/N. */
const ROWS = Array.from({ length: 400 }, (_, i) => JSON.stringify({ text: i % 2 ? 'good great fine' : 'bad awful poor', label: i % 2 })).join('\n') + '\n';

describe('train: what is checked before the budget is spent, and what is written after', () => {
  let store: Store;
  let dir: ReturnType<typeof tempDir>;
  let data: string;
  beforeEach(async () => {
    dir = tempDir('train-output');
    store = await openStore(`sqlite:${join(dir.path, 'store.db')}`);
    await migrate(store, 'privacy_budget', budgetMigrations);
    await migrate(store, 'lineage', lineageMigrations);
    data = join(dir.path, 'data.jsonl');
    writeFileSync(data, ROWS);
  });
  afterEach(async () => {
    await store.close();
    dir.cleanup();
  });

  // epsilon 1, sigma calibrated for the run: one whole run spends (nearly) all of it, so a
  // failed run that had spent it would leave the corrected run nothing.
  const engine = () => new DifferentialPrivacy({ epsilon: 1, delta: 1e-5, samplingRate: 0.05 });

  it('refuses an output it cannot write, or comparePlain without a testDataset, before any epsilon is spent; the corrected run then gets the whole budget', async () => {
    const audit = new RecordedEvents();
    const ledger = new BudgetLedger({ store, audit });
    const deps = { ledger, lineage: new LineageStore({ store, audit }), audit };
    const unit = `dataset:${await digestFile(data)}`;
    await expect(train({ dataset: data, privacyEngine: engine(), epochs: 3, output: join(dir.path, 'no-such-dir', 'm.json') }, deps)).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: expect.stringMatching(/no-such-dir does not exist/),
    });
    mkdirSync(join(dir.path, 'a-directory'));
    await expect(train({ dataset: data, privacyEngine: engine(), epochs: 3, output: join(dir.path, 'a-directory') }, deps)).rejects.toThrow(/it is a directory/);
    mkdirSync(join(dir.path, 'm.json.privacy.json'));
    await expect(train({ dataset: data, privacyEngine: engine(), epochs: 3, output: join(dir.path, 'm.json') }, deps)).rejects.toThrow(/m\.json\.privacy\.json: it is a directory/);
    await expect(train({ dataset: data, privacyEngine: engine(), epochs: 3, comparePlain: true, output: join(dir.path, 'ok.json') }, deps)).rejects.toThrow(/comparePlain needs a testDataset/);
    // the model (or its report) written over the data it is trained on
    await expect(train({ dataset: data, privacyEngine: engine(), epochs: 3, output: data }, deps)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'output' } });
    await expect(train({ dataset: `${data}.privacy.json`, privacyEngine: engine(), epochs: 3, output: data }, deps)).rejects.toThrow(/would be written over the data set/);
    // … or through a link to the data's directory
    symlinkSync(dir.path, join(dir.path, 'linked'));
    await expect(train({ dataset: data, privacyEngine: engine(), epochs: 3, output: join(dir.path, 'linked', 'data.jsonl') }, deps)).rejects.toThrow(/would be written over the data set/);
    expect(readFileSync(data, 'utf8')).toBe(ROWS);
    expect(await ledger.list()).toEqual([]); // not a step reserved, not even a budget created
    expect(audit.of('model.trained')).toEqual([]);

    const { report } = await train({ dataset: data, privacyEngine: engine(), epochs: 3, output: join(dir.path, 'ok.json') }, deps);
    expect(report.stopReason).toBe('completed');
    expect((await ledger.budget(unit)).spentEpsilon).toBeCloseTo(report.privacy!.epsilonSpent, 12);
    expect(existsSync(join(dir.path, 'ok.json'))).toBe(true);
  });

  it('records the edge from the bytes it trained on, though the file is replaced during training', async () => {
    const audit = new RecordedEvents();
    const lineage = new LineageStore({ store, audit });
    const trainedOn = await digestFile(data);
    let replaced = false;
    const onProgress = () => {
      if (replaced) return;
      replaced = true;
      writeFileSync(data, ROWS + JSON.stringify({ text: 'added later', label: 1 }) + '\n');
    };
    const { report } = await train({ dataset: data, privacyEngine: engine(), epochs: 2, output: join(dir.path, 'm.json'), onProgress }, { lineage, audit });
    expect(replaced).toBe(true);
    expect(await digestFile(data)).not.toBe(trainedOn);
    expect(report.privacy!.unit).toBe(`dataset:${trainedOn}`);
    const graph = await lineage.lineageOf(report.modelDigest!, { direction: 'upstream' });
    expect(graph.edges).toEqual([expect.objectContaining({ operation: 'train', inputDigest: trainedOn })]);
  });

  it('records the edge before the model appears, and writes the model and its report whole', async () => {
    const audit = new RecordedEvents();
    const store_ = new LineageStore({ store, audit });
    const output = join(dir.path, 'm.json');
    const seen: boolean[] = [];
    const lineage = { recordTransformation: async (edge: Parameters<LineageStore['recordTransformation']>[0]) => (seen.push(existsSync(output)), store_.recordTransformation(edge)) } as unknown as LineageStore;
    const { report } = await train({ dataset: data, epochs: 1, output }, { lineage, audit });
    expect(seen).toEqual([false]);
    expect(await digestFile(output)).toBe(report.modelDigest);
    expect(JSON.parse(readFileSync(`${output}.privacy.json`, 'utf8'))).toMatchObject({ modelDigest: report.modelDigest, stepsRun: report.stepsRun });
  });

  it('says what was written, and how to record the edge by hand, when lineage or the audit log fails after training', async () => {
    const output = join(dir.path, 'm.json');
    const down = Object.assign(new Error('store down'), { code: 'ECONNREFUSED' });
    const lineage = { recordTransformation: async () => Promise.reject(down) } as unknown as LineageStore;
    const failed = await train({ dataset: data, epochs: 1, output }, { lineage }).catch((err: unknown) => err);
    expect(failed).toMatchObject({
      code: 'ERR_INTERNAL',
      cause: down,
      details: { written: [output, `${output}.privacy.json`], inputDigest: await digestFile(data) },
      message: expect.stringMatching(/m\.json and \S+m\.json\.privacy\.json were written, but its lineage edge could not be recorded: store down; record it with: langtrain lineage record --input \S+data\.jsonl --output \S+m\.json --operation train --param model=logistic --param epochs=1 .*--param private=false/),
    });
    expect((failed as { details: { outputDigest: string } }).details.outputDigest).toBe(await digestFile(output));
    expect(existsSync(`${output}.privacy.json`)).toBe(true);

    const output2 = join(dir.path, 'm2.json');
    const audit = { record: async (_event: AuditEventInput) => Promise.reject(new Error('audit down')) };
    await expect(train({ dataset: data, epochs: 1, output: output2 }, { audit })).rejects.toMatchObject({
      details: { written: [output2, `${output2}.privacy.json`] },
      message: expect.stringMatching(/were written, but the model\.trained audit event could not be recorded: audit down/),
    });
    // With no output nothing is written, and the failure is passed on as it is.
    await expect(train({ dataset: data, epochs: 1 }, { audit })).rejects.toThrow(/^audit down$/);
  });
});
