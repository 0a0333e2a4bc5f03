import { LangtrainError, type ErrorCode } from '../../core/errors.js';
import type { ProviderName } from '../provider.js';

/**
 * Turns what a remote backend answered into a `LangtrainError` a caller can branch on.
 * Pure, so every mapping is tested without a server.
 *
 * A backend's own message helps an operator ("permission denied on secret/data/x"), but a
 * backend may quote what it was sent (a validation error echoing the request), so a 4xx
 * message is kept only when it quotes no part of anything sensitive in flight (the value,
 * the token), and a 5xx body never. No `cause` is attached either: the SDK's error carries
 * the raw body.
 */

export interface ProviderFailure {
  provider: ProviderName;
  /** What we were doing, naming the secret but never its value: "reading secret db_password". */
  operation: string;
  /** HTTP status; undefined when no answer came (network, timeout). */
  status?: number;
  /** The backend's error code (AWS `__type`, Azure `error.code`), when it sent one. */
  providerCode?: string;
  providerMessage?: string;
  /** Strings that must not reach the message: the value being written, credentials. */
  sensitive: readonly string[];
  /** Overrides the code chosen from the status (AWS names its errors rather than using statuses). */
  code?: ErrorCode;
}

export const PROVIDER_LABEL: Record<ProviderName, string> = {
  local: 'local secrets store',
  vault: 'HashiCorp Vault',
  aws_secrets_manager: 'AWS Secrets Manager',
  azure_kv: 'Azure Key Vault',
};

const MAX_MESSAGE = 300;

export function providerError(failure: ProviderFailure): LangtrainError {
  const code = failure.code ?? codeForStatus(failure.status);
  const label = PROVIDER_LABEL[failure.provider];
  const what = failure.status === undefined ? 'no answer' : `HTTP ${failure.status}${failure.providerCode ? ` ${safeCode(failure.providerCode)}` : ''}`;
  // A 4xx message is about our request and is quoted once checked; a 5xx body is the
  // server's internals, which may hold stored data we cannot check for (a value being
  // read is not known until it arrives), so it is never quoted.
  const serverFault = failure.status !== undefined && failure.status >= 500;
  const said = failure.providerMessage === undefined || serverFault ? undefined : withholdIfQuoting(failure.providerMessage, failure.sensitive);
  const hint = HINTS[code] ?? '';
  const message = `${label}: ${failure.operation} failed (${what})${said ? `: ${said}` : ''}${hint ? `; ${hint}` : ''}`;
  return new LangtrainError(code, message, {
    provider: failure.provider,
    ...(failure.status === undefined ? {} : { status: failure.status }),
    ...(failure.providerCode ? { providerCode: safeCode(failure.providerCode) } : {}),
  });
}

export function codeForStatus(status: number | undefined): ErrorCode {
  // No answer, a server fault, or a redirect we do not follow: the service is not usable at this address.
  if (status === undefined || status >= 500 || (status >= 300 && status < 400)) return 'ERR_STORE_UNAVAILABLE';
  if (status === 401 || status === 403) return 'ERR_PROVIDER_DENIED';
  if (status === 404) return 'ERR_NOT_FOUND';
  if (status === 429) return 'ERR_RATE_LIMITED';
  if (status >= 400) return 'ERR_INVALID_INPUT';
  return 'ERR_INTERNAL';
}

const HINTS: Partial<Record<ErrorCode, string>> = {
  ERR_PROVIDER_DENIED: 'check the credentials and the permissions they grant on this secret',
  ERR_STORE_UNAVAILABLE: 'check the address and that the service is up',
  ERR_RATE_LIMITED: 'the service is throttling requests; retry later',
};

/** Provider codes are identifiers; anything else in that field is dropped. */
function safeCode(code: string): string {
  return /^[A-Za-z0-9_.:#/-]{1,80}$/.test(code) ? code : 'unrecognised-code';
}

/**
 * The backend's message, cut to 300 characters and stripped of control characters, or
 * undefined when it contains any 8-character run (or the whole, if shorter) of a sensitive
 * string in any common encoding: a partial quote ("invalid value 'super_secu…'") leaks too.
 */
export function withholdIfQuoting(message: string, sensitive: readonly string[]): string | undefined {
  const text = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, MAX_MESSAGE);
  if (text === '') return undefined;
  for (const secret of sensitive) {
    if (secret.length === 0) continue;
    for (const form of encodings(secret)) {
      const run = Math.min(8, form.length);
      const windows = windowsOf(text, run);
      for (let i = 0; i + run <= form.length; i += 1) {
        if (windows.has(form.slice(i, i + run))) return '(message withheld: it quoted a sensitive value)';
      }
    }
  }
  return text;
}

/** Every `run`-character slice of `text`: a set, so a 64 KiB value is checked in linear time. */
function windowsOf(text: string, run: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + run <= text.length; i += 1) out.add(text.slice(i, i + run));
  return out;
}

function encodings(secret: string): string[] {
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')]);
  return [...forms];
}
