import { AuthorizationResponseError, ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';
import { LangtrainError } from '../../../core/errors.js';

/** What `details.reason` of an ERR_SSO_FAILED says went wrong; callers branch on it. */
export type SsoFailureReason =
  /** The IdP's discovery document could not be read or names another issuer. */
  | 'discovery_failed'
  /** `pending` is older than loginTimeout, or not a pending login at all. */
  | 'login_expired'
  /** The callback carries no code, or is not a URL. */
  | 'callback_invalid'
  | 'state_mismatch'
  /** The IdP answered the authorization request with an error (`details.error`, e.g. access_denied). */
  | 'idp_error'
  /** The IdP was unreachable or did not answer in time (`details.step`). */
  | 'idp_unreachable'
  /** The token endpoint refused the code (`details.error`, e.g. invalid_grant for a reused code or wrong PKCE verifier). */
  | 'token_exchange_failed'
  /** A check of the response failed: ID token signature, iss, aud, exp, nonce, the `iss` parameter. */
  | 'verification_failed'
  | 'userinfo_failed'
  | 'claims_invalid'
  /** The groups claim was left out for size (Entra group overage). */
  | 'groups_withheld';

export type ProtocolStep = 'discovery' | 'token' | 'userinfo';

/** Never with a code, token, verifier or claim value: only names of what failed. */
export function ssoFailure(provider: string, reason: SsoFailureReason, message: string, details: Record<string, unknown> = {}): LangtrainError {
  return new LangtrainError('ERR_SSO_FAILED', `OIDC ${provider}: ${message}`, { provider, reason, ...details });
}

/** An OAuth `error` code as RFC 6749 §4.1.2.1 allows it (printable ASCII), or `unknown`. */
export function oauthErrorCode(value: unknown): string {
  return typeof value === 'string' && /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(value) ? value : 'unknown';
}

const STEP_NAME: Readonly<Record<ProtocolStep, string>> = { discovery: 'discovery', token: 'the token request', userinfo: 'the UserInfo request' };

/**
 * An openid-client failure of `step` as ERR_SSO_FAILED. The cause is dropped on purpose: it
 * holds the responses, tokens and claims. oauth4webapi's own messages name the failed check
 * without values, so the innermost one is kept.
 */
export function fromProtocolError(provider: string, step: ProtocolStep, err: unknown, issuer: string): LangtrainError {
  const network = networkProblem(err);
  if (network !== null) {
    const what = step === 'discovery' ? `discovery of ${issuer}` : `${STEP_NAME[step]} to ${issuer}`;
    return ssoFailure(provider, step === 'discovery' ? 'discovery_failed' : 'idp_unreachable', `${what} failed: the IdP ${network}`, { step, issuer });
  }
  if (err instanceof AuthorizationResponseError) {
    const error = oauthErrorCode(err.error);
    return ssoFailure(provider, 'idp_error', `the IdP answered with error "${error}"`, { error });
  }
  if (err instanceof ResponseBodyError || err instanceof WWWAuthenticateChallengeError) {
    const error = oauthErrorCode(err instanceof ResponseBodyError ? err.error : err.cause[0]?.parameters.error);
    const reason = step === 'token' ? 'token_exchange_failed' : step === 'userinfo' ? 'userinfo_failed' : 'discovery_failed';
    return ssoFailure(provider, reason, `${STEP_NAME[step]} was refused (HTTP ${err.status}, "${error}")`, { step, status: err.status, error });
  }
  const { code, message } = innermostOAuthError(err);
  if (step === 'discovery') {
    const what = code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' ? 'the discovery document names another issuer' : message;
    return ssoFailure(provider, 'discovery_failed', `discovery of ${issuer} failed: ${what}`, { step, issuer, ...(code ? { check: code } : {}) });
  }
  // An HTTP error without an OAuth error body is the exchange failing, not a failed check.
  const httpFailure = code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON';
  const reason = step === 'userinfo' ? 'userinfo_failed' : httpFailure ? 'token_exchange_failed' : 'verification_failed';
  return ssoFailure(provider, reason, `${STEP_NAME[step]}'s response was rejected: ${message}`, { step, ...(code ? { check: code } : {}) });
}

function networkProblem(err: unknown): string | null {
  const name = (err as Error | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'did not answer in time';
  if (err instanceof TypeError && err.message === 'fetch failed') return 'could not be reached';
  return null;
}

/** openid-client wraps oauth4webapi's precise error in a generic one: unwrap coded errors. */
function innermostOAuthError(err: unknown): { code: string | null; message: string } {
  let current = err as (Error & { code?: unknown }) | undefined;
  let found: { code: string | null; message: string } = { code: null, message: `unexpected ${err instanceof Error ? err.name : 'failure'}` };
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    if (typeof current.code === 'string' && current.code.startsWith('OAUTH_')) found = { code: current.code, message: current.message.slice(0, 200) };
    current = current.cause as typeof current;
  }
  return found;
}
