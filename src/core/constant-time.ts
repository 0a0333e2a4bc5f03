import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether two secret strings are equal, in time that depends on neither: both are hashed
 * first, so even their lengths do not leak through `timingSafeEqual` (which needs equal sizes).
 */
export function secretsEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
