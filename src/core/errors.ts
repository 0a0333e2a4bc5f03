/**
 * Typed errors with stable `code` strings, so callers branch on codes rather than
 * messages (the jose convention). Messages never carry secret values.
 */
export type ErrorCode =
  | 'ERR_INVALID_INPUT'
  | 'ERR_INVALID_UNIT'
  | 'ERR_CONFIG_INVALID'
  | 'ERR_CONFIG_UNSUPPORTED_OPTION'
  | 'ERR_OPTION_NOT_SUPPORTED_YET'
  | 'ERR_STORE_URL_UNSUPPORTED'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_NOT_FOUND'
  /** The thing is in a state that does not allow this (an alert already resolved, a monitor already running). */
  | 'ERR_CONFLICT'
  | 'ERR_UNAUTHENTICATED'
  /** Authenticated, but without the permission the request needs. */
  | 'ERR_FORBIDDEN'
  /** A cookie-authenticated write without the session's CSRF token. */
  | 'ERR_CSRF'
  /** The session is too old for this change: sign in again (see requireRecentSignIn). */
  | 'ERR_REAUTH_REQUIRED'
  /** mfaRequired and the session has no second factor: it may only enrol one. */
  | 'ERR_MFA_ENROLMENT_REQUIRED'
  /** A remote secrets provider refused our credentials (not the API caller's). */
  | 'ERR_PROVIDER_DENIED'
  | 'ERR_SESSION_LIMIT'
  | 'ERR_API_KEY_INACTIVE'
  | 'ERR_API_KEY_CLAIM_REFUSED'
  | 'ERR_AUDIT_CHAIN_BROKEN'
  | 'ERR_KEY_MISSING'
  | 'ERR_AUDIT_PAYLOAD_UNREADABLE'
  | 'ERR_AUDIT_CLOSED'
  /** An erasure that was done but could not be written to the audit log: its error carries the report. */
  | 'ERR_ERASURE_NOT_AUDITED'
  /** The object was closed before or while it was used (a PIIDetector's worker threads): make a new one, or do not close it while it works. */
  | 'ERR_CLOSED'
  | 'ERR_CRYPTO_DECRYPT_FAILED'
  | 'ERR_KMS_UNAVAILABLE'
  | 'ERR_KMS_LOGIN_FAILED'
  | 'ERR_KMS_KEY_NOT_FOUND'
  | 'ERR_CRYPTO_KEY_DESTROYED'
  | 'ERR_CRYPTO_STREAM_TRUNCATED'
  | 'ERR_CRYPTO_STREAM_HEADER_INVALID'
  | 'ERR_FPE_INVALID_INPUT'
  | 'ERR_KDF_INVALID_INPUT'
  | 'ERR_SIGNATURE_INVALID'
  | 'ERR_PASSWORD_HASH_UNSUPPORTED'
  | 'ERR_PASSWORD_REJECTED'
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_RATE_LIMITED'
  | 'ERR_USER_EXISTS'
  | 'ERR_SMS_PROVIDER_DENIED'
  | 'ERR_SMS_SEND_FAILED'
  /** A SIEM (syslog receiver, Splunk HEC) or a notification webhook did not take what was sent. */
  | 'ERR_DELIVERY_FAILED'
  /** A single sign-on response was refused or could not be completed (details.reason says which step). */
  | 'ERR_SSO_FAILED'
  | 'ERR_WEBAUTHN_REJECTED'
  | 'ERR_WEBAUTHN_CREDENTIAL_EXISTS'
  /** A policy (its CEL condition) or a policy file was refused: details name the file, item, position and reason. */
  | 'ERR_POLICY_INVALID'
  /** A differentially private step would take the privacy unit's spent epsilon over its budget; it was refused before it ran. */
  | 'ERR_PRIVACY_BUDGET_EXHAUSTED'
  | 'ERR_INTERNAL';

export class LangtrainError extends Error {
  readonly code: ErrorCode;
  /** Structured, non-secret details (option paths, supported values, line numbers). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LangtrainError';
    this.code = code;
    this.details = details;
  }
}

/** Raised for a value a caller supplied that cannot be used; names what was wrong. */
export function invalidInput(message: string, details: Record<string, unknown> = {}): LangtrainError {
  return new LangtrainError('ERR_INVALID_INPUT', message, details);
}

export function isLangtrainError(err: unknown, code?: ErrorCode): err is LangtrainError {
  return err instanceof LangtrainError && (code === undefined || err.code === code);
}

/** A failure's code (a LangtrainError's, a driver's such as ECONNREFUSED) or else its class name: never its message, which may quote data. */
export function errorCodeOf(err: unknown): string {
  if (isLangtrainError(err)) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code)) return code;
  return err instanceof Error ? err.name : typeof err;
}

/** Why a file could not be opened, in words for an error message ("there is no such file"). */
export function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'there is no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  return code ?? 'unreadable';
}
