import { z } from 'zod';
import { invalidInput } from '../../core/errors.js';

/**
 * The door of the accounting API: every option is checked here once, and a refusal names
 * the option and the accepted range. Inside, values are trusted.
 */

export const noiseMultiplierField = z
  .number({ error: 'noiseMultiplier must be a number' })
  .min(0, { error: 'noiseMultiplier must be ≥ 0 (the noise standard deviation over the L2 sensitivity)' });

/**
 * Asking what a run spends (rather than recording one, which keeps Opacus' ε = ∞ for σ = 0)
 * takes σ > 0: a number answer of ∞ reads as null in JSON, which a script takes for no loss.
 */
export const positiveNoiseMultiplierField = z
  .number({ error: 'noiseMultiplier must be a number' })
  .gt(0, { error: 'noiseMultiplier must be > 0: without noise the steps give no privacy (epsilon would be infinite)' });

/** Accounting allows q = 0 (nothing released); calibration needs q > 0. */
export const accountedSamplingRateField = z
  .number({ error: 'samplingRate must be a number' })
  .min(0, { error: 'samplingRate must be in [0, 1]' })
  .max(1, { error: 'samplingRate must be in [0, 1]' });

export const samplingRateField = z
  .number({ error: 'samplingRate must be a number' })
  .gt(0, { error: 'samplingRate must be > 0 and ≤ 1' })
  .max(1, { error: 'samplingRate must be > 0 and ≤ 1' });

export const stepsField = z
  .number({ error: 'steps must be a number' })
  .int({ error: 'steps must be a positive integer' })
  .positive({ error: 'steps must be a positive integer' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'steps must be a safe integer' });

export const deltaField = z
  .number({ error: 'delta must be a number' })
  .gt(0, { error: 'delta must be > 0 and < 1' })
  .lt(1, { error: 'delta must be > 0 and < 1' });

export const accountantField = z.enum(['rdp', 'prv'], { error: "accountant must be one of 'rdp', 'prv'" });

/** RDP orders must exceed 1 (order 1 is the KL divergence, which needs its own formula). */
export const ordersField = z
  .array(z.number().gt(1, { error: 'each order must be > 1' }), { error: 'orders must be an array of numbers' })
  .min(1, { error: 'orders must not be empty' });

export const conversionField = z.enum(['improved', 'classic'], { error: "conversion must be one of 'improved', 'classic'" });

/** Parses `input` with `schema`, or throws ERR_INVALID_INPUT listing each problem by option. */
export function parseAtDoor<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) =>
    issue.code === 'unrecognized_keys' ? `unknown option ${issue.keys.join(', ')}` : issue.message,
  );
  throw invalidInput(`${where}: ${problems.join('; ')}`, { problems });
}
