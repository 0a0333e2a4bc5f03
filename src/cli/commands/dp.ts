import { Command, Option } from 'commander';
import { invalidInput } from '../../core/errors.js';
import type { AccountantName, PrivacyBudget } from '../../privacy/budget/budget-ledger.js';
import { epsilonFor, getNoiseMultiplier } from '../../privacy/dp/index.js';
import { cliActor, output, withCommonOptions, withSecurity, type CommonOptions, type Run } from '../context.js';

const accountantOption = () => new Option('--accountant <name>', 'rdp, or prv (tighter; Opacus\' default)').choices(['rdp', 'prv']).default('rdp');

/**
 * `langtrain dp …`: differential-privacy accounting for DP-SGD (epsilon spent, noise for a
 * target epsilon) and the privacy budgets the store enforces per privacy unit.
 */
export function dpCommand(run: Run): Command {
  const dp = new Command('dp').description('differential privacy: epsilon of a DP-SGD run, noise for a target epsilon, privacy budgets');

  dp.command('epsilon')
    .description('epsilon spent by STEPS steps of DP-SGD with Poisson sampling')
    .requiredOption('--sampling-rate <q>', 'probability each example is in a batch (batch size / data set size)', (v) => number(v, '--sampling-rate'))
    .requiredOption('--noise-multiplier <sigma>', 'noise standard deviation over the clipping norm (> 0)', noiseMultiplier)
    .requiredOption('--steps <n>', 'optimizer steps', (v) => number(v, '--steps'))
    .requiredOption('--delta <d>', 'delta of the guarantee, below 1 / data set size', (v) => number(v, '--delta'))
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
    .requiredOption('--epsilon <e>', 'target epsilon', (v) => number(v, '--epsilon'))
    .requiredOption('--delta <d>', 'delta of the guarantee', (v) => number(v, '--delta'))
    .requiredOption('--sampling-rate <q>', 'probability each example is in a batch', (v) => number(v, '--sampling-rate'))
    .option('--steps <n>', 'optimizer steps', (v) => number(v, '--steps'))
    .option('--epochs <n>', 'epochs instead of steps (steps = epochs / sampling rate)', (v) => number(v, '--epochs'))
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
    .requiredOption('--epsilon <e>', 'the most epsilon the unit may spend', (v) => number(v, '--epsilon'))
    .requiredOption('--delta <d>', 'delta of the guarantee', (v) => number(v, '--delta'))
    .addOption(accountantOption())
    .action((unit: string, o) =>
      withSecurity(run, o, async (security) => {
        const made = await (await security.privacyBudgets()).createBudget({ unit, epsilon: o.epsilon, delta: o.delta, accountant: o.accountant as AccountantName }, cliActor());
        output(o, made, () => describeBudget(made));
      }),
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

/** σ = 0 adds no noise: refused as the budget reservation refuses it, not answered with ε = ∞ (null in JSON). */
function noiseMultiplier(value: string): number {
  const sigma = number(value, '--noise-multiplier');
  if (sigma <= 0) throw invalidInput(`--noise-multiplier must be > 0 (got ${value}): without noise the steps give no privacy (epsilon would be infinite)`);
  return sigma;
}

/** A CLI number option, refused naming the option when it is not one. */
export function number(value: string, option: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw invalidInput(`${option} must be a number, got ${value}`);
  return n;
}
