import { invalidInput } from '../../core/errors.js';

/**
 * Stochastic gradient descent with optional momentum, in PyTorch's form (dampening 0):
 * v ← μ·v + g, θ ← θ − η·v. One pass over the parameters per step; with momentum the
 * update is dense in any case, without it dense too, so the private and the plain trainer
 * pay the same optimiser cost and differ only in clipping and noise.
 */
export class Sgd {
  private readonly velocity: Float64Array | undefined;

  constructor(readonly parameters: Float64Array, readonly learningRate: number, readonly momentum = 0) {
    if (!(learningRate > 0 && Number.isFinite(learningRate))) throw invalidInput('the learning rate must be a positive number', { learningRate });
    if (!(momentum >= 0 && momentum < 1)) throw invalidInput('momentum must be in [0, 1)', { momentum });
    this.velocity = momentum > 0 ? new Float64Array(parameters.length) : undefined;
  }

  /** Steps along `scale · gradientSum`, then zeroes `gradientSum` for the next step's sums. */
  step(gradientSum: Float64Array, scale: number): void {
    const { parameters, velocity, momentum } = this;
    const rate = this.learningRate * scale;
    if (velocity) {
      for (let i = 0; i < parameters.length; i++) {
        const v = momentum * velocity[i]! + scale * gradientSum[i]!;
        velocity[i] = v;
        parameters[i]! -= this.learningRate * v;
        gradientSum[i] = 0;
      }
    } else {
      for (let i = 0; i < parameters.length; i++) {
        parameters[i]! -= rate * gradientSum[i]!;
        gradientSum[i] = 0;
      }
    }
  }
}
