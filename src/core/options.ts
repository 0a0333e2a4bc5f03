import { z } from 'zod';
import { LangtrainError } from './errors.js';
import { parseDuration, parseRate, parseSize, type Rate } from './units.js';

/**
 * Options of a class, checked once at construction with its zod schema. Every problem is
 * named: an unknown option lists the supported ones, a bad value says what is supported.
 */
export function parseOptions<S extends z.ZodObject>(schema: S, input: unknown, owner: string, alsoSupported: readonly string[] = []): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const supported = [...Object.keys(schema.shape), ...alsoSupported].join(', ');
  const problems = parsed.error.issues.map((i) =>
    i.code !== 'unrecognized_keys' ? `${i.path.join('.')}: ${i.message}`
    : i.path.length === 0 ? `unknown option ${i.keys.join(', ')} (supported: ${supported})`
    : `${i.path.join('.')}: unknown key ${i.keys.join(', ')}${supportedKeys(schema, i.path)}`,
  );
  throw new LangtrainError('ERR_CONFIG_UNSUPPORTED_OPTION', `${owner}: ${problems.join('; ')}`, { problems });
}

/** The keys an object or record option at `path` takes, when its schema lists them: `(supported: …)`. */
function supportedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string {
  let at: z.ZodType | undefined = schema;
  for (const key of path) {
    while (at instanceof z.ZodOptional || at instanceof z.ZodDefault) at = at.unwrap() as z.ZodType;
    at = at instanceof z.ZodObject ? (at.shape as Record<PropertyKey, z.ZodType>)[key] : undefined;
  }
  while (at instanceof z.ZodOptional || at instanceof z.ZodDefault) at = at.unwrap() as z.ZodType;
  const keys = at instanceof z.ZodObject ? Object.keys(at.shape) : at instanceof z.ZodRecord && at.keyType instanceof z.ZodEnum ? (at.keyType.options as string[]) : undefined;
  return keys ? ` (supported: ${keys.join(', ')})` : '';
}

/**
 * A strict schema of `keys` with any values: for an input whose values the method checks itself
 * (with messages that name the field and never quote the value, which may be a secret), so that
 * through parseOptions it only refuses a key the method does not know, naming the supported ones.
 */
export function keysOnly<const K extends string>(keys: readonly K[]): z.ZodObject<{ [P in K]: z.ZodOptional<z.ZodUnknown> }, z.core.$strict> {
  return z.strictObject(Object.fromEntries(keys.map((key) => [key, z.unknown().optional()]))) as never;
}

/**
 * A zod field for a seed unit string ("30d", "1MiB", "1000/hour"), parsed once; with
 * `numbers`, an already-parsed number is taken as it is. The parse error is the message.
 */
function unitField<T>(parse: (text: string, what: string) => T, what: string, numbers: boolean) {
  const input = numbers ? z.union([z.number().int().positive(), z.string()]) : z.string();
  return input.transform((value, ctx): T | number => {
    if (typeof value === 'number') return value;
    try {
      return parse(value, what);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

/** A duration as the seed writes it ("30d") or as milliseconds (already parsed). */
export const durationField = (what: string) => unitField(parseDuration, what, true) as z.ZodType<number, string | number>;
/** A size ("1MiB") or a number of bytes. */
export const sizeField = (what: string) => unitField(parseSize, what, true) as z.ZodType<number, string | number>;
/** A rate ("1000/hour"). */
export const rateField = (what: string) => unitField(parseRate, what, false) as z.ZodType<Rate, string>;
