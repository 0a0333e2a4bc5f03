import { Command, Option } from 'commander';
import { invalidInput } from '../../core/errors.js';
import { DifferentialPrivacy } from '../../privacy/differential-privacy.js';
import type { TrainReport } from '../../privacy/train.js';
import { MAX_EPOCHS, MODEL_KINDS } from '../../privacy/training/index.js';
import { cliActor, output, withCommonOptions, withSecurity, type Run } from '../context.js';
import { realNumberOption, wholeNumberOption } from '../number-options.js';
import { startProgress } from '../progress.js';
import { deltaOption, epsilonOption, noiseMultiplierOption, samplingRateOption } from './dp.js';

/**
 * `langtrain train`: a text classifier trained with DP-SGD on a JSONL data set, the epsilon
 * budget of its privacy unit kept in the store (a second run composes with the first and
 * stops where the budget ends), the model and its privacy report written, its lineage recorded.
 */
export function trainCommand(run: Run): Command {
  return withCommonOptions(new Command('train'))
    .description('train a text classifier with differential privacy (DP-SGD), the budget enforced across runs')
    .requiredOption('--data <file>', 'JSON Lines of {"text": …, "label": …}')
    .requiredOption('--output <file>', 'where the model goes (its privacy report beside it as <file>.privacy.json)')
    .option('--epsilon <e>', 'privacy budget of the data (its privacy unit)', epsilonOption)
    .option('--no-privacy', 'train without differential privacy (no --epsilon then)')
    .option('--delta <d>', 'delta of the guarantee (below 1/N)', deltaOption, 1e-5)
    .option('--sampling-rate <q>', 'probability each example is in a batch; an epoch is 1/q steps', samplingRateOption, 0.01)
    .option('--clipping-norm <c>', 'per-example gradient clipping norm (max_grad_norm)', (v) => realNumberOption(v, '--clipping-norm', { above: 0 }), 1)
    .option('--noise-multiplier <sigma>', 'noise multiplier (default: calibrated to --epsilon for the epochs)', noiseMultiplierOption)
    .addOption(new Option('--accountant <name>', 'rdp or prv').choices(['rdp', 'prv']).default('rdp'))
    .option('--unit <name>', 'privacy unit whose budget is spent (default: dataset:<sha256 of the data file>)')
    .option('--epochs <n>', 'epochs', (v) => wholeNumberOption(v, '--epochs', 1, MAX_EPOCHS), 10)
    .option('--learning-rate <lr>', 'SGD learning rate', (v) => realNumberOption(v, '--learning-rate', { above: 0 }), 3)
    .addOption(new Option('--model <kind>', 'model').choices([...MODEL_KINDS]).default('logistic'))
    .option('--test <file>', 'held-out JSONL: accuracy is reported on it')
    .option('--compare-plain', 'also train the same model without privacy and report its test accuracy beside')
    .option('--text-field <name>', 'field holding the text', 'text')
    .option('--label-field <name>', 'field holding the label', 'label')
    .option('--quiet', 'no progress')
    .action((o) =>
      withSecurity(run, o, async (security) => {
        if (o.privacy && o.epsilon === undefined) throw invalidInput('give --epsilon (the privacy budget), or --no-privacy to train without differential privacy');
        if (!o.privacy && o.epsilon !== undefined) throw invalidInput('--epsilon and --no-privacy contradict each other');
        const privacyEngine = o.privacy
          ? new DifferentialPrivacy({
              epsilon: o.epsilon,
              delta: o.delta,
              samplingRate: o.samplingRate,
              clippingNorm: o.clippingNorm,
              accountant: o.accountant,
              ...(o.noiseMultiplier !== undefined ? { noiseMultiplier: o.noiseMultiplier } : {}),
              ...(o.unit ? { unit: o.unit } : {}),
            })
          : undefined;
        const progress = startProgress('training (steps)', undefined, o.quiet || o.json);
        const { report } = await security.train({
          dataset: o.data,
          ...(o.test ? { testDataset: o.test } : {}),
          textField: o.textField,
          labelField: o.labelField,
          ...(privacyEngine ? { privacyEngine } : {}),
          model: o.model,
          epochs: o.epochs,
          learningRate: o.learningRate,
          comparePlain: Boolean(o.comparePlain),
          output: o.output,
          actor: cliActor(),
          onProgress: ({ stepsRun }) => progress.update(stepsRun),
        });
        progress.finish();
        output(o, report, () => describe(report, o.output));
      }, { store: 'create' }),
    );
}

function describe(report: TrainReport, path: string): string {
  const lines = [`${report.stopReason === 'completed' ? 'trained' : 'stopped early'}: ${report.stepsRun}/${report.plannedSteps} steps on ${report.examples} examples -> ${path}`];
  if (report.message) lines.push(report.message);
  if (report.testAccuracy !== undefined) lines.push(`test accuracy ${report.testAccuracy.toFixed(3)}${report.plainTestAccuracy !== undefined ? ` (without privacy: ${report.plainTestAccuracy.toFixed(3)})` : ''}`);
  const p = report.privacy;
  if (p) lines.push(`epsilon spent ${p.epsilonSpent.toFixed(3)} (delta ${p.delta}, ${p.accountant}, sigma ${p.noiseMultiplier.toFixed(3)}, q ${p.samplingRate}, C ${p.clippingNorm}); ${p.unit} has spent ${(p.unitEpsilonSpent ?? p.epsilonSpent).toFixed(3)} of ${p.epsilonBudget}`);
  else lines.push('trained WITHOUT differential privacy');
  return lines.join('\n');
}
