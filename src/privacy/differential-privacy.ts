import { z } from 'zod';
import { LangtrainError } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import { ACCOUNTANTS, type AccountantName } from './budget/budget-ledger.js';
import { epsilonFor, getNoiseMultiplier } from './dp/index.js';

/**
 * DP-SGD adds Gaussian noise to clipped gradient sums; that is the mechanism the accountants
 * (RDP, PRV of the subsampled Gaussian) can account for. Laplace noise has no such accountant
 * for SGD here, so it is refused rather than silently replaced.
 */
export const NOISE_MECHANISMS = ['gaussian'] as const;

const optionsSchema = z
  .object({
    /** The privacy budget: the most epsilon training on this data may spend, across runs when a ledger keeps it. */
    epsilon: z.number().positive().finite(),
    /** Failure probability of the guarantee; must be below 1/N for N examples (checked by train). */
    delta: z.number().gt(0).lt(1).default(1e-5),
    noiseMechanism: z.string().default('gaussian'),
    /** C: each example's gradient is clipped to this L2 norm (Opacus' max_grad_norm). */
    clippingNorm: z.number().positive().finite().default(1),
    /** q: each example joins each batch with this probability (Poisson sampling); an epoch is 1/q steps. */
    samplingRate: z.number().gt(0).max(1).default(0.01),
    /** σ; default: the smallest that keeps the planned epochs within `epsilon` (getNoiseMultiplier). */
    noiseMultiplier: z.number().positive().finite().optional(),
    /** How spends compose. RDP by default: fast and conservative (its epsilon is at or above PRV's). */
    accountant: z.enum(ACCOUNTANTS, { message: `supported: ${ACCOUNTANTS.join(', ')}` }).default('rdp'),
    /** The privacy unit whose budget the ledger keeps; default the data set's name. */
    unit: z.string().min(1).max(256).optional(),
  })
  .strict();

export type DifferentialPrivacyOptions = z.input<typeof optionsSchema>;
export type DifferentialPrivacySettings = z.output<typeof optionsSchema> & { noiseMechanism: (typeof NOISE_MECHANISMS)[number] };

/**
 * The seed's `DifferentialPrivacy(epsilon, delta, noise_mechanism, clipping_norm, sampling_rate)`:
 * the privacy engine `train` runs DP-SGD with. It holds the guarantee asked for; the accountant
 * answers what a run spends and which noise meets the budget.
 */
export class DifferentialPrivacy {
  readonly settings: Readonly<DifferentialPrivacySettings>;

  constructor(options: DifferentialPrivacyOptions) {
    const parsed = parseOptions(optionsSchema, options, 'DifferentialPrivacy');
    if (!(NOISE_MECHANISMS as readonly string[]).includes(parsed.noiseMechanism)) {
      throw new LangtrainError('ERR_CONFIG_UNSUPPORTED_OPTION', `DifferentialPrivacy: noiseMechanism ${parsed.noiseMechanism} is not supported (supported: ${NOISE_MECHANISMS.join(', ')}); DP-SGD is accounted for Gaussian noise only`, { option: 'noiseMechanism' });
    }
    this.settings = Object.freeze(parsed as DifferentialPrivacySettings);
  }

  /** Epsilon spent by `steps` DP-SGD steps at noise multiplier `noiseMultiplier`, with this engine's q, delta and accountant. */
  epsilonAfter(steps: number, noiseMultiplier: number): number {
    const { samplingRate, delta, accountant } = this.settings;
    return epsilonFor({ noiseMultiplier, samplingRate, steps, delta, accountant }).epsilon;
  }

  /**
   * σ for a run of `steps` steps: the configured one, else the smallest whose epsilon stays within
   * the budget. Steps, not epochs: epochs / q in floating point can fall one step short of the
   * run (90 / 0.04 is 2249.99…), and the run's last step would then not fit.
   */
  noiseMultiplierFor(steps: number): number {
    if (this.settings.noiseMultiplier !== undefined) return this.settings.noiseMultiplier;
    const { epsilon, delta, samplingRate, accountant } = this.settings;
    return getNoiseMultiplier({ targetEpsilon: epsilon, delta, samplingRate, steps, accountant: accountant as AccountantName }).noiseMultiplier;
  }
}
