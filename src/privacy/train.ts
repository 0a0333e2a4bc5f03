import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { AuditSink } from '../core/audit-sink.js';
import { checkOutputWritable, writeAtomically } from '../core/atomic-file.js';
import { LangtrainError, invalidInput, isLangtrainError } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import { composedEpsilon, mostStepsWithin, type BudgetLedger } from './budget/budget-ledger.js';
import { DifferentialPrivacy } from './differential-privacy.js';
import { checkParameters, type LineageParameters, type LineageStore } from './lineage/lineage-store.js';
import { lineageRecordCommand } from './lineage/record-command.js';
import { sameFile } from './lineage/same-file.js';
import { MAX_EPOCHS, MODEL_KINDS, trainClassifier, type EpochMetrics, type Label, type LabelledText, type TextClassifier, type TrainingProgress } from './training/index.js';

const fn = <T>() => z.custom<T>((value) => typeof value === 'function', 'must be a function');
const examplesOrFile = z.union([z.string().min(1), z.array(z.object({ text: z.string(), label: z.union([z.string(), z.number()]) })).min(1)]);

const optionsSchema = z
  .object({
    /** JSON Lines file (one `{text, label}` object a line; see textField/labelField) or the examples themselves. */
    dataset: examplesOrFile,
    /** Held-out examples: accuracy is reported on them (never on the training data alone). */
    testDataset: examplesOrFile.optional(),
    textField: z.string().min(1).default('text'),
    labelField: z.string().min(1).default('label'),
    /** The seed's privacy_engine. Without it the model is trained without privacy, and the report says so. */
    privacyEngine: z.instanceof(DifferentialPrivacy, { message: 'must be a DifferentialPrivacy' }).optional(),
    /** The seed's max_grad_norm: the engine's clippingNorm by another name; both given must agree. */
    maxGradNorm: z.number().positive().finite().optional(),
    /** The seed's noise_multiplier; default the engine's, else calibrated to its epsilon for the planned epochs. */
    noiseMultiplier: z.number().positive().finite().optional(),
    model: z.enum(MODEL_KINDS, { message: `supported: ${MODEL_KINDS.join(', ')}` }).default('logistic'),
    labels: z.array(z.union([z.string(), z.number()])).min(2).optional(),
    epochs: z.number().int().positive().max(MAX_EPOCHS).default(10),
    learningRate: z.number().positive().finite().default(3),
    /** Also train the same model without privacy (batch q·N, same epochs) and report its accuracy beside. */
    comparePlain: z.boolean().default(false),
    /** Write the model (JSON) here, and its privacy report beside it as `<output>.privacy.json`. */
    output: z.string().min(1).optional(),
    /** Who trains, for the ledger, lineage and audit. */
    actor: z.string().min(1).max(256).default('langtrain'),
    onProgress: fn<(progress: TrainingProgress) => void>().optional(),
  })
  .strict();

export type TrainOptions = z.input<typeof optionsSchema>;

export interface TrainDeps {
  /** Keeps the privacy unit's budget across runs (SecurityManager.train passes it); without it the budget holds for this run only. */
  ledger?: BudgetLedger;
  /** Records dataset -> model (with an output file). */
  lineage?: LineageStore;
  audit?: AuditSink;
}

export interface PrivacyReport {
  unit: string;
  accountant: 'rdp' | 'prv';
  epsilonBudget: number;
  delta: number;
  noiseMultiplier: number;
  samplingRate: number;
  clippingNorm: number;
  steps: number;
  /** Epsilon this run spent, by the accountant. */
  epsilonSpent: number;
  /** Epsilon the unit has spent in all (this run and earlier ones), when a ledger keeps it. */
  unitEpsilonSpent?: number;
  /** Whether the budget is kept in the store across runs, or held for this run only. */
  budgetScope: 'ledger' | 'run';
}

export interface TrainReport {
  stopReason: 'completed' | 'budget';
  /** Why training stopped early, for a person to read. */
  message?: string;
  stepsRun: number;
  plannedSteps: number;
  examples: number;
  epochs: EpochMetrics[];
  /** On testDataset. */
  testAccuracy?: number;
  /** The same model trained without privacy, on testDataset (comparePlain). */
  plainTestAccuracy?: number;
  privacy?: PrivacyReport;
  modelDigest?: string;
}

export interface TrainResult {
  model: TextClassifier;
  report: TrainReport;
}

/**
 * The seed's `langtrain.train(dataset, privacy_engine=dp, max_grad_norm, noise_multiplier)`: a
 * text classifier over hashed n-grams, with DP-SGD when a privacy engine is given. The budget is
 * enforced, not only reported: steps are reserved before they run (per epoch, from the ledger
 * when there is one), and training stops at the step the budget cannot pay for, saying so.
 * Reserved steps count as spent even if the run dies before using them: the safe side. When not
 * one step fits, nothing is trained and ERR_PRIVACY_BUDGET_EXHAUSTED is thrown.
 */
export async function train(options: TrainOptions, deps: TrainDeps = {}): Promise<TrainResult> {
  const settings = parseOptions(optionsSchema, options, 'train');
  // Every refusal that needs no training comes before the first step is reserved: found after
  // it, the run would have spent the unit's epsilon for no model, and the corrected run be refused.
  if (settings.comparePlain && settings.testDataset === undefined) throw invalidInput('train: comparePlain needs a testDataset to compare on', { field: 'comparePlain' });
  if (settings.output) {
    await refuseOverwritingData(settings.output, [settings.dataset, settings.testDataset]);
    for (const file of [settings.output, reportPath(settings.output)]) await checkOutputWritable(file);
  }
  // The file is read once: its digest (the privacy unit, the lineage edge) is that of the bytes trained on.
  const { examples, digest: dataDigest } = await loadExamples(settings.dataset, settings.textField, settings.labelField, 'dataset');
  const test = settings.testDataset === undefined ? undefined : (await loadExamples(settings.testDataset, settings.textField, settings.labelField, 'testDataset')).examples;
  const engine = settings.privacyEngine?.settings;
  // By default the budget belongs to the data itself (its digest), whatever path or copy it is read from.
  const unit = engine ? (engine.unit ?? `dataset:${dataDigest ?? sha256(JSON.stringify(examples))}`) : undefined;

  // The lineage edge's caller-given strings are checked now (checkParameters refuses personal
  // data in them): refused after training, the model would already be written with no edge.
  if (deps.lineage && typeof settings.dataset === 'string') await checkParameters({ model: settings.model, ...(unit ? { privacy_unit: unit } : {}) });

  let privacy: { noiseMultiplier: number; clippingNorm: number; samplingRate: number } | undefined;
  let gate: StepGate | undefined;
  if (engine && settings.privacyEngine && unit) {
    if (settings.maxGradNorm !== undefined && settings.maxGradNorm !== engine.clippingNorm) {
      throw invalidInput(`train: maxGradNorm ${settings.maxGradNorm} and the privacy engine's clippingNorm ${engine.clippingNorm} disagree; they are the same setting, give one`, { field: 'maxGradNorm' });
    }
    if (settings.noiseMultiplier !== undefined && engine.noiseMultiplier !== undefined && settings.noiseMultiplier !== engine.noiseMultiplier) {
      throw invalidInput(`train: noiseMultiplier ${settings.noiseMultiplier} and the privacy engine's noiseMultiplier ${engine.noiseMultiplier} disagree; they are the same setting, give one`, { field: 'noiseMultiplier' });
    }
    // delta >= 1/N would allow releasing one whole example outright and still "meet" the guarantee.
    if (engine.delta >= 1 / examples.length) throw invalidInput(`train: delta ${engine.delta} must be below 1/N = ${(1 / examples.length).toExponential(2)} for ${examples.length} examples`, { field: 'delta' });
    const noiseMultiplier = settings.noiseMultiplier ?? settings.privacyEngine.noiseMultiplierFor(stepsPerEpochOf(engine.samplingRate) * settings.epochs);
    privacy = { noiseMultiplier, clippingNorm: engine.clippingNorm, samplingRate: engine.samplingRate };
    const mechanism = { noiseMultiplier, samplingRate: engine.samplingRate };
    if (deps.ledger) {
      await deps.ledger.createBudget({ unit, epsilon: engine.epsilon, delta: engine.delta, accountant: engine.accountant }, settings.actor);
      const ledger = deps.ledger;
      const job = `train:${new Date().toISOString()}`;
      gate = { scope: 'ledger', reserve: async (steps) => (await ledger.reserve({ unit, ...mechanism, steps, upTo: true, job, actor: settings.actor })).steps };
    } else {
      let reserved = 0;
      gate = {
        scope: 'run',
        reserve: async (steps) => {
          const fits = mostStepsWithin(steps, engine.epsilon, (k) => composedEpsilon([{ ...mechanism, steps: reserved + k }], engine.delta, engine.accountant));
          if (fits === 0) throw new LangtrainError('ERR_PRIVACY_BUDGET_EXHAUSTED', `the run has spent its epsilon budget of ${engine.epsilon}`);
          reserved += fits;
          return fits;
        },
      };
    }
  } else if (settings.maxGradNorm !== undefined || settings.noiseMultiplier !== undefined) {
    throw invalidInput('train: maxGradNorm and noiseMultiplier are DP-SGD settings: give a privacyEngine (DifferentialPrivacy) as well', { field: settings.maxGradNorm !== undefined ? 'maxGradNorm' : 'noiseMultiplier' });
  }

  const stepsPerEpoch = privacy ? stepsPerEpochOf(privacy.samplingRate) : 0;
  let granted = 0;
  const common = { examples, model: settings.model, ...(settings.labels ? { labels: settings.labels } : {}), epochs: settings.epochs, learningRate: settings.learningRate };
  const trained = await trainClassifier({
    ...common,
    ...(privacy && gate
      ? {
          privacy: {
            ...privacy,
            beforeStep: async ({ index }: { index: number }) => {
              if (granted === 0) granted = await gate!.reserve(Math.min(stepsPerEpoch, stepsPerEpoch * settings.epochs - index));
              granted--;
            },
          },
        }
      : {}),
    ...(settings.onProgress ? { onProgress: settings.onProgress } : {}),
  });
  const report: TrainReport = { stopReason: trained.stopReason, stepsRun: trained.stepsRun, plannedSteps: trained.plannedSteps, examples: examples.length, epochs: trained.epochs };
  if (trained.stopReason === 'budget') {
    // A refusal is the ledger's answer; anything else (the store failing) is a fault, and no model is written.
    if (!(trained.stopCause instanceof LangtrainError && trained.stopCause.code === 'ERR_PRIVACY_BUDGET_EXHAUSTED')) throw trained.stopCause;
    if (trained.stepsRun === 0) throw trained.stopCause;
    report.message = `stopped after ${trained.stepsRun} of ${trained.plannedSteps} steps: the privacy budget of ${unit} is spent (${trained.stopCause.message})`;
  }
  if (test) report.testAccuracy = trained.classifier.evaluate(test).accuracy;
  if (settings.comparePlain && test) {
    const batchSize = privacy ? Math.max(1, Math.round(privacy.samplingRate * examples.length)) : undefined;
    const plain = await trainClassifier({ ...common, ...(batchSize ? { batchSize } : {}) });
    report.plainTestAccuracy = plain.classifier.evaluate(test).accuracy;
  }
  if (privacy && engine && unit && gate) {
    report.privacy = {
      unit,
      accountant: engine.accountant,
      epsilonBudget: engine.epsilon,
      delta: engine.delta,
      ...privacy,
      steps: trained.stepsRun,
      epsilonSpent: settings.privacyEngine!.epsilonAfter(trained.stepsRun, privacy.noiseMultiplier),
      ...(deps.ledger ? { unitEpsilonSpent: (await deps.ledger.budget(unit)).spentEpsilon } : {}),
      budgetScope: gate.scope,
    };
  }
  const written = settings.output ? await writeModel(settings.output, trained.classifier, report, settings, deps, dataDigest) : [];
  try {
    // `model` (the output's absolute path) tells one model's trainings from another's: the monitor compares each with the last (model_performance_drop)
    const model: Record<string, string> = settings.output ? { model: resolve(settings.output) } : {};
    await deps.audit?.record({ eventType: 'model.trained', userId: settings.actor, result: 'success', additionalData: { ...summaryForAudit(report), ...model } });
  } catch (err) {
    if (written.length === 0) throw err;
    throw alreadyWritten(written, 'the model.trained audit event could not be recorded', err);
  }
  return { model: trained.classifier, report };
}

function reportPath(output: string): string {
  return `${output}.privacy.json`;
}

/** Refuses an output (or its report) that is one of the data files, by path or by link: the model would be written over the data. */
async function refuseOverwritingData(output: string, data: ReadonlyArray<unknown>): Promise<void> {
  for (const file of data) {
    if (typeof file !== 'string') continue;
    for (const written of [output, reportPath(output)]) {
      if (await sameFile(written, file)) throw invalidInput(`output ${output} would be written over the data set ${file}: name another file for the model`, { field: 'output' });
    }
  }
}

/** As trainClassifier counts them: an epoch is 1/q steps, at least one. */
function stepsPerEpochOf(samplingRate: number): number {
  return Math.max(1, Math.round(1 / samplingRate));
}

interface StepGate {
  scope: 'ledger' | 'run';
  /** Up to `steps` more steps, at least one; throws ERR_PRIVACY_BUDGET_EXHAUSTED when not one fits. */
  reserve(steps: number): Promise<number>;
}

/**
 * Writes the model and its report, each whole (writeAtomically), and records the edge from the
 * data trained on to the model. The edge goes first, from the digest of the bytes about to be
 * written: a run that dies in between leaves an edge to a model that never appeared, which is
 * harmless, never a model that lineage, and so erasure, cannot find. When the edge cannot be
 * recorded the model is still written, since its epsilon is spent and a re-run may be refused;
 * the error then names what was written and the command that records the edge by hand.
 * Returns the files written.
 */
async function writeModel(path: string, classifier: TextClassifier, report: TrainReport, settings: z.output<typeof optionsSchema>, deps: TrainDeps, inputDigest: string | undefined): Promise<string[]> {
  const model = Buffer.from(JSON.stringify(classifier.toJSON()));
  report.modelDigest = sha256(model);
  const edge = deps.lineage && typeof settings.dataset === 'string' && inputDigest ? { dataset: settings.dataset, inputDigest, parameters: trainParameters(report, settings) } : undefined;
  let notRecorded: { err: unknown } | undefined;
  if (edge) {
    try {
      await deps.lineage!.recordTransformation({ inputDigest: edge.inputDigest, outputDigest: report.modelDigest, operation: 'train', parameters: edge.parameters, actor: settings.actor });
    } catch (err) {
      notRecorded = { err };
    }
  }
  await writeAtomically(path, async (out) => {
    out.write(model);
  });
  try {
    await writeAtomically(reportPath(path), async (out) => {
      out.write(JSON.stringify(report, null, 2) + '\n');
    });
  } catch (err) {
    throw alreadyWritten([path], `its privacy report ${reportPath(path)} could not be written`, err);
  }
  const written = [path, reportPath(path)];
  if (edge && notRecorded) {
    throw alreadyWritten(
      written,
      'its lineage edge could not be recorded',
      notRecorded.err,
      `; record it with: ${lineageRecordCommand(edge.dataset, path, 'train', edge.parameters)} (while ${edge.dataset} still holds the bytes trained on, ${edge.inputDigest})`,
      { inputDigest: edge.inputDigest, outputDigest: report.modelDigest },
    );
  }
  return written;
}

function trainParameters(report: TrainReport, settings: z.output<typeof optionsSchema>): LineageParameters {
  const p = report.privacy;
  return {
    model: settings.model,
    epochs: settings.epochs,
    steps: report.stepsRun,
    private: p !== undefined,
    ...(p ? { noise_multiplier: p.noiseMultiplier, sampling_rate: p.samplingRate, clipping_norm: p.clippingNorm, delta: p.delta, epsilon_spent: p.epsilonSpent, accountant: p.accountant, privacy_unit: p.unit } : {}),
  };
}

/**
 * A failure after files were written (the model stands, its epsilon spent): says which, and what
 * is missing, as the CLI's lineage steps do; `details.written` lists the files.
 */
function alreadyWritten(written: readonly string[], missing: string, err: unknown, remedy = '', details: Record<string, unknown> = {}): LangtrainError {
  const message = err instanceof Error ? err.message : String(err);
  return new LangtrainError(
    isLangtrainError(err) ? err.code : 'ERR_INTERNAL',
    `${written.join(' and ')} ${written.length === 1 ? 'was' : 'were'} written, but ${missing}: ${message}${remedy}`,
    { ...(isLangtrainError(err) ? err.details : {}), ...details, written: [...written] },
    { cause: err },
  );
}

function sha256(data: string | Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The report for the audit log: everything but the per-epoch metrics (long, and measured on the training data). */
function summaryForAudit(report: TrainReport) {
  const { epochs: _perEpoch, ...rest } = report;
  return rest as unknown as Record<string, never>;
}

/** The examples, and for a file the digest of exactly the bytes they were parsed from. */
async function loadExamples(source: string | LabelledText[], textField: string, labelField: string, option: string): Promise<{ examples: LabelledText[]; digest?: string }> {
  if (typeof source !== 'string') return { examples: source };
  const bytes = await readFile(source).catch((err: NodeJS.ErrnoException) => {
    throw invalidInput(`${option}: cannot read ${source} (${err.code ?? err.message})`, { field: option });
  });
  const text = bytes.toString('utf8');
  const examples: LabelledText[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw invalidInput(`${source} line ${i + 1}: not valid JSON`, { line: i + 1 });
    }
    const value = record?.[textField];
    const label = record?.[labelField];
    if (typeof value !== 'string') throw invalidInput(`${source} line ${i + 1}: no string field ${textField}`, { line: i + 1 });
    if (typeof label !== 'string' && typeof label !== 'number') throw invalidInput(`${source} line ${i + 1}: no string or number field ${labelField}`, { line: i + 1 });
    examples.push({ text: value, label: label as Label });
  });
  if (examples.length === 0) throw invalidInput(`${option}: ${source} holds no examples`, { field: option });
  return { examples, digest: sha256(bytes) };
}
