import { z } from 'zod';

/**
 * A query string that refuses keys it does not know: a mistyped `?purpos=` must not quietly
 * become "no purpose" (consent for any purpose) nor `?depht=` "unbounded". The refusal names
 * the key and the supported ones, as the library's other unknown-field errors do. The check is
 * a refinement that always runs (`when`), so the reply also lists the other problems; a
 * `strictObject`'s unrecognized_keys issue would be answered without the supported keys.
 */
export function strictQuery<Shape extends z.ZodRawShape>(shape: Shape) {
  const supported = Object.keys(shape);
  const unknownKeys = (input: unknown): string[] => (input !== null && typeof input === 'object' ? Object.keys(input).filter((key) => !supported.includes(key)) : []);
  return z.looseObject(shape).refine((query) => unknownKeys(query).length === 0, {
    when: () => true,
    error: (issue) => `unknown field ${unknownKeys(issue.input).join(', ')} (${supported.length > 0 ? `supported: ${supported.join(', ')}` : 'this route takes none'})`,
  });
}
