import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import { durationField, parseOptions } from '../../core/options.js';

/** What `SessionStore` does when a user at `concurrentSessions` signs in again. */
export const SESSION_LIMIT_POLICIES = ['refuse_new', 'end_oldest'] as const;
export type SessionLimitPolicy = (typeof SESSION_LIMIT_POLICIES)[number];

/**
 * The seed's `AuthenticationManager(session_timeout="8h", concurrent_sessions=1,
 * idle_timeout="30m")` in camelCase, plus the policy at the limit (Keycloak's user
 * session count limiter: "Deny new session" or "Terminate oldest session").
 */
const optionsSchema = z.strictObject({
  /** Absolute lifetime from sign-in, whatever the activity (Keycloak's SSO Session Max). */
  sessionTimeout: durationField('sessionTimeout').prefault('8h'),
  /** Lifetime without a request (Keycloak's SSO Session Idle). */
  idleTimeout: durationField('idleTimeout').prefault('30m'),
  /** Live sessions one user may hold; `null`: no limit. */
  concurrentSessions: z.number().int().min(1, 'must be a whole number of at least 1, or null for no limit').nullable().default(1),
  /**
   * `refuse_new` (default, Keycloak's default): the sign-in fails with ERR_SESSION_LIMIT
   * until a session ends (sign-out, revocation, or the idle timeout at the latest). A
   * stolen session cannot be silently replaced by the owner's, and the owner's own
   * sessions are never ended by someone else signing in.
   * `end_oldest`: the oldest live sessions are revoked to make room. Signing in always
   * works, which also means a thief who has the password ends the owner's session.
   */
  onLimit: z.enum(SESSION_LIMIT_POLICIES, { message: `supported: ${SESSION_LIMIT_POLICIES.join(', ')}` }).default('refuse_new'),
});

export type SessionStoreOptions = z.input<typeof optionsSchema>;
export type SessionStoreSettings = z.output<typeof optionsSchema>;

/** Checked once, at construction; every problem is named (parseOptions). `owner` names who was given the options. */
export function parseSessionStoreOptions(options: unknown, owner = 'SessionStore'): SessionStoreSettings {
  const settings = parseOptions(optionsSchema, options, owner);
  if (settings.concurrentSessions === null && (options as { onLimit?: unknown }).onLimit !== undefined) {
    // The policy applies only at a limit; given with none it would be accepted and never used.
    throw new LangtrainError(
      'ERR_CONFIG_UNSUPPORTED_OPTION',
      `${owner}: onLimit has no effect with concurrentSessions: null (no limit); remove onLimit, or set concurrentSessions to the number of live sessions a user may hold`,
      { option: 'onLimit', problems: ['onLimit: has no effect with concurrentSessions: null'] },
    );
  }
  if (settings.idleTimeout > settings.sessionTimeout) {
    // Not wrong in itself, but it never applies: almost certainly two swapped values, or a number meant as hours.
    const given = (options ?? {}) as { sessionTimeout?: unknown; idleTimeout?: unknown };
    const session = asWritten('sessionTimeout', given.sessionTimeout, '8h');
    const idle = asWritten('idleTimeout', given.idleTimeout, '30m');
    const message =
      given.idleTimeout === undefined
        ? `${owner}: ${session} is shorter than ${idle}, so sessions end before the idle timeout can ever apply; give a longer sessionTimeout (e.g. "8h") or an idleTimeout no longer than it`
        : given.sessionTimeout === undefined
          ? `${owner}: ${idle} is longer than ${session}, so it would never apply; give a shorter idleTimeout (e.g. "30m") or a sessionTimeout at least as long`
          : `${owner}: ${idle} is longer than ${session}, so it would never apply; check the two values`;
    throw new LangtrainError('ERR_CONFIG_UNSUPPORTED_OPTION', message, {
      problems: [given.idleTimeout === undefined ? 'sessionTimeout: shorter than idleTimeout' : 'idleTimeout: longer than sessionTimeout'],
    });
  }
  return settings;
}

/** An option as the caller wrote it: `sessionTimeout 8 (milliseconds: a number is read as milliseconds)`, `idleTimeout "2h"`, or its default. */
function asWritten(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return `the default ${name} ${JSON.stringify(fallback)}`;
  if (typeof value === 'number') return `${name} ${value} (milliseconds: a number is read as milliseconds, a duration is written "${value}h" or "${value}m")`;
  return `${name} ${JSON.stringify(value)}`;
}
