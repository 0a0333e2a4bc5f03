/**
 * Differential privacy through the built package: what accounting costs, and what DP-SGD
 * costs beside plain SGD on the same model, batch and data, in the same run.
 *
 * - epsilonMs: `epsilonFor` (RDP) for 100 000 steps at q = 0.01, σ = 1.1, δ = 1e-5, the
 *   first (cold) call and the median of warm ones. calibrateMs / calibrateMsPrv:
 *   `getNoiseMultiplier` for ε = 8 at δ = 1e-5, q = 0.01, 10 epochs, RDP and PRV; medians.
 * - dpStepPerSec against nonPrivateStepPerSec: `GradientStep` on the deepset prompt-injection
 *   training set (546 texts), logistic regression over 2^16 hashed features. The private step
 *   draws a Poisson batch at q = 0.1 (q·N = 54.6 expected) and uses lazy noise, as
 *   `trainClassifier` does without momentum, with the catch-up its epoch metrics force once
 *   per epoch (1/q steps: the coordinates the training texts read) counted in; the plain step
 *   takes fixed batches of 55. Dense noise (every coordinate, every step: the form before
 *   lazy noise) is timed too, and all three again at q = 0.05 (atHalfTheBatch). Rounds run
 *   the three back to back; rates are the median round, ratios the median of rounds' ratios.
 * - training: test accuracy of `trainClassifier` private (σ 1, C 1, q 0.1, 200 steps, the
 *   settings of test/privacy/training) beside plain (batch 55, 200 steps) on the same
 *   features, over several runs each, with the ε the private runs spent (RDP and PRV).
 */
import { readFileSync } from 'node:fs';
import { epsilonFor, getNoiseMultiplier } from '../dist/privacy/dp/index.js';
import { parametersReadBy, type EncodedExample } from '../dist/privacy/training/classifier-model.js';
import { GradientStep, type NoiseMode } from '../dist/privacy/training/dp-sgd-step.js';
import { LogisticRegression } from '../dist/privacy/training/logistic-regression.js';
import { PoissonSampler } from '../dist/privacy/training/poisson-sampling.js';
import { Sgd } from '../dist/privacy/training/sgd.js';
import { featureHashingSchema, hashTextFeatures } from '../dist/privacy/training/text-features.js';
import { trainClassifier } from '../dist/privacy/training/train-classifier.js';
import { sharedPath } from '../test/shared-path.js';

const DELTA = 1e-5;
const SAMPLING_RATE = 0.1;
const FEATURES = { bits: 16, charNgrams: [2, 4] as [number, number] };
const PRIVACY = { noiseMultiplier: 1, clippingNorm: 1, samplingRate: SAMPLING_RATE };
const DP_LEARNING_RATE = 3;
const PLAIN_LEARNING_RATE = 5;
const TRAINING_EPOCHS = 20;
const TRAINING_RUNS = Number(process.env.BENCH_DP_TRAINING_RUNS ?? 8);
const STEP_ROUNDS = 11;
/** Steps per round at q = 0.1 (scaled by 0.1/q for the plain and lazy steps, whose cost follows the batch). */
const ROUND_STEPS = { plain: 1500, lazy: 800, dense: 300 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => Number(x.toFixed(2));
const round3 = (x: number) => Number(x.toFixed(3));

function timed<T>(work: () => T): { ms: number; result: T } {
  const start = performance.now();
  const result = work();
  return { ms: performance.now() - start, result };
}

function loadSplit(split: 'train' | 'test'): Array<{ text: string; label: number }> {
  return readFileSync(sharedPath(`data/prompt-injection-eval/deepset-prompt-injections-${split}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { text: string; label: number });
}

function accountingFigures() {
  const epsilonCase = { noiseMultiplier: 1.1, samplingRate: 0.01, steps: 100_000, delta: DELTA, accountant: 'rdp' as const };
  const cold = timed(() => epsilonFor(epsilonCase));
  const warm = Array.from({ length: 15 }, () => timed(() => epsilonFor(epsilonCase)).ms);
  const calibration = { targetEpsilon: 8, delta: DELTA, samplingRate: 0.01, epochs: 10 };
  timed(() => getNoiseMultiplier({ ...calibration, accountant: 'rdp' })); // warm-up
  const rdp = Array.from({ length: 15 }, () => timed(() => getNoiseMultiplier({ ...calibration, accountant: 'rdp' })));
  timed(() => getNoiseMultiplier({ ...calibration, accountant: 'prv' }));
  const prv = Array.from({ length: 7 }, () => timed(() => getNoiseMultiplier({ ...calibration, accountant: 'prv' })));
  return {
    epsilonMs: ms(median(warm)),
    epsilonColdMs: ms(cold.ms),
    epsilon: round3(cold.result.epsilon),
    epsilonCase: 'epsilonFor, RDP (improved conversion over the default orders): 100 000 steps, q 0.01, σ 1.1, δ 1e-5; median of 15 warm calls, and the first call of the process',
    calibrateMs: ms(median(rdp.map((r) => r.ms))),
    calibrateMsPrv: ms(median(prv.map((r) => r.ms))),
    calibratedNoiseMultiplier: { rdp: round3(rdp[0]!.result.noiseMultiplier), prv: round3(prv[0]!.result.noiseMultiplier) },
    calibrateCase: 'getNoiseMultiplier: ε 8, δ 1e-5, q 0.01, 10 epochs (1000 steps); median of 15 (RDP) and 7 (PRV) calls after one warm-up',
  };
}

/** Step rates at sampling rate q: private (lazy and dense noise) against plain with a fixed batch of round(q·N). */
function stepRates(examples: EncodedExample[], samplingRate: number) {
  const n = examples.length;
  const expectedBatch = samplingRate * n;
  const plainBatch = Math.round(expectedBatch);
  const epoch = Math.round(1 / samplingRate);
  const sampler = new PoissonSampler(n, samplingRate);

  const privateRunner = (noise: NoiseMode) => {
    const model = new LogisticRegression(2 ** FEATURES.bits);
    const step = new GradientStep(model, new Sgd(model.parameters, DP_LEARNING_RATE), { noiseMultiplier: PRIVACY.noiseMultiplier, clippingNorm: PRIVACY.clippingNorm, expectedBatchSize: expectedBatch, noise });
    const readByMetrics = parametersReadBy(model, examples);
    let taken = 0;
    return (steps: number) => {
      for (let i = 0; i < steps; i++) {
        step.run(Array.from(sampler.next(), (k) => examples[k]!));
        if (++taken % epoch === 0) step.catchUp(readByMetrics);
      }
    };
  };
  const plainRunner = () => {
    const model = new LogisticRegression(2 ** FEATURES.bits);
    const step = new GradientStep(model, new Sgd(model.parameters, PLAIN_LEARNING_RATE));
    let offset = 0;
    return (steps: number) => {
      for (let i = 0; i < steps; i++) {
        if (offset + plainBatch > n) offset = 0;
        step.run(examples.slice(offset, offset + plainBatch));
        offset += plainBatch;
      }
    };
  };

  const runners = { plain: plainRunner(), lazy: privateRunner('lazy'), dense: privateRunner('dense') };
  const rates: Record<keyof typeof runners, number[]> = { plain: [], lazy: [], dense: [] };
  const variants = Object.entries(runners) as Array<[keyof typeof runners, (steps: number) => void]>;
  // Sized so each variant runs ~0.1–0.3 s a round whatever the batch.
  const roundSteps = { plain: Math.round(ROUND_STEPS.plain * 0.1 / samplingRate), lazy: Math.round(ROUND_STEPS.lazy * 0.1 / samplingRate), dense: ROUND_STEPS.dense };
  for (const [, run] of variants) run(300); // warm-up
  for (let round = 0; round < STEP_ROUNDS; round++) {
    for (const [name, run] of variants) rates[name].push((roundSteps[name] / timed(() => run(roundSteps[name])).ms) * 1000);
  }
  // Ratios round by round (the three run back to back), so a change of machine load between rounds cancels.
  const ratio = (of: number[]) => round3(median(of.map((rate, r) => rate / rates.plain[r]!)));
  const figures = {
    dpStepPerSec: Math.round(median(rates.lazy)),
    nonPrivateStepPerSec: Math.round(median(rates.plain)),
    dpToNonPrivate: ratio(rates.lazy),
    dpDenseStepPerSec: Math.round(median(rates.dense)),
    dpDenseToNonPrivate: ratio(rates.dense),
    batchSize: { dpExpected: round3(expectedBatch), nonPrivate: plainBatch },
  };
  return { figures, roundSteps };
}

function stepFigures(examples: EncodedExample[]) {
  const main = stepRates(examples, SAMPLING_RATE);
  const halfBatch = stepRates(examples, SAMPLING_RATE / 2);
  return {
    ...main.figures,
    atHalfTheBatch: halfBatch.figures,
    stepModel: `logistic regression over 2^${FEATURES.bits} hashed features (word 1–2-grams, char 2–4-grams), ${examples.length} training texts; σ ${PRIVACY.noiseMultiplier}, C ${PRIVACY.clippingNorm}, q ${SAMPLING_RATE} (atHalfTheBatch: q ${SAMPLING_RATE / 2})`,
    stepMethod: `GradientStep.run, batch drawing included; private with lazy noise and, every 1/q steps (an epoch), the catch-up trainClassifier makes before its metrics (the coordinates the training texts read); dense: noise on every coordinate every step, the form before lazy noise. ${STEP_ROUNDS} rounds of ${main.roundSteps.plain} plain, ${main.roundSteps.lazy} lazy, ${main.roundSteps.dense} dense steps back to back after 300 warm-up steps each; rates are the median round, ratios the median of the rounds' ratios`,
  };
}

async function trainingFigures() {
  const train = loadSplit('train');
  const test = loadSplit('test');
  const steps = TRAINING_EPOCHS * Math.round(1 / SAMPLING_RATE);
  const dp = { accuracy: [] as number[], ms: [] as number[], noise: '' as string };
  // The bar: useful accuracy at epsilon <= 8. Sigma calibrated (RDP) so the 200 steps spend 8.
  const atEight = getNoiseMultiplier({ targetEpsilon: 8, delta: DELTA, samplingRate: SAMPLING_RATE, steps, accountant: 'rdp' });
  const dpAtEight: number[] = [];
  const plain = { accuracy: [] as number[], ms: [] as number[], steps: 0 };
  for (let run = 0; run < TRAINING_RUNS; run++) {
    let start = performance.now();
    const privateReport = await trainClassifier({ examples: train, labels: [0, 1], features: FEATURES, epochs: TRAINING_EPOCHS, learningRate: DP_LEARNING_RATE, privacy: PRIVACY });
    dp.ms.push(performance.now() - start);
    dp.accuracy.push(privateReport.classifier.evaluate(test).accuracy);
    dp.noise = privateReport.noise ?? 'none';
    if (privateReport.stepsRun !== steps) throw new Error(`bench: the private run took ${privateReport.stepsRun} steps, not ${steps}`);
    const eightReport = await trainClassifier({ examples: train, labels: [0, 1], features: FEATURES, epochs: TRAINING_EPOCHS, learningRate: DP_LEARNING_RATE, privacy: { ...PRIVACY, noiseMultiplier: atEight.noiseMultiplier } });
    dpAtEight.push(eightReport.classifier.evaluate(test).accuracy);
    start = performance.now();
    // As many steps of 55 as the private run takes of 54.6 expected: 20 passes of 10 batches.
    const plainReport = await trainClassifier({ examples: train, labels: [0, 1], features: FEATURES, epochs: TRAINING_EPOCHS, learningRate: PLAIN_LEARNING_RATE, batchSize: Math.round(SAMPLING_RATE * train.length) });
    plain.ms.push(performance.now() - start);
    plain.accuracy.push(plainReport.classifier.evaluate(test).accuracy);
    plain.steps = plainReport.stepsRun;
  }
  const summary = (xs: number[]) => ({ mean: round3(xs.reduce((a, b) => a + b, 0) / xs.length), min: round3(Math.min(...xs)), max: round3(Math.max(...xs)) });
  const spent = { noiseMultiplier: PRIVACY.noiseMultiplier, samplingRate: SAMPLING_RATE, steps, delta: DELTA };
  return {
    training: {
      data: `deepset/prompt-injections: ${train.length} training, ${test.length} test texts; always answering "injection" scores ${round3(test.filter((e) => e.label === 1).length / test.length)}`,
      runs: TRAINING_RUNS,
      dp: {
        testAccuracy: summary(dp.accuracy),
        epsilonRdp: round3(epsilonFor({ ...spent, accountant: 'rdp' }).epsilon),
        epsilonPrv: round3(epsilonFor({ ...spent, accountant: 'prv' }).epsilon),
        delta: DELTA,
        steps,
        noise: dp.noise,
        msPerRun: Math.round(median(dp.ms)),
        settings: `σ ${PRIVACY.noiseMultiplier}, C ${PRIVACY.clippingNorm}, q ${SAMPLING_RATE} (Poisson), lr ${DP_LEARNING_RATE}, ${TRAINING_EPOCHS} epochs`,
      },
      dpAtEpsilon8: {
        testAccuracy: summary(dpAtEight),
        noiseMultiplier: round3(atEight.noiseMultiplier),
        epsilonRdp: round3(atEight.epsilon),
        settings: `as dp, with σ calibrated (RDP) so the ${steps} steps spend ε 8 at δ ${DELTA}`,
      },
      nonPrivate: {
        testAccuracy: summary(plain.accuracy),
        steps: plain.steps,
        msPerRun: Math.round(median(plain.ms)),
        settings: `fixed batches of ${Math.round(SAMPLING_RATE * train.length)}, lr ${PLAIN_LEARNING_RATE}, ${TRAINING_EPOCHS} epochs`,
      },
      model: `logistic regression, 2^${FEATURES.bits} hashed features (word 1–2-grams, char 2–4-grams); msPerRun includes the per-epoch metrics over the training set`,
    },
  };
}

const started = performance.now();
const accounting = accountingFigures();
const hashing = featureHashingSchema.parse(FEATURES);
const examples: EncodedExample[] = loadSplit('train').map((e) => ({ features: hashTextFeatures(e.text, hashing), label: e.label }));
const steps = stepFigures(examples);
const training = await trainingFigures();
process.stdout.write(
  JSON.stringify({
    area: 'dp',
    ...accounting,
    ...steps,
    ...training,
    targets: { calibrateMs: 50, dpToNonPrivate: 0.5 },
    totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  }) + '\n',
);
