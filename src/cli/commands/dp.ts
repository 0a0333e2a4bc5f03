import { Command, Option } from 'commander';
import { invalidInput } from '../../core/errors.js';
import type { AccountantName, PrivacyBudget } from '../../privacy/budget/budget-ledger.js';
import { epsilonFor, getNoiseMultiplier } from '../../privacy/dp/index.js';
import { cliActor, output, withCommonOptions, withSecurity, type CommonOptions, type Run } from '../context.js';
import { realNumberOption, wholeNumberOption } from '../number-options.js';

const accountantOption = () => new Option('--accountant <name>', 'rdp, or prv (tighter; Opacus\' default)').choices(['rdp', 'prv']).default('rdp');

// The privacy flags of `dp` and `train`, in the ranges of the accounting API's door
// (privacy/dp/options.ts), checked here so that a refusal names the flag, not the field.
export const epsilonOption = (value: string) => realNumberOption(value, '--epsilon', { above: 0 });
export const deltaOption = (value: string) => realNumberOption(value, '--delta', { above: 0, below: 1 });
export const samplingRateOption = (value: string) => realNumberOption(value, '--sampling-rate', { above: 0, to: 1 });
const stepsOption = (value: string) => wholeNumberOption(value, '--steps', 1);

/** σ = 0 adds no noise: refused with the reason, as the budget reservation refuses it, not answered with ε = ∞ (null in JSON). */
export function noiseMultiplierOption(value: string): number {
  return realNumberOption(value, '--noise-multiplier', { above: 0 }, 'without noise the steps give no privacy: epsilon would be infinite');
}

/**
 * `langtrain dp …`: differential-privacy accounting for DP-SGD (epsilon spent, noise for a
 * target epsilon) and the privacy budgets the store enforces per privacy unit.
 */
export function dpCommand(run: Run): Command {
  const dp = new Command('dp').description('differential privacy: epsilon of a DP-SGD run, noise for a target epsilon, privacy budgets');

  dp.command('epsilon')
    .description('epsilon spent by STEPS steps of DP-SGD with Poisson sampling')
    // q = 0 releases nothing, and spends epsilon 0: accounted, as the library accounts it
    .requiredOption('--sampling-rate <q>', 'probability each example is in a batch (batch size / data set size)', (v) => realNumberOption(v, '--sampling-rate', { from: 0, to: 1 }))
    .requiredOption('--noise-multiplier <sigma>', 'noise standard deviation over the clipping norm (> 0)', noiseMultiplierOption)
    .requiredOption('--steps <n>', 'optimizer steps', stepsOption)
    .requiredOption('--delta <d>', 'delta of the guarantee, below 1 / data set size', deltaOption)
    .addOption(accountantOption())
    .option('--json', 'print machine-readable JSON')
    .action((o) =>
      run(async () => {
        const result = epsilonFor({ noiseMultiplier: o.noiseMultiplier, samplingRate: o.samplingRate, steps: o.steps, delta: o.delta, accountant: o.accountant });
        output(o, result, () => `epsilon ${result.epsilon.toFixed(4)} at delta ${o.delta} (${o.accountant}${result.order !== undefined ? `, order ${result.order}` : ''})`);
      }, o.json),
    );

  dp.command('calibrate')
    .description('the smallest noise multiplier whose epsilon stays within the target (at most 0.01, or a tenth of a smaller target, below it)')
    .requiredOption('--epsilon <e>', 'target epsilon', epsilonOption)
    .requiredOption('--delta <d>', 'delta of the guarantee', deltaOption)
    .requiredOption('--sampling-rate <q>', 'probability each example is in a batch', samplingRateOption)
    .option('--steps <n>', 'optimizer steps', stepsOption)
    // epochs need not be whole: steps = floor(epochs / sampling rate), as Opacus counts them
    .option('--epochs <n>', 'epochs instead of steps (steps = epochs / sampling rate)', (v) => realNumberOption(v, '--epochs', { above: 0 }))
    .addOption(accountantOption())
    .option('--json', 'print machine-readable JSON')
    .action((o) =>
      run(async () => {
        if ((o.steps === undefined) === (o.epochs === undefined)) throw invalidInput('give --steps or --epochs (one of them)');
        const calibration = getNoiseMultiplier({
          targetEpsilon: o.epsilon,
          delta: o.delta,
          samplingRate: o.samplingRate,
          ...(o.steps !== undefined ? { steps: o.steps } : { epochs: o.epochs }),
          accountant: o.accountant,
        });
        output(o, calibration, () => `noise multiplier ${calibration.noiseMultiplier.toFixed(4)} gives epsilon ${calibration.epsilon.toFixed(4)} over ${calibration.steps} steps (${o.accountant})`);
      }, o.json),
    );

  const budget = dp.command('budget').description('privacy budgets per privacy unit, kept in the store and enforced');
  withCommonOptions(budget.command('create'))
    .description('set the budget of a privacy unit (fixed once set)')
    .argument('<unit>', 'e.g. dataset:tickets-v2')
    .requiredOption('--epsilon <e>', 'the most epsilon the unit may spend', epsilonOption)
    .requiredOption('--delta <d>', 'delta of the guarantee', deltaOption)
    .addOption(accountantOption())
    .action((unit: string, o) =>
      withSecurity(run, o, async (security) => {
        const made = await (await security.privacyBudgets()).createBudget({ unit, epsilon: o.epsilon, delta: o.delta, accountant: o.accountant as AccountantName }, cliActor());
        output(o, made, () => describeBudget(made));
      }, { store: 'create' }),
    );
  withCommonOptions(budget.command('show'))
    .description('a unit\'s budget and every spend')
    .argument('<unit>')
    .action((unit: string, o: CommonOptions) =>
      withSecurity(run, o, async (security) => {
        const shown = await (await security.privacyBudgets()).budget(unit);
        output(o, shown, () => [describeBudget(shown), ...shown.spends.map((s) => `  #${s.seq} ${s.at} ${s.job}: ${s.steps} steps, sigma ${s.noiseMultiplier}, q ${s.samplingRate} -> epsilon ${s.epsilonAfter.toFixed(4)}`)].join('\n'));
      }),
    );
  withCommonOptions(budget.command('list'))
    .description('every privacy unit with its budget and what it has spent')
    .action((o: CommonOptions) =>
      withSecurity(run, o, async (security) => {
        const budgets = await (await security.privacyBudgets()).list();
        output(o, budgets, () => (budgets.length === 0 ? 'no privacy budgets yet' : budgets.map(describeBudget).join('\n')));
      }),
    );
  return dp;
}

function describeBudget(b: Omit<PrivacyBudget, 'spends'>): string {
  return `${b.unit}: spent epsilon ${b.spentEpsilon.toFixed(4)} of ${b.epsilon} (delta ${b.delta}, ${b.accountant}); ${b.remainingEpsilon.toFixed(4)} left`;
}
