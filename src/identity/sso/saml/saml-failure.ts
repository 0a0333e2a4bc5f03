import { SamlStatusError } from '@node-saml/node-saml';
import { LangtrainError, isLangtrainError } from '../../../core/errors.js';

/** Why a SAML response was refused: `details.reason` of the ERR_SSO_FAILED error. */
export type SamlFailureReason =
  | 'malformed'
  | 'signature'
  | 'audience'
  | 'recipient'
  | 'expired'
  | 'not_yet_valid'
  | 'unsolicited'
  | 'unknown_request'
  | 'request_mismatch'
  | 'replay'
  | 'idp_status'
  | 'subject'
  | 'invalid';

const MESSAGES: Record<SamlFailureReason, string> = {
  malformed: 'the SAMLResponse is not a well-formed SAML 2.0 response',
  signature: 'the assertion is not signed by the IdP: its signature is missing, does not verify against the certificate in certificatePath, or does not cover the assertion',
  audience: 'the assertion is meant for another service provider: its Audience is not this one',
  recipient: "the assertion is not addressed to this service provider's callbackUrl (SubjectConfirmationData Recipient)",
  expired: 'the assertion has expired (NotOnOrAfter passed, beyond the allowed clock skew)',
  not_yet_valid: 'the assertion is not valid yet (NotBefore in the future, beyond the allowed clock skew)',
  unsolicited: 'the response answers no request (no InResponseTo): IdP-initiated sign-in is not accepted, start from the service provider',
  unknown_request: 'the response does not answer a pending sign-in request of this provider: its InResponseTo is unknown, expired or already used (a replayed or forged response)',
  request_mismatch: 'the response answers a different sign-in request than the one this sign-in started',
  replay: 'the assertion was already used to sign in (replay)',
  idp_status: 'the IdP did not sign the user in: it answered with an error status',
  subject: 'the assertion names no usable subject',
  invalid: 'the SAML response was refused: it is not a valid response for this service provider',
};

/** An ERR_SSO_FAILED naming the provider and the reason; never any part of the response. */
export function samlFailure(provider: string, reason: SamlFailureReason, message: string = MESSAGES[reason]): LangtrainError {
  return new LangtrainError('ERR_SSO_FAILED', `SAML sign-in with ${provider} failed: ${message}`, { provider, protocol: 'saml', reason });
}

/**
 * node-saml reports a refusal as a plain Error whose message names the check, and at
 * times quotes the response (the audience or status message received). Only the check
 * is kept; our own errors (the store unreachable) pass through unchanged.
 */
export function fromNodeSamlError(provider: string, err: unknown): LangtrainError {
  if (isLangtrainError(err)) return err;
  if (err instanceof SamlStatusError) return samlFailure(provider, 'idp_status');
  const message = err instanceof Error ? err.message : '';
  return samlFailure(provider, reasonOf(message));
}

function reasonOf(message: string): SamlFailureReason {
  if (/signature|signed reference|ref URI/i.test(message)) return 'signature';
  if (/audience/i.test(message)) return 'audience';
  if (/^SAML assertion expired/.test(message)) return 'expired';
  if (/^SAML assertion not yet valid/.test(message)) return 'not_yet_valid';
  // Every SubjectConfirmation was outside its NotBefore..NotOnOrAfter window.
  if (/^No valid subject confirmation found/.test(message)) return 'expired';
  if (/^InResponseTo is missing/.test(message)) return 'unsolicited';
  if (/^(Subject)?InResponseTo is not valid/.test(message)) return 'unknown_request';
  if (/^InResponseTo does not match subjectInResponseTo/.test(message)) return 'request_mismatch';
  if (/^Missing SAML assertion|^Unknown SAML response message|^Not a valid XML document|xmldom|^Invalid EncryptedAssertion/i.test(message)) return 'malformed';
  return 'invalid';
}
