import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BudgetLedger } from '../../../src/privacy/budget/budget-ledger.js';
import { budgetMigrations } from '../../../src/privacy/budget/schema.js';
import { DifferentialPrivacy } from '../../../src/privacy/differential-privacy.js';
import { epsilonFor } from '../../../src/privacy/dp/index.js';
import { LineageStore, digestFile } from '../../../src/privacy/lineage/lineage-store.js';
import { lineageMigrations } from '../../../src/privacy/lineage/schema.js';
import { train } from '../../../src/privacy/train.js';
import { TextClassifier } from '../../../src/privacy/training/index.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { sharedPath } from '../../shared-path.js';
import { RecordedEvents } from '../../support/recorded-events.js';
import { tempDir } from '../../support/services.js';

const TRAIN = sharedPath('data/prompt-injection-eval/deepset-prompt-injections-train.jsonl');
const TEST = sharedPath('data/prompt-injection-eval/deepset-prompt-injections-test.jsonl');
/** Always answering the larger class on the test split (60 of 116 are injections). */
const MAJORITY = 60 / 116;

describe('DifferentialPrivacy', () => {
  it("takes the seed's options, refuses other noise mechanisms naming the supported one, and calibrates sigma to its epsilon", () => {
    const dp = new DifferentialPrivacy({ epsilon: 1.0, delta: 1e-5, noiseMechanism: 'gaussian', clippingNorm: 1.0, samplingRate: 0.01 });
    expect(dp.settings).toMatchObject({ epsilon: 1, delta: 1e-5, noiseMechanism: 'gaussian', clippingNorm: 1, samplingRate: 0.01, accountant: 'rdp' });
    const sigma = dp.noiseMultiplierFor(300);
    const spent = dp.epsilonAfter(300, sigma);
    expect(spent).toBeLessThanOrEqual(1);
    expect(spent).toBeGreaterThanOrEqual(0.99);
    expect(() => new DifferentialPrivacy({ epsilon: 1, noiseMechanism: 'laplace' })).toThrow(/noiseMechanism laplace is not supported \(supported: gaussian\)/);
    expect(() => new DifferentialPrivacy({ epsilon: 1, noiseMultipler: 1 } as never)).toThrow(/unknown option noiseMultipler/);
    expect(() => new DifferentialPrivacy({ epsilon: -1 })).toThrow(/epsilon/);
  });
});

describe('train', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('learns the prompt-injection set with DP-SGD at epsilon 8, beside the same model without privacy, and spends no more than the budget', async () => {
    const dp = new DifferentialPrivacy({ epsilon: 8, delta: 1e-5, samplingRate: 0.1, clippingNorm: 1 });
    const { model, report } = await train({ dataset: TRAIN, testDataset: TEST, privacyEngine: dp, epochs: 20, comparePlain: true });
    expect(report.stopReason).toBe('completed');
    expect(report.stepsRun).toBe(200); // calibrated for exactly the steps run: the last one fits
    // Measured over runs: DP mean ~0.79, plain ~0.82; the floors sit well below and well above the majority class.
    expect(report.testAccuracy).toBeGreaterThan(0.65);
    expect(report.plainTestAccuracy).toBeGreaterThan(0.72);
    expect(report.privacy).toMatchObject({ accountant: 'rdp', epsilonBudget: 8, steps: 200, budgetScope: 'run', unit: `dataset:${await digestFile(TRAIN)}` });
    // Calibrated: the run spends the budget, to within the calibration's 0.01.
    expect(report.privacy!.epsilonSpent).toBeLessThanOrEqual(8);
    expect(report.privacy!.epsilonSpent).toBeGreaterThan(7.99);
    expect(report.privacy!.epsilonSpent).toBeCloseTo(epsilonFor({ noiseMultiplier: report.privacy!.noiseMultiplier, samplingRate: 0.1, steps: 200, delta: 1e-5, accountant: 'rdp' }).epsilon, 12);
    expect(model.privacy).toMatchObject({ steps: 200, samplingRate: 0.1, clippingNorm: 1 });
    expect(report.testAccuracy).toBeGreaterThan(MAJORITY);
  });

  it('stops at the step the budget cannot pay for, with a clear message, when the noise is fixed too low for the epochs asked', async () => {
    const dp = new DifferentialPrivacy({ epsilon: 3, delta: 1e-5, samplingRate: 0.1, noiseMultiplier: 1.2 });
    const { report } = await train({ dataset: TRAIN, privacyEngine: dp, epochs: 20 });
    expect(report.stopReason).toBe('budget');
    expect(report.stepsRun).toBeGreaterThan(0);
    expect(report.stepsRun).toBeLessThan(200);
    expect(report.message).toMatch(/stopped after \d+ of 200 steps: the privacy budget of dataset:sha256:[0-9a-f]{64} is spent/);
    expect(report.privacy!.epsilonSpent).toBeLessThanOrEqual(3);
    expect(epsilonFor({ noiseMultiplier: 1.2, samplingRate: 0.1, steps: report.stepsRun + 1, delta: 1e-5, accountant: 'rdp' }).epsilon).toBeGreaterThan(3);
  });

  it('calibrates sigma for the steps the run takes, so its last step fits (90 / 0.04 is 2249.99… in floating point, the run 2250 steps)', async () => {
    const dp = new DifferentialPrivacy({ epsilon: 8, delta: 1e-5, samplingRate: 0.04 });
    const { report } = await train({ dataset: TRAIN, privacyEngine: dp, epochs: 90 });
    expect(report).toMatchObject({ stopReason: 'completed', stepsRun: 2250, plannedSteps: 2250 });
    expect(report.privacy!.epsilonSpent).toBeLessThanOrEqual(8);
  });

  it('refuses settings that contradict each other or the guarantee, naming them', async () => {
    const dp = new DifferentialPrivacy({ epsilon: 8, delta: 1e-5, samplingRate: 0.1, clippingNorm: 1 });
    await expect(train({ dataset: TRAIN, privacyEngine: dp, maxGradNorm: 2 })).rejects.toThrow(/maxGradNorm 2 and the privacy engine's clippingNorm 1 disagree/);
    await expect(train({ dataset: TRAIN, noiseMultiplier: 1.1 })).rejects.toThrow(/give a privacyEngine/);
    const fixed = new DifferentialPrivacy({ epsilon: 8, delta: 1e-5, samplingRate: 0.1, noiseMultiplier: 5 });
    await expect(train({ dataset: TRAIN, privacyEngine: fixed, noiseMultiplier: 0.3 })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      details: { field: 'noiseMultiplier' },
      message: expect.stringMatching(/noiseMultiplier 0.3 and the privacy engine's noiseMultiplier 5 disagree/),
    });
    await expect(train({ dataset: TRAIN, privacyEngine: new DifferentialPrivacy({ epsilon: 8, delta: 0.01, samplingRate: 0.1 }) })).rejects.toThrow(/delta 0.01 must be below 1\/N/);
    await expect(train({ dataset: TRAIN, privacyEngine: dp, comparePlain: true })).rejects.toThrow(/comparePlain needs a testDataset/);
    await expect(train({ dataset: '/nonexistent.jsonl' })).rejects.toThrow(/cannot read \/nonexistent.jsonl/);
  });

  describe('with a ledger and lineage', () => {
    let store: Store;
    let dir: ReturnType<typeof tempDir>;
    beforeEach(async () => {
      dir = tempDir('train');
      store = await openStore(`sqlite:${join(dir.path, 'store.db')}`);
      await migrate(store, 'privacy_budget', budgetMigrations);
      await migrate(store, 'lineage', lineageMigrations);
      cleanups.push(() => dir.cleanup(), () => store.close());
    });

    it('keeps spending across runs and restarts, refuses a run with nothing left, writes the model, its privacy report and its lineage', async () => {
      const audit = new RecordedEvents();
      const deps = () => ({ ledger: new BudgetLedger({ store, audit }), lineage: new LineageStore({ store, audit }), audit });
      const dp = new DifferentialPrivacy({ epsilon: 4, delta: 1e-5, samplingRate: 0.1, noiseMultiplier: 1.3, unit: 'dataset:prompts' });
      const output = join(dir.path, 'model.json');
      const first = await train({ dataset: TRAIN, privacyEngine: dp, epochs: 5, output, actor: 'alice' }, deps());
      expect(first.report.stopReason).toBe('completed');
      const spentFirst = first.report.privacy!.unitEpsilonSpent!;
      expect(spentFirst).toBeCloseTo(first.report.privacy!.epsilonSpent, 12);
      expect(TextClassifier.fromJSON(JSON.parse(readFileSync(output, 'utf8'))).privacy).toMatchObject({ steps: 50 });
      expect(JSON.parse(readFileSync(`${output}.privacy.json`, 'utf8')).privacy.unit).toBe('dataset:prompts');
      const lineage = await new LineageStore({ store, audit }).lineageOf(first.report.modelDigest!, { direction: 'upstream' });
      expect(lineage.edges).toEqual([expect.objectContaining({ operation: 'train', inputDigest: await digestFile(TRAIN), parameters: expect.objectContaining({ private: true, privacy_unit: 'dataset:prompts', steps: 50 }) })]);

      // A second run on the same unit composes with the first and stops where the unit's budget ends.
      const second = await train({ dataset: TRAIN, privacyEngine: dp, epochs: 50, actor: 'bob' }, deps());
      expect(second.report.stopReason).toBe('budget');
      expect(second.report.privacy!.unitEpsilonSpent).toBeLessThanOrEqual(4);
      expect(second.report.privacy!.unitEpsilonSpent).toBeGreaterThan(spentFirst);
      // A third, after a restart of the store, gets nothing and runs nothing.
      await store.close();
      store = await openStore(`sqlite:${join(dir.path, 'store.db')}`);
      await expect(train({ dataset: TRAIN, privacyEngine: dp, epochs: 1, output: join(dir.path, 'none.json') }, deps())).rejects.toMatchObject({ code: 'ERR_PRIVACY_BUDGET_EXHAUSTED' });
      expect(existsSync(join(dir.path, 'none.json'))).toBe(false);
      expect(audit.of('privacy.budget_refused').length).toBeGreaterThanOrEqual(2);
      expect(audit.of('model.trained')).toHaveLength(2);
      // the model's path names it in the audit log, so the monitor can compare its trainings (model_performance_drop)
      expect(audit.of('model.trained').map((e) => e.additionalData?.model)).toEqual([output, undefined]); // the second run wrote no file
      expect(existsSync(`${output}.privacy.json`)).toBe(true);
    });

    it('refuses a lineage parameter holding personal data before training, writing no model', async () => {
      const audit = new RecordedEvents();
      const lineage = new LineageStore({ store, audit });
      const output = join(dir.path, 'named.json');
      const dp = new DifferentialPrivacy({ epsilon: 4, delta: 1e-5, samplingRate: 0.1, noiseMultiplier: 1.3, unit: 'user:ana.silva@example.org' });
      await expect(train({ dataset: TRAIN, privacyEngine: dp, epochs: 1, output, actor: 'alice' }, { lineage, audit })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining('privacy_unit holds personal data (email)') });
      expect(existsSync(output)).toBe(false);
      expect(audit.of('model.trained')).toEqual([]);
    });
  });
});
