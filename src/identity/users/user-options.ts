import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import { durationField, parseOptions } from '../../core/options.js';

/**
 * Brute-force protection after Keycloak's "Brute Force Detection" (failure factor, wait
 * increment, max wait, failure reset time), with the wait doubling per successive lockout
 * instead of growing linearly, and the same rule applied per client IP.
 */
const optionsSchema = z.strictObject({
  /** Failed attempts on one account, within `failureWindow`, that lock it. Keycloak's failure factor. */
  maxFailures: z.number().int().min(1).max(100).default(5),
  /** Failures older than this are forgotten (Keycloak's "Failure reset time", 12 h). */
  failureWindow: durationField('failureWindow').prefault('12h'),
  /** First lockout's length; each further lockout doubles it (1 min, 2, 4, … ). */
  lockoutDelay: durationField('lockoutDelay').prefault('1m'),
  /** Longest lockout (Keycloak's "Max wait"). */
  maxLockoutDelay: durationField('maxLockoutDelay').prefault('1h'),
  /** Failed attempts from one IP, within `ipFailureWindow`, that throttle it. */
  ipMaxFailures: z.number().int().min(1).max(10_000).default(20),
  ipFailureWindow: durationField('ipFailureWindow').prefault('15m'),
  /** First IP block's length; doubles per successive block up to `maxIpDelay`. */
  ipDelay: durationField('ipDelay').prefault('1m'),
  maxIpDelay: durationField('maxIpDelay').prefault('1h'),
  /** Issuer shown in authenticator apps. No colon (it separates issuer and account in the label). */
  totpIssuer: z.string().trim().min(1).max(64).regex(/^[^:]+$/, 'must not contain ":"').default('LangTrain'),
});

export type UserDirectoryOptions = z.input<typeof optionsSchema>;
export type UserDirectorySettings = z.output<typeof optionsSchema>;

export function parseUserDirectoryOptions(options: unknown): UserDirectorySettings {
  const s = parseOptions(optionsSchema, options, 'UserDirectory');
  const problems: string[] = [];
  if (s.maxLockoutDelay < s.lockoutDelay) problems.push('maxLockoutDelay: shorter than lockoutDelay');
  if (s.maxIpDelay < s.ipDelay) problems.push('maxIpDelay: shorter than ipDelay');
  if (problems.length > 0) throw new LangtrainError('ERR_CONFIG_UNSUPPORTED_OPTION', `UserDirectory: ${problems.join('; ')}`, { problems });
  return s;
}
