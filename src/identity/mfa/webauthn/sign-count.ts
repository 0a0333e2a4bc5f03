/**
 * WebAuthn §6.1.1 signature counter rule. Pure.
 *
 * An authenticator with a counter raises it on every assertion; one without (most synced
 * passkeys) always reports 0. So when either the stored or the presented count is non-zero,
 * the presented one must be greater: otherwise two copies of the private key are in use
 * (a cloned authenticator, or an assertion replayed from before the last one), and the
 * assertion is refused.
 */
export function signCountAdvances(stored: number, presented: number): boolean {
  if (stored === 0 && presented === 0) return true;
  return presented > stored;
}
