import { describe, expect, it } from 'vitest';
import { refusedCheck } from '../../../../src/identity/mfa/webauthn/refused-check.js';
import { signCountAdvances } from '../../../../src/identity/mfa/webauthn/sign-count.js';

describe('signCountAdvances (WebAuthn §6.1.1)', () => {
  it.each([
    [0, 0, true], // no counter kept
    [0, 1, true],
    [5, 6, true],
    [5, 4_294_967_295, true],
    [5, 5, false], // replayed
    [5, 4, false], // clone behind the original
    [5, 0, false], // a counter that disappears is a different authenticator
  ])('stored %i, presented %i: %s', (stored, presented, accepted) => {
    expect(signCountAdvances(stored, presented)).toBe(accepted);
  });
});

describe('refusedCheck', () => {
  it('names the check from the library message', () => {
    expect(refusedCheck(new Error('Unexpected authentication response challenge "abc", expected "def"'))).toBe('challenge');
    expect(refusedCheck(new Error('Unexpected registration response origin "https://x.test", expected one of: https://a'))).toBe('origin');
    expect(refusedCheck(new Error('Unexpected RP ID hash'))).toBe('rp_id');
    expect(refusedCheck(new Error('User not present during authentication'))).toBe('user_presence');
    expect(refusedCheck(new Error('User verification required, but user could not be verified'))).toBe('user_verification');
    expect(refusedCheck(new Error('Unexpected public key alg "-36", expected one of "-7"'))).toBe('algorithm');
    expect(refusedCheck(new Error('Unsupported Attestation Format: x'))).toBe('attestation');
    expect(refusedCheck(new TypeError("Cannot read properties of undefined (reading 'clientDataJSON')"))).toBe('malformed');
    expect(refusedCheck('not an error')).toBe('malformed');
  });

  it('ignores the quoted values the client chose', () => {
    expect(refusedCheck(new Error('Unexpected registration response origin "https://challenge.evil.test", expected "https://a"'))).toBe('origin');
    expect(refusedCheck(new Error('Unexpected credential type "user verification", expected "public-key"'))).toBe('malformed');
    expect(refusedCheck(new Error('Unexpected authentication response origin "https://x.test", expected one of: https://challenge.example.com'))).toBe('origin');
  });
});
