import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS_TEXT } from '../../../src/identity/passwords/data/common-passwords.js';
import { PasswordPolicy, type PasswordCheck } from '../../../src/identity/passwords/index.js';

const policy = new PasswordPolicy();
const withMfa = { mfa: true };
const alone = { mfa: false };
const reasonsOf = (r: PasswordCheck) => (r.ok ? [] : r.reasons);
const rejectedFor = (r: PasswordCheck, pattern: RegExp) => reasonsOf(r).some((reason) => pattern.test(reason));

const TOO_SHORT = /at least \d+ characters/;
const COMMON = /too common/;
const USERNAME = /username/;
const SERVICE = /name of this service/;
const TRIVIAL = /repeated or sequential/;

describe('PasswordPolicy: length (NIST SP 800-63B §5.1.1.2)', () => {
  it('needs 8 characters with a second factor', () => {
    expect(rejectedFor(policy.check('vK3#pz9', withMfa), TOO_SHORT)).toBe(true);
    expect(policy.check('vK3#pz9q', withMfa)).toEqual({ ok: true });
  });

  it('needs 15 characters when the password is the only factor, and says a second factor lowers it', () => {
    const fourteen = 'plum-river-oak';
    expect(fourteen).toHaveLength(14);
    const r = policy.check(fourteen, alone);
    expect(reasonsOf(r)).toEqual(['Use at least 15 characters, or turn on two-factor authentication to use a password of at least 8.']);
    expect(policy.check(fourteen, withMfa)).toEqual({ ok: true });
    expect(policy.check('plum-river-oaks', alone)).toEqual({ ok: true });
  });

  it('accepts 64-character passwords and, by default, up to 128; refuses 129', () => {
    const base = 'violet kettle drums under a marble stair, seven owls hum 4 tunes';
    expect([...base]).toHaveLength(64);
    expect(policy.check(base, alone)).toEqual({ ok: true });
    const long = (base + base.toUpperCase()).slice(0, 128);
    expect(policy.check(long, alone)).toEqual({ ok: true });
    expect(reasonsOf(policy.check(long + 'x', alone))).toEqual(['Use at most 128 characters.']);
    expect(new PasswordPolicy({ maxLength: 256 }).check(long + 'x', alone)).toEqual({ ok: true });
  });

  it('counts Unicode code points after NFKC: composed and decomposed é count the same', () => {
    const composed = (stem: string) => `${stem}\u00e9`;
    const decomposed = (stem: string) => `${stem}e\u0301`;
    // Six letters + é is 7 code points either way (decomposed it is 8 before normalisation).
    expect([...decomposed('zbvqrk')]).toHaveLength(8);
    expect(rejectedFor(policy.check(composed('zbvqrk'), withMfa), TOO_SHORT)).toBe(true);
    expect(policy.check(decomposed('zbvqrk'), withMfa)).toEqual(policy.check(composed('zbvqrk'), withMfa));
    expect(policy.check(composed('zbvqrkw'), withMfa)).toEqual({ ok: true });
    expect(policy.check(decomposed('zbvqrkw'), withMfa)).toEqual({ ok: true });
  });

  it('counts an emoji as one character, not two UTF-16 units', () => {
    const seven = '🔑🐢🌵🎻🚲🍄🧭';
    expect(seven).toHaveLength(14);
    expect(rejectedFor(policy.check(seven, withMfa), TOO_SHORT)).toBe(true);
    expect(policy.check(seven + '🪁', withMfa)).toEqual({ ok: true });
  });

  it('has no composition rules: an all-lower-case passphrase passes', () => {
    expect(policy.check('lantern moss quietly folding', alone)).toEqual({ ok: true });
  });
});

describe('PasswordPolicy: common and breached passwords', () => {
  it.each(['password', '123456789', 'qwerty123', 'PASSWORD', 'iloveyou'])('refuses %j', (pw) => {
    expect(rejectedFor(policy.check(pw, withMfa), COMMON)).toBe(true);
  });

  it('refuses a listed password padded with digits or symbols, and its full-width (NFKC) form', () => {
    expect(rejectedFor(policy.check('Sunshine2024!', withMfa), COMMON)).toBe(true);
    expect(rejectedFor(policy.check('ｐａｓｓｗｏｒｄ', withMfa), COMMON)).toBe(true);
  });

  it('accepts a password that is not on the list', () => {
    expect(policy.check('gravel-tulip-88', withMfa)).toEqual({ ok: true });
  });

  it('ships a lower-case list of well over 1,000 entries, none shorter than the minimum length', () => {
    const entries = COMMON_PASSWORDS_TEXT.split('\n');
    expect(entries.length).toBeGreaterThan(10_000);
    expect(entries.every((e) => e === e.toLowerCase() && e.normalize('NFKC') === e && [...e].length >= 8)).toBe(true);
    expect(new Set(entries).size).toBe(entries.length);
  });
});

describe('PasswordPolicy: context-specific words', () => {
  it('refuses a password containing the username, case-insensitively', () => {
    expect(rejectedFor(policy.check('my-ALICE-garden-2024', { mfa: true, username: 'Alice' }), USERNAME)).toBe(true);
    expect(policy.check('my-garden-path-2024', { mfa: true, username: 'Alice' })).toEqual({ ok: true });
  });

  it('looks for the local part of an e-mail username', () => {
    expect(rejectedFor(policy.check('bob.smith-rules-ok', { mfa: true, username: 'Bob.Smith@example.com' }), USERNAME)).toBe(true);
  });

  it('searches only for usernames of 3+ characters, but still refuses one as the whole password', () => {
    expect(policy.check('pale-almond-cart', { mfa: true, username: 'al' })).toEqual({ ok: true });
    expect(rejectedFor(new PasswordPolicy({ minLength: 8 }).check('zq', { mfa: true, username: 'ZQ' }), USERNAME)).toBe(true);
  });

  it('refuses the service name "langtrain", in any case and padded', () => {
    expect(reasonsOf(policy.check('langtrain', withMfa))).toEqual(['The password must not be the name of this service.']);
    expect(rejectedFor(policy.check('LangTrain2024!', withMfa), SERVICE)).toBe(true);
    expect(policy.check('langtrain-keeps-my-models-safe', withMfa)).toEqual({ ok: true });
  });

  it('takes other context words from its options', () => {
    const custom = new PasswordPolicy({ contextWords: ['langtrain', 'acmecorp'] });
    expect(rejectedFor(custom.check('AcmeCorp#1', withMfa), SERVICE)).toBe(true);
  });
});

describe('PasswordPolicy: repeated and sequential characters', () => {
  it.each(['aaaaaaaa', '12345678', '87654321', 'abcdefgh', '1234abcd', 'abababab', "asdfghjkl;'", 'zzzzzzzzzzzzzzzzzzzz'])('refuses %j', (pw) => {
    expect(rejectedFor(policy.check(pw, withMfa), TRIVIAL)).toBe(true);
  });

  it.each(['aab-fez-tiq-rov', 'ghost42-lemon', 'correct horse battery'])('accepts %j', (pw) => {
    expect(policy.check(pw, withMfa)).toEqual({ ok: true });
  });
});

describe('PasswordPolicy: reasons', () => {
  // Rejected for every rule. ("password" itself is left out: the reasons use the word.)
  const rejected = ['Password1', '123456789', 'qwerty123', 'aaaaaaaa', 'langtrain', 'Alice-in-chains', 'zq7', 'x'.repeat(200), 'Sunshine2024!', 'abc'];

  it('never contain the password, only fixed texts', () => {
    for (const pw of rejected) {
      const r = policy.check(pw, { mfa: false, username: 'alice' });
      expect(r.ok).toBe(false);
      for (const reason of reasonsOf(r)) {
        expect(reason.toLowerCase()).not.toContain(pw.toLowerCase());
      }
    }
  });

  it('list every rule broken', () => {
    expect(reasonsOf(policy.check('password', alone))).toHaveLength(2);
  });

  it('are carried by ERR_PASSWORD_REJECTED from enforce', () => {
    expect(() => policy.enforce('qwerty123', withMfa)).toThrow(expect.objectContaining({ code: 'ERR_PASSWORD_REJECTED', details: { reasons: expect.any(Array) } }));
    expect(() => policy.enforce('gravel-tulip-88', withMfa)).not.toThrow();
  });
});

describe('PasswordPolicy options', () => {
  it('refuse settings below NIST minimums and unknown options', () => {
    expect(() => new PasswordPolicy({ minLength: 6 })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION' }));
    expect(() => new PasswordPolicy({ minLengthSingleFactor: 12 })).toThrow(/minLengthSingleFactor/);
    expect(() => new PasswordPolicy({ maxLength: 63 })).toThrow(/maxLength/);
    expect(() => new PasswordPolicy({ requireDigit: true } as never)).toThrow(/unknown option requireDigit/);
  });

  it('refuse an unknown key in the context of check and enforce, never quoting the password', () => {
    // `user` for `username` would silently skip the username rule.
    const password = 'alice-rides-the-tram';
    for (const call of [() => policy.check(password, { mfa: false, user: 'alice' } as never), () => policy.enforce(password, { mfa: false, user: 'alice' } as never)]) {
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: 'PasswordPolicy context: unknown option user (supported: mfa, username)' }));
    }
    expect(rejectedFor(policy.check(password, { mfa: false, username: 'alice' }), USERNAME)).toBe(true);
  });

  it('allow stricter lengths', () => {
    const strict = new PasswordPolicy({ minLength: 12, minLengthSingleFactor: 20 });
    expect(rejectedFor(strict.check('gravel-tulip', withMfa), TOO_SHORT)).toBe(false);
    expect(rejectedFor(strict.check('gravel-tuli', withMfa), TOO_SHORT)).toBe(true);
    expect(rejectedFor(strict.check('gravel-tulip-marsh', alone), TOO_SHORT)).toBe(true);
  });
});
