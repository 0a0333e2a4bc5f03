import { invalidInput } from '../../core/errors.js';
import { GaussianNoise } from './gaussian-noise.js';

/** Step counts are int32 (half a float64's memory traffic), and `catchUp`'s branch-free test needs them below 2^31. */
const MAX_STEPS = 0x7fff_ffff;

/**
 * Lazy DP-SGD noise, after LazyDP (Lim et al., "LazyDP: Co-Designing Algorithm-Software for
 * Scalable Training of Differentially Private Recommendation Models", ASPLOS 2024): the noise
 * a coordinate gets in the steps that do not read it is drawn only when it is next read, as
 * one draw of their summed variance. Dense noise costs a draw per parameter per step (2^16
 * and more here) where a batch of the prompt-injection set reads 3–6 thousand coordinates;
 * measured, it held a private step to ~1/5 of a plain step's rate, lazy noise to ~1/2.
 *
 * Why the released model is exactly dense DP-SGD's. With plain SGD at a constant rate η (no
 * momentum, no weight decay), dense DP-SGD is θ_{t+1} = θ_t − (η/B)·(G_t + σC·z_t): z_t ~
 * N(0, I) is independent of all before it, and the clipped gradient sum G_t depends on θ_t
 * only at the coordinates R_t that the batch's examples read (`parametersRead`), and is zero
 * outside them; the Poisson batches are drawn without looking at θ. So at a step that does
 * not read θ_j, θ_j moves by noise alone and nothing looks at it.
 *
 * The scheme: a step adds no noise of its own. `noisedThrough[j]` counts the steps whose
 * noise θ_j holds; before step t reads θ_j, `catchUp` adds s·√k·ζ, ζ ~ N(0, 1) fresh, for
 * the k = t − noisedThrough[j] steps owed (s = ησC/B; the sign of z is immaterial, it is
 * symmetric), and sets noisedThrough[j] = t. The invariant, at every step t:
 *   θ_j(lazy) = θ_j(dense) − s·(z_{n,j} + … + z_{t−1,j}),  n = noisedThrough[j],
 * and none of those z has reached a value read: θ_j has not been read since step n began (a
 * read at step n sees θ_n, which lacks z_n in dense DP-SGD too), and θ_j enters nothing
 * else but through a read. So their sum, N(0, k) and independent of every value read so far,
 * can be swapped for the fresh √k·ζ without changing the joint law of the values read; and
 * the gradient parts agree, computed from values of the same law. By induction over reads,
 * every value read — a step's coordinates, or all of θ after `catchUpAll` — has
 * dense DP-SGD's distribution, the returned model included, and so the same (ε, δ). (This
 * scheme rather than giving the coordinates a step reads that step's noise at once: one rule
 * and one place that draws, and no more draws.)
 *
 * Not hidden, in either form: a step's running time, which grows with the coordinates its
 * batch reads as it already did with the batch size. Timing is outside the DP guarantee.
 */
export class LazyNoise {
  private readonly noisedThrough: Int32Array;
  private steps = 0;
  /** `catchUp`'s scratch: the coordinates owed noise, and how many steps of it. */
  private owedAt = new Int32Array(1024);
  private owedSteps = new Int32Array(1024);

  /** `stepStd`: the standard deviation one step's noise has on a parameter, ησC/B. */
  constructor(
    private readonly parameters: Float64Array,
    readonly stepStd: number,
    private readonly noise: Pick<GaussianNoise, 'sample'> = new GaussianNoise(),
  ) {
    if (!(stepStd > 0 && Number.isFinite(stepStd))) throw invalidInput('the per-step noise standard deviation must be a positive number', { stepStd });
    this.noisedThrough = new Int32Array(parameters.length);
  }

  /** Steps ended so far, hence the noise draws each coordinate is owed in all. */
  get stepsEnded(): number {
    return this.steps;
  }

  /** A step is over, read or not: every coordinate now owes it a draw (so does an empty batch's step). */
  endStep(): void {
    if (this.steps === MAX_STEPS) throw invalidInput(`lazy noise counts at most ${MAX_STEPS} steps`);
    this.steps++;
  }

  /**
   * Brings `indices[0 … length)` up to date, before they are read; repeats cost nothing.
   * Two passes: the first lists the coordinates owed noise without branching on it, the
   * second draws. Within a batch a coordinate is owed only at its first read, about half of
   * the reads on the prompt-injection set: a branch on it, mispredicted that often, cost
   * more than the draws (measured: the catch-ups of a step of ~55 texts, ~135 → ~105 µs).
   */
  catchUp(indices: Int32Array, length: number): void {
    if (this.owedAt.length < length) {
      const size = 2 ** Math.ceil(Math.log2(length));
      this.owedAt = new Int32Array(size);
      this.owedSteps = new Int32Array(size);
    }
    const { parameters, noisedThrough, steps, stepStd, noise, owedAt, owedSteps } = this;
    let owing = 0;
    for (let k = 0; k < length; k++) {
      const j = indices[k]!;
      const owed = steps - noisedThrough[j]!;
      noisedThrough[j] = steps;
      owedAt[owing] = j;
      owedSteps[owing] = owed;
      owing += 1 - ((owed - 1) >>> 31); // 1 when owed > 0, 0 when owed = 0 (0 ≤ owed < 2^31)
    }
    for (let k = 0; k < owing; k++) parameters[owedAt[k]!]! += stepStd * Math.sqrt(owedSteps[k]!) * noise.sample();
  }

  /** Brings every coordinate up to date: before the whole model is read (the model returned). */
  catchUpAll(): void {
    const { parameters, noisedThrough, steps, stepStd, noise } = this;
    for (let j = 0; j < parameters.length; j++) {
      const owed = steps - noisedThrough[j]!;
      if (owed > 0) {
        parameters[j]! += stepStd * Math.sqrt(owed) * noise.sample();
        noisedThrough[j] = steps;
      }
    }
  }
}
