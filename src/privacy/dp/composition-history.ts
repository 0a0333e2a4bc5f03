import { z } from 'zod';
import { accountedSamplingRateField, noiseMultiplierField, parseAtDoor, stepsField } from './options.js';

/** `steps` runs of the Poisson-subsampled Gaussian mechanism with one (σ, q). */
export interface SampledGaussianSteps {
  /** σ: noise standard deviation divided by the L2 sensitivity (clipping norm). */
  noiseMultiplier: number;
  /** q: probability that each record is in a batch (Poisson sampling), e.g. batch size / data set size. */
  samplingRate: number;
  /** How many times the mechanism ran with these parameters. */
  steps: number;
}

const stepsSchema = z.strictObject({
  noiseMultiplier: noiseMultiplierField,
  samplingRate: accountedSamplingRateField,
  steps: stepsField.default(1),
});

/**
 * What both accountants share: the steps seen, kept as Opacus keeps its `history`: consecutive
 * steps with the same (σ, q) are merged into one entry, so a training run of a million steps
 * with a fixed schedule is one entry and its cost does not grow with the run. Each accountant
 * adds how it turns the history into ε.
 */
export abstract class CompositionHistory {
  readonly #entries: SampledGaussianSteps[] = [];

  /** Records `steps` (default 1) runs of the mechanism with noise multiplier σ and sampling rate q. */
  record(input: { noiseMultiplier: number; samplingRate: number; steps?: number }): this {
    const { noiseMultiplier, samplingRate, steps } = parseAtDoor(stepsSchema, input, 'record');
    const last = this.#entries.at(-1);
    if (last && last.noiseMultiplier === noiseMultiplier && last.samplingRate === samplingRate) last.steps += steps;
    else this.#entries.push({ noiseMultiplier, samplingRate, steps });
    return this;
  }

  /** Records one step (one batch). */
  step(step: { noiseMultiplier: number; samplingRate: number }): this {
    return this.record({ noiseMultiplier: step.noiseMultiplier, samplingRate: step.samplingRate });
  }

  /** The recorded steps, merged. */
  get history(): readonly Readonly<SampledGaussianSteps>[] {
    return this.#entries.map((entry) => ({ ...entry }));
  }
}
