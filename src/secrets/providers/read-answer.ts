import type { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import type { ProviderName } from '../provider.js';
import { PROVIDER_LABEL } from './provider-error.js';

/**
 * Check a provider's answer against the documented shape before using it. The message
 * names the field that did not fit, never its content (a read answer holds the value).
 */
export function readAnswer<T>(schema: z.ZodType<T>, body: unknown, provider: ProviderName, operation: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const field = parsed.error.issues[0]?.path.join('.') || '(body)';
  return fail(provider, operation, `field ${field} is missing or has the wrong type`);
}

export function unexpectedAnswer(provider: ProviderName, operation: string, what: string): LangtrainError {
  return new LangtrainError('ERR_STORE_UNAVAILABLE', `${PROVIDER_LABEL[provider]}: ${operation}: unexpected answer (${what}); is the address that of the service?`, { provider });
}

function fail(provider: ProviderName, operation: string, what: string): never {
  throw unexpectedAnswer(provider, operation, what);
}

/** An ISO 8601 instant from an RFC 3339 string or epoch seconds. */
export function isoTime(value: string | number, provider: ProviderName, operation: string): string {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) fail(provider, operation, 'a timestamp is not a date');
  return date.toISOString();
}
