import { readFileSync } from 'node:fs';
import { HOTP, Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { isLangtrainError } from '../../../src/core/errors.js';
import { generateTotpSecret, totpUri, verifyTotp, type TotpAlgorithm } from '../../../src/identity/mfa/totp.js';
import { sharedPath } from '../../shared-path.js';

interface Vector { unixTime: number; T: string; algorithm: TotpAlgorithm; totp: string }
const file = JSON.parse(readFileSync(sharedPath('vectors/totp-rfc6238.json'), 'utf8')) as {
  parameters: { T0: number; X: number; digits: number };
  seedsAscii: Record<TotpAlgorithm, string>;
  seedsBase32Note: string;
  vectors: Vector[];
};
const base32Of = (ascii: string) => new Secret({ buffer: new Uint8Array(Buffer.from(ascii, 'ascii')).buffer }).base32;

// An independent code source for the window tests: otpauth's HOTP at an explicit step.
const SECRET = generateTotpSecret();
const codeAt = (step: number, secret = SECRET) => HOTP.generate({ secret: Secret.fromBase32(secret), counter: step });
const STEP = 56_000_000; // a step in 2023; times below are inside it
const at = (step: number, offsetMs = 0) => step * 30_000 + offsetMs;

describe('verifyTotp against RFC 6238 Appendix B', () => {
  it('reads the vector file as expected', () => {
    expect(file.parameters).toMatchObject({ T0: 0, X: 30, digits: 8 });
    expect(file.vectors).toHaveLength(18);
    // The note's base32 for the SHA1 seed agrees with our conversion.
    expect(file.seedsBase32Note).toContain(base32Of(file.seedsAscii.SHA1));
  });

  for (const v of file.vectors) {
    it(`${v.algorithm} at ${v.unixTime} → ${v.totp}`, () => {
      const secret = base32Of(file.seedsAscii[v.algorithm]);
      const result = verifyTotp({ secret, code: v.totp, now: v.unixTime * 1000, algorithm: v.algorithm, digits: 8, window: 0 });
      expect(result).toEqual({ ok: true, step: Number.parseInt(v.T, 16) });
      // One digit off fails: the vector is not accepted by accident.
      const wrong = v.totp.slice(0, 7) + String((Number(v.totp[7]) + 1) % 10);
      expect(verifyTotp({ secret, code: wrong, now: v.unixTime * 1000, algorithm: v.algorithm, digits: 8, window: 0 }).ok).toBe(false);
    });
  }

  it('uses the algorithm asked for: a SHA256 code does not verify as SHA1', () => {
    const v = file.vectors.find((x) => x.algorithm === 'SHA256')!;
    const secret = base32Of(file.seedsAscii.SHA256);
    expect(verifyTotp({ secret, code: v.totp, now: v.unixTime * 1000, digits: 8 })).toMatchObject({ ok: false, reason: 'mismatch' });
  });
});

describe('verifyTotp replay refusal', () => {
  it('refuses the same code once its step is stored, and any earlier step', () => {
    const now = at(STEP, 10_000);
    const first = verifyTotp({ secret: SECRET, code: codeAt(STEP), now });
    expect(first).toEqual({ ok: true, step: STEP });
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP), now, lastUsedStep: first.step })).toEqual({ ok: false, step: null, reason: 'used' });
    // The previous step's code is still in the window but also consumed.
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP - 1), now, lastUsedStep: STEP })).toMatchObject({ ok: false, reason: 'used' });
    // A later code in the window is fine; after it, the current one is consumed too.
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP + 1), now, lastUsedStep: STEP })).toEqual({ ok: true, step: STEP + 1 });
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP), now, lastUsedStep: STEP + 1 })).toMatchObject({ ok: false, reason: 'used' });
  });

  it('still refuses the code 30 s later, while it is in the window as the previous step', () => {
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP), now: at(STEP + 1, 5_000), lastUsedStep: STEP })).toMatchObject({ ok: false, reason: 'used' });
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP + 1), now: at(STEP + 1, 5_000), lastUsedStep: STEP })).toEqual({ ok: true, step: STEP + 1 });
  });

  it('credits a code valid at two steps to the later one, so the same digits cannot be used twice', () => {
    // Steps 910737 and 910738 of the RFC's SHA1 seed both give 911617 (found by a one-off
    // search; adjacent repeats happen about once per million steps).
    const secret = base32Of(file.seedsAscii.SHA1);
    const key = Secret.fromBase32(secret);
    const s = 910_737;
    expect(HOTP.generate({ secret: key, counter: s })).toBe('911617');
    expect(HOTP.generate({ secret: key, counter: s + 1 })).toBe('911617');
    const code = HOTP.generate({ secret: key, counter: s });
    const first = verifyTotp({ secret, code, now: at(s, 1_000) });
    expect(first).toEqual({ ok: true, step: s + 1 });
    expect(verifyTotp({ secret, code, now: at(s + 1, 1_000), lastUsedStep: first.step })).toMatchObject({ ok: false, reason: 'used' });
  });
});

describe('verifyTotp window edges', () => {
  it('accepts the current step and one either side, not two', () => {
    const now = at(STEP, 15_000);
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP), now })).toEqual({ ok: true, step: STEP });
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP - 1), now })).toEqual({ ok: true, step: STEP - 1 });
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP + 1), now })).toEqual({ ok: true, step: STEP + 1 });
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP - 2), now })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP + 2), now })).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('moves at the exact step boundary (last millisecond vs first)', () => {
    const code = codeAt(STEP - 1);
    expect(verifyTotp({ secret: SECRET, code, now: at(STEP + 1) - 1 })).toEqual({ ok: true, step: STEP - 1 });
    expect(verifyTotp({ secret: SECRET, code, now: at(STEP + 1) })).toMatchObject({ ok: false, reason: 'mismatch' });
    const future = codeAt(STEP + 2);
    expect(verifyTotp({ secret: SECRET, code: future, now: at(STEP + 1) - 1 })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifyTotp({ secret: SECRET, code: future, now: at(STEP + 1) })).toEqual({ ok: true, step: STEP + 2 });
  });

  it('takes the time as a Date too, and a window of 0 accepts only the current step', () => {
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP), now: new Date(at(STEP, 1)) })).toEqual({ ok: true, step: STEP });
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP - 1), now: at(STEP), window: 0 }).ok).toBe(false);
    expect(verifyTotp({ secret: SECRET, code: codeAt(STEP - 2), now: at(STEP), window: 2 })).toEqual({ ok: true, step: STEP - 2 });
  });

  it('does not look before step 0', () => {
    expect(verifyTotp({ secret: SECRET, code: codeAt(0), now: 0 })).toEqual({ ok: true, step: 0 });
    expect(verifyTotp({ secret: SECRET, code: codeAt(1), now: 0 })).toEqual({ ok: true, step: 1 });
  });

  it('uses the current time by default', () => {
    const step = Math.floor(Date.now() / 30_000);
    const result = verifyTotp({ secret: SECRET, code: codeAt(step) });
    expect(result.ok).toBe(true);
    expect([step, step + 1]).toContain(result.step); // the step may turn over between the two lines
  });

  it('refuses a code made with another secret', () => {
    const mine = base32Of(file.seedsAscii.SHA1);
    const theirs = base32Of(file.seedsAscii.SHA256); // a different key, used here with SHA1
    const code = codeAt(STEP, theirs);
    expect([STEP - 1, STEP, STEP + 1].map((s) => codeAt(s, mine))).not.toContain(code);
    expect(verifyTotp({ secret: mine, code, now: at(STEP) })).toMatchObject({ ok: false, reason: 'mismatch' });
  });
});

describe('verifyTotp malformed input', () => {
  const now = at(STEP, 1_000);
  const good = codeAt(STEP);
  it.each([
    ['empty', ''],
    ['too short', good.slice(0, 5)],
    ['too long', `${good}0`],
    ['letters', 'abcdef'],
    ['sign', `+${good.slice(1)}`],
    ['decimal point', `${good.slice(0, 3)}.${good.slice(4)}`],
    ['non-ASCII digits', '١٢٣٤٥٦'],
    ['full-width digits', '１２３４５６'],
    ['tab inside', `${good.slice(0, 3)}\t${good.slice(3)}`],
    ['newline after', `${good}\n`],
  ])('refuses %s as malformed', (_name, code) => {
    expect(verifyTotp({ secret: SECRET, code, now })).toEqual({ ok: false, step: null, reason: 'malformed' });
  });

  it('refuses a non-string code as malformed rather than throwing', () => {
    expect(verifyTotp({ secret: SECRET, code: 123456 as unknown as string, now })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyTotp({ secret: SECRET, code: undefined as unknown as string, now })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('ignores ASCII spaces, as apps display "123 456"', () => {
    expect(verifyTotp({ secret: SECRET, code: `${good.slice(0, 3)} ${good.slice(3)}`, now })).toEqual({ ok: true, step: STEP });
  });

  it('rejects bad secrets and options with ERR_INVALID_INPUT (a server fault, not a wrong code)', () => {
    const cases: Array<Parameters<typeof verifyTotp>[0]> = [
      { secret: 'not base32!', code: good, now },
      { secret: 'GEZDGNBVGY3TQOJQ', code: good, now }, // 80 bits: below RFC 4226's 128
      { secret: SECRET, code: good, now, digits: 5 },
      { secret: SECRET, code: good, now, algorithm: 'MD5' as TotpAlgorithm },
      { secret: SECRET, code: good, now, period: 0 },
      { secret: SECRET, code: good, now, window: -1 },
      { secret: SECRET, code: good, now, window: 1.5 },
      { secret: SECRET, code: good, now, lastUsedStep: -1 },
      { secret: SECRET, code: good, now: Number.NaN },
    ];
    for (const options of cases) {
      expect(() => verifyTotp(options), JSON.stringify(options)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    }
    try {
      verifyTotp({ secret: 'not base32!', code: good, now });
    } catch (err) {
      expect(isLangtrainError(err, 'ERR_INVALID_INPUT')).toBe(true);
      expect((err as Error).message).not.toContain('not base32!');
    }
  });
});

describe('generateTotpSecret', () => {
  it('makes 160-bit base32 secrets, each different', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => generateTotpSecret()));
    expect(secrets.size).toBe(1000);
    for (const s of secrets) {
      expect(s).toMatch(/^[A-Z2-7]{32}$/);
      expect(Secret.fromBase32(s).bytes).toHaveLength(20);
    }
  });
});

describe('totpUri', () => {
  it('builds the Key Uri Format an authenticator app scans', () => {
    const secret = base32Of(file.seedsAscii.SHA1);
    const uri = totpUri({ issuer: 'LangTrain', account: 'ada@example.com', secret });
    expect(uri).toBe(`otpauth://totp/LangTrain:ada%40example.com?issuer=LangTrain&secret=${secret}&algorithm=SHA1&digits=6&period=30`);
    const parsed = new URL(uri);
    expect(parsed.protocol).toBe('otpauth:');
    expect(parsed.searchParams.get('secret')).toBe(secret);
  });

  it('escapes spaces and passes non-default parameters through', () => {
    const uri = totpUri({ issuer: 'Lang Train', account: 'ada', secret: SECRET, algorithm: 'SHA256', digits: 8, period: 60 });
    expect(uri).toMatch(/^otpauth:\/\/totp\/Lang%20Train:ada\?issuer=Lang%20Train&/);
    expect(uri).toContain('algorithm=SHA256&digits=8&period=60');
  });

  it('refuses a colon or an empty issuer or account, and a bad secret', () => {
    expect(() => totpUri({ issuer: 'Lang:Train', account: 'ada', secret: SECRET })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    expect(() => totpUri({ issuer: 'LangTrain', account: 'a:b', secret: SECRET })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    expect(() => totpUri({ issuer: ' ', account: 'ada', secret: SECRET })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    expect(() => totpUri({ issuer: 'LangTrain', account: 'ada', secret: '0000' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });
});
