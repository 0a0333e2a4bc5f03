import { randomFillSync } from 'node:crypto';
import { invalidInput } from '../../core/errors.js';

const POOL_WORDS = 16_384;
const TWO_POW_32 = 4_294_967_296;

/**
 * Poisson sampling, the batching the DP-SGD privacy analysis assumes (Abadi et al. 2016;
 * Opacus' `UniformWithReplacementSampler`): each example joins each step's batch on its own,
 * with probability q, so batch sizes vary and an empty batch is a valid step. Shuffled
 * fixed-size batches would need a different, weaker accounting.
 *
 * Each decision compares a CSPRNG 32-bit word with ⌊q·2^32⌋, so the real inclusion
 * probability is within 2^−32 below q, never above it; a smaller rate only strengthens the
 * amplification by subsampling, so accounting at q stays an upper bound on ε.
 */
export class PoissonSampler {
  private readonly threshold: number;
  private readonly batch: Int32Array;
  private readonly pool = new Uint32Array(POOL_WORDS);

  constructor(readonly populationSize: number, readonly samplingRate: number) {
    if (!Number.isInteger(populationSize) || populationSize < 0) throw invalidInput('the population size must be a whole number', { populationSize });
    if (!(samplingRate > 0 && samplingRate <= 1)) throw invalidInput('the sampling rate must be in (0, 1]', { samplingRate });
    this.threshold = Math.floor(samplingRate * TWO_POW_32);
    this.batch = new Int32Array(populationSize);
  }

  /** The indices in this step's batch, ascending. The array is overwritten by the next call. */
  next(): Int32Array {
    let size = 0;
    for (let start = 0; start < this.populationSize; start += POOL_WORDS) {
      const count = Math.min(POOL_WORDS, this.populationSize - start);
      const words = this.pool.subarray(0, count);
      randomFillSync(words);
      for (let i = 0; i < count; i++) if (words[i]! < this.threshold) this.batch[size++] = start + i;
    }
    return this.batch.subarray(0, size);
  }
}
