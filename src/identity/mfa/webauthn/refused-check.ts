/**
 * Which WebAuthn check a response failed, in a fixed vocabulary for audit events and error
 * details. Pure.
 *
 * @simplewebauthn/server reports failures only as `Error` messages, and those quote the
 * client's values (its challenge, its origin). The quoted parts are dropped before the
 * message is matched, and so is the list of expected values after it (our own origins,
 * which may contain any word): only the library's wording decides the label, and nothing
 * the client chose reaches the audit log.
 */
export type RefusedCheck =
  | 'challenge'
  | 'origin'
  | 'rp_id'
  | 'user_presence'
  | 'user_verification'
  | 'response_type'
  | 'algorithm'
  | 'attestation'
  | 'signature'
  | 'user_handle'
  | 'credential_id'
  | 'malformed';

const PATTERNS: ReadonlyArray<readonly [RegExp, RefusedCheck]> = [
  [/challenge/i, 'challenge'],
  [/origin/i, 'origin'],
  [/RP ID/, 'rp_id'],
  [/user presence|user not present/i, 'user_presence'],
  [/user verification/i, 'user_verification'],
  [/response type/i, 'response_type'],
  [/\balg\b/i, 'algorithm'],
  [/attestation/i, 'attestation'],
];

/** The check a library error names; `malformed` for anything else (bad encoding, missing fields). */
export function refusedCheck(err: unknown): RefusedCheck {
  const message = err instanceof Error ? err.message.replace(/"[^"]*"/g, '""').split(', expected')[0]! : '';
  return PATTERNS.find(([pattern]) => pattern.test(message))?.[1] ?? 'malformed';
}
