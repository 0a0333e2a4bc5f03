/**
 * AdversarialDefense on the deepset/prompt-injections test split (116 inputs, 60 injections;
 * never used to choose a setting), beside the same run's baselines: the injection phrases alone
 * (a keyword filter, as many deployments have) and the classifier alone. Prints precision,
 * recall, F1 and accuracy of each, and inspections per second. The dataset's own published
 * baselines, not run here: multilingual-BERT embeddings + logistic regression 96.55% accuracy,
 * fine-tuned XLM-RoBERTa 97.41% (../shared/data/prompt-injection-eval/SOURCE.md).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecurityManager } from '../dist/security-manager.js';
import { matchInjectionRules } from '../dist/threat/adversarial/injection-rules.js';
import { sharedPath } from '../test/shared-path.js';

const test = readFileSync(sharedPath('data/prompt-injection-eval/deepset-prompt-injections-test.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { text: string; label: 0 | 1 });

const round = (n: number) => Math.round(n * 1000) / 1000;
function score(predict: (text: string) => boolean) {
  let tp = 0, fp = 0, fn = 0, correct = 0;
  for (const { text, label } of test) {
    const p = predict(text);
    if (p === (label === 1)) correct++;
    if (p && label === 1) tp++;
    if (p && label === 0) fp++;
    if (!p && label === 1) fn++;
  }
  const precision = tp / Math.max(1, tp + fp);
  const recall = tp / Math.max(1, tp + fn);
  return { precision: round(precision), recall: round(recall), f1: round((2 * precision * recall) / Math.max(1e-9, precision + recall)), accuracy: round(correct / test.length) };
}

const dir = mkdtempSync(join(tmpdir(), 'langtrain-bench-adversarial-'));
try {
  const security = await SecurityManager.open({ env: {}, config: { store: { url: `sqlite:${join(dir, 'db')}` }, crypto: { kek: `file:${join(dir, 'kek')}` } } });
  let start = performance.now();
  const defense = await security.adversarialDefense({ responseActions: ['reject_input'] });
  const trainMs = Math.round(performance.now() - start);
  const classifierOnly = await security.adversarialDefense({ detectionMethods: ['statistical_analysis'], responseActions: ['reject_input'] });
  const verdicts = new Map<string, boolean>();
  for (const { text } of test) verdicts.set(text, (await defense.inspect(text)).adversarial);
  const classifierVerdicts = new Map<string, boolean>();
  for (const { text } of test) classifierVerdicts.set(text, (await classifierOnly.inspect(text)).detectors.find((d) => d.detector === 'classifier')!.score >= 0.5);
  const rounds = 20;
  start = performance.now();
  for (let r = 0; r < rounds; r++) for (const { text } of test) await defense.inspect(text);
  const inspectionsPerSec = Math.round((rounds * test.length) / ((performance.now() - start) / 1000));
  process.stdout.write(
    JSON.stringify({
      area: 'adversarial',
      testSet: { inputs: test.length, injections: test.filter((t) => t.label === 1).length, source: 'deepset/prompt-injections test split (Apache-2.0)' },
      ours: { ...score((t) => verdicts.get(t)!), note: 'all detection methods: phrases + classifier on the input with disguises taken off, noisy-OR, threshold 0.5' },
      baselines: {
        strongPhrasesOnly: score((t) => matchInjectionRules(t).strong),
        classifierOnly: score((t) => classifierVerdicts.get(t)!),
        published: { 'mBERT embeddings + logistic regression': { accuracy: 0.9655 }, 'fine-tuned XLM-RoBERTa': { accuracy: 0.9741 }, note: 'from the dataset copy\'s README, not run here' },
      },
      classifierTrainMs: trainMs,
      inspectionsPerSec,
    }) + '\n',
  );
  await security.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
