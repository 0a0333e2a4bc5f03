import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isLangtrainError, type ErrorCode } from '../../src/core/errors.js';
import { aeadDecrypt, aeadEncrypt } from '../../src/crypto/aead.js';
import type { KeyEncryptionKey } from '../../src/crypto/kms/key-encryption-key.js';
import { openPkcs11Kek, type Pkcs11KekOptions } from '../../src/crypto/kms/pkcs11.js';
import { formatPkcs11Uri, parsePkcs11Uri } from '../../src/crypto/kms/pkcs11-uri.js';
import { createSoftHsmToken, type SoftHsmToken } from '../support/softhsm.js';

let token: SoftHsmToken;
const opened: KeyEncryptionKey[] = [];

beforeAll(() => {
  token = createSoftHsmToken('langtrain-kek-test');
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((kek) => kek.close()));
});
afterAll(() => token?.cleanup());

const label = () => `kek-${randomBytes(4).toString('hex')}`;

async function open(options: Partial<Pkcs11KekOptions> = {}): Promise<KeyEncryptionKey> {
  const kek = await openPkcs11Kek({ modulePath: token.modulePath, tokenLabel: token.tokenLabel, pin: token.pin, keyLabel: label(), createIfMissing: true, ...options });
  opened.push(kek);
  return kek;
}

async function failure(code: ErrorCode, run: () => Promise<unknown>): Promise<Error & { code: string; details: Record<string, unknown> }> {
  try {
    await run();
  } catch (err) {
    if (isLangtrainError(err, code)) return err as never;
    throw new Error(`expected ${code}, got ${String(err)}`, { cause: err });
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

/**
 * The token seen directly through the binding, past our code: to prove what the token
 * itself allows, and to plant keys our code would never make.
 */
function withRawSession<T>(run: (p: pkcs11js.PKCS11, session: Buffer) => T): T {
  const p = new pkcs11js.PKCS11();
  p.load(token.modulePath);
  let owns = true;
  try {
    p.C_Initialize();
  } catch (err) {
    if (!String(err).includes('CKR_CRYPTOKI_ALREADY_INITIALIZED')) throw err;
    owns = false;
  }
  const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trim() === token.tokenLabel)!;
  const session = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    try {
      p.C_Login(session, pkcs11js.CKU_USER, token.pin);
    } catch (err) {
      if (!String(err).includes('CKR_USER_ALREADY_LOGGED_IN')) throw err;
    }
    return run(p, session);
  } finally {
    p.C_CloseSession(session);
    if (owns) p.C_Finalize();
  }
}

function findByLabel(p: pkcs11js.PKCS11, session: Buffer, keyLabel: string): Buffer[] {
  p.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: keyLabel }]);
  const found = p.C_FindObjects(session, 10);
  p.C_FindObjectsFinal(session);
  return found;
}

function plantAesKey(keyLabel: string, value: Buffer, extractable: boolean): void {
  withRawSession((p, session) =>
    p.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_VALUE, value },
      { type: pkcs11js.CKA_LABEL, value: keyLabel },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: !extractable },
      { type: pkcs11js.CKA_EXTRACTABLE, value: extractable },
      { type: pkcs11js.CKA_ENCRYPT, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: true },
    ]),
  );
}

describe('PKCS#11 KEK (SoftHSM2)', () => {
  it('generates the key in the token and round-trips data keys of 16 to 64 bytes', async () => {
    const kek = await open();
    const context = Buffer.from('tenant-1/dataset-7');
    for (const size of [16, 32, 64]) {
      const dataKey = randomBytes(size);
      const wrapped = await kek.wrap(dataKey, context);
      expect(wrapped.length).toBe(12 + size + 16);
      expect(wrapped.includes(dataKey)).toBe(false);
      expect(await kek.unwrap(wrapped, context)).toEqual(dataKey);
    }
    const dataKey = randomBytes(32);
    // A fresh IV per wrap: the same key wrapped twice gives two different outputs.
    expect((await kek.wrap(dataKey, context)).equals(await kek.wrap(dataKey, context))).toBe(false);
    expect(await kek.unwrap(await kek.wrap(dataKey, new Uint8Array()), new Uint8Array())).toEqual(dataKey);
  });

  it('rejects a data key outside 16..64 bytes', async () => {
    const kek = await open();
    await failure('ERR_INVALID_INPUT', () => kek.wrap(randomBytes(15), Buffer.from('c')));
    await failure('ERR_INVALID_INPUT', () => kek.wrap(randomBytes(65), Buffer.from('c')));
  });

  it('fails to unwrap with another context', async () => {
    const kek = await open();
    const wrapped = await kek.wrap(randomBytes(32), Buffer.from('record-1'));
    const err = await failure('ERR_CRYPTO_DECRYPT_FAILED', () => kek.unwrap(wrapped, Buffer.from('record-2')));
    expect(err.message).toContain(kek.uri);
    await failure('ERR_CRYPTO_DECRYPT_FAILED', () => kek.unwrap(wrapped, new Uint8Array()));
  });

  it('fails to unwrap a tampered or truncated wrapped key, and the session stays usable', async () => {
    const kek = await open();
    const dataKey = randomBytes(32);
    const wrapped = await kek.wrap(dataKey, Buffer.from('ctx'));
    for (const at of [0, 11, 12, 30, wrapped.length - 16, wrapped.length - 1]) {
      const tampered = Buffer.from(wrapped);
      tampered[at]! ^= 0x01;
      await failure('ERR_CRYPTO_DECRYPT_FAILED', () => kek.unwrap(tampered, Buffer.from('ctx')));
    }
    await failure('ERR_CRYPTO_DECRYPT_FAILED', () => kek.unwrap(wrapped.subarray(0, wrapped.length - 1), Buffer.from('ctx')));
    await failure('ERR_CRYPTO_DECRYPT_FAILED', () => kek.unwrap(wrapped.subarray(0, 20), Buffer.from('ctx')));
    expect(await kek.unwrap(wrapped, Buffer.from('ctx'))).toEqual(dataKey);
  });

  it('finds the same key after reopening: data wrapped before unwraps after', async () => {
    const keyLabel = label();
    const first = await open({ keyLabel });
    const dataKey = randomBytes(32);
    const wrapped = await first.wrap(dataKey, Buffer.from('ctx'));
    await first.close();
    const again = await open({ keyLabel, createIfMissing: false });
    expect(again.uri).toBe(first.uri);
    expect(await again.unwrap(wrapped, Buffer.from('ctx'))).toEqual(dataKey);
    // Another key on the same token cannot unwrap it.
    const other = await open();
    await failure('ERR_CRYPTO_DECRYPT_FAILED', () => other.unwrap(wrapped, Buffer.from('ctx')));
    expect(withRawSession((p, s) => findByLabel(p, s, keyLabel).length)).toBe(1);
  });

  it('reports a wrong PIN clearly, without the PIN', async () => {
    const wrongPin = `wrong-${randomBytes(6).toString('hex')}`;
    const err = await failure('ERR_KMS_LOGIN_FAILED', () => open({ pin: wrongPin }));
    expect(err.message).toMatch(/CKR_PIN_INCORRECT/);
    expect(err.message).toContain(token.tokenLabel);
    for (const text of [err.message, err.stack ?? '', JSON.stringify(err.details), String(err.cause ?? '')]) {
      expect(text).not.toContain(wrongPin);
      expect(text).not.toContain(token.pin);
    }
    // The failed open released the module: the right PIN works straight after.
    await open();
  });

  it('reports a missing key as ERR_KMS_KEY_NOT_FOUND when not asked to create it', async () => {
    const err = await failure('ERR_KMS_KEY_NOT_FOUND', () => open({ keyLabel: 'no-such-key', createIfMissing: false }));
    expect(err.message).toContain('pkcs11:token=langtrain-kek-test;object=no-such-key');
  });

  it('reports a missing module or token as ERR_KMS_UNAVAILABLE', async () => {
    await failure('ERR_KMS_UNAVAILABLE', () => open({ modulePath: '/nonexistent/libpkcs11.so' }));
    const err = await failure('ERR_KMS_UNAVAILABLE', () => open({ tokenLabel: 'no-such-token' }));
    expect(err.message).toContain('no token labelled "no-such-token"');
  });

  it('validates its options once, without echoing the PIN', async () => {
    const err = await failure('ERR_INVALID_INPUT', () => openPkcs11Kek({ modulePath: token.modulePath, tokenLabel: 'x'.repeat(33), pin: token.pin, keyLabel: 'k', surprise: 1 } as never));
    expect(err.message).toMatch(/tokenLabel/);
    expect(err.message).not.toContain(token.pin);
  });

  it('keeps the key inside the token: the value cannot be read, exported or made extractable', async () => {
    const kek = await open();
    const keyLabel = parsePkcs11Uri(kek.uri).keyLabel;
    await kek.close();
    withRawSession((p, session) => {
      const [key] = findByLabel(p, session, keyLabel);
      expect(key).toBeDefined();
      expect(() => p.C_GetAttributeValue(session, key!, [{ type: pkcs11js.CKA_VALUE }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
      const flags = p
        .C_GetAttributeValue(session, key!, [
          { type: pkcs11js.CKA_EXTRACTABLE },
          { type: pkcs11js.CKA_SENSITIVE },
          { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
          { type: pkcs11js.CKA_ALWAYS_SENSITIVE },
          { type: pkcs11js.CKA_LOCAL },
          { type: pkcs11js.CKA_TOKEN },
        ])
        .map((a) => (a.value as Buffer)[0] === 1);
      // Not extractable now, never was, and generated by the token itself (CKA_LOCAL).
      expect(flags).toEqual([false, true, true, true, true, true]);
      // Not even wrapped out under another key the token holds.
      const wrappingKey = p.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_WRAP, value: true },
      ]);
      expect(() => p.C_WrapKey(session, { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD }, wrappingKey, key!, Buffer.alloc(128))).toThrow(/CKR_KEY_UNEXTRACTABLE/);
      expect(() => p.C_SetAttributeValue(session, key!, [{ type: pkcs11js.CKA_EXTRACTABLE, value: true }])).toThrow(/CKR_/);
      expect(() => p.C_SetAttributeValue(session, key!, [{ type: pkcs11js.CKA_SENSITIVE, value: false }])).toThrow(/CKR_/);
    });
  });

  it('refuses an existing key that is extractable', async () => {
    const keyLabel = label();
    plantAesKey(keyLabel, randomBytes(32), true);
    const err = await failure('ERR_KMS_KEY_NOT_FOUND', () => open({ keyLabel }));
    expect(err.details.problems).toEqual(['not sensitive', 'extractable']);
  });

  it('writes standard AES-256-GCM (iv || ciphertext || tag, context as associated data)', async () => {
    // An imported key whose value the test knows, so node:crypto can check the token's output.
    const keyLabel = label();
    const known = randomBytes(32);
    plantAesKey(keyLabel, known, false);
    const kek = await open({ keyLabel, createIfMissing: false });
    const dataKey = randomBytes(32);
    const context = Buffer.from('row-42/field-ssn');
    const wrapped = await kek.wrap(dataKey, context);
    expect(aeadDecrypt(known, { nonce: wrapped.subarray(0, 12), ciphertext: wrapped.subarray(12) }, context)).toEqual(dataKey);
    const sealed = aeadEncrypt(known, dataKey, context);
    expect(await kek.unwrap(Buffer.concat([sealed.nonce, sealed.ciphertext]), context)).toEqual(dataKey);
  });

  it('serializes concurrent calls on one session', async () => {
    const kek = await open();
    const keys = Array.from({ length: 64 }, () => randomBytes(32));
    const wrapped = await Promise.all(keys.map((k, i) => kek.wrap(k, Buffer.from(`ctx-${i}`))));
    const mixed = await Promise.allSettled(wrapped.map((w, i) => kek.unwrap(w, Buffer.from(`ctx-${i % 2 === 0 ? i : i + 1}`))));
    mixed.forEach((result, i) => {
      if (i % 2 === 0) expect(result.status === 'fulfilled' && result.value.equals(keys[i]!)).toBe(true);
      else expect(result.status === 'rejected' && isLangtrainError(result.reason, 'ERR_CRYPTO_DECRYPT_FAILED')).toBe(true);
    });
  });

  it('finishes queued calls on close, then refuses new ones', async () => {
    const kek = await open();
    const pending = Array.from({ length: 8 }, () => kek.wrap(randomBytes(32), Buffer.from('c')));
    await kek.close();
    expect((await Promise.all(pending)).every((w) => w.length === 60)).toBe(true);
    await failure('ERR_KMS_UNAVAILABLE', () => kek.wrap(randomBytes(32), Buffer.from('c')));
    await kek.close();
  });

  it('shares one initialized module between KEKs: closing one leaves the other working', async () => {
    const a = await open();
    const b = await open();
    await a.close();
    const dataKey = randomBytes(32);
    expect(await b.unwrap(await b.wrap(dataKey, Buffer.from('c')), Buffer.from('c'))).toEqual(dataKey);
  });
});

describe('parsePkcs11Uri (RFC 7512)', () => {
  it('reads token, object, module path and PIN', () => {
    expect(parsePkcs11Uri('pkcs11:token=langtrain;object=kek-1?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234')).toEqual({
      tokenLabel: 'langtrain',
      keyLabel: 'kek-1',
      modulePath: '/usr/lib/softhsm/libsofthsm2.so',
      pin: '1234',
    });
    expect(parsePkcs11Uri('pkcs11:object=kek-1;type=secret-key;token=langtrain')).toEqual({ tokenLabel: 'langtrain', keyLabel: 'kek-1' });
  });

  it('takes the PIN from the environment with pin-source=env:NAME', () => {
    expect(parsePkcs11Uri('pkcs11:token=t;object=k?pin-source=env:HSM_PIN', { HSM_PIN: 's3cret' }).pin).toBe('s3cret');
    const err = (() => {
      try {
        parsePkcs11Uri('pkcs11:token=t;object=k?pin-source=env:HSM_PIN', {});
      } catch (e) {
        return e;
      }
    })();
    expect(isLangtrainError(err, 'ERR_CONFIG_INVALID')).toBe(true);
  });

  it('decodes percent-encoding and round-trips the KEK uri', () => {
    expect(parsePkcs11Uri('pkcs11:token=My%20Token;object=k%C3%A9k%3B1').tokenLabel).toBe('My Token');
    const uri = formatPkcs11Uri('My Token', 'kék;1/a?b');
    expect(uri).toBe('pkcs11:token=My%20Token;object=k%C3%A9k%3B1%2Fa%3Fb');
    expect(parsePkcs11Uri(uri)).toEqual({ tokenLabel: 'My Token', keyLabel: 'kék;1/a?b' });
  });

  it.each([
    ['not a pkcs11 URI', 'file:/etc/kek', 'ERR_INVALID_INPUT'],
    ['no object', 'pkcs11:token=t', 'ERR_INVALID_INPUT'],
    ['an empty token', 'pkcs11:token=;object=k', 'ERR_INVALID_INPUT'],
    ['a repeated attribute', 'pkcs11:token=t;token=u;object=k', 'ERR_INVALID_INPUT'],
    ['an attribute without a value', 'pkcs11:token;object=k', 'ERR_INVALID_INPUT'],
    ['a raw space', 'pkcs11:token=a b;object=k', 'ERR_INVALID_INPUT'],
    ['bad percent-encoding', 'pkcs11:token=%E9;object=k', 'ERR_INVALID_INPUT'],
    ['both PIN forms', 'pkcs11:token=t;object=k?pin-value=1&pin-source=env:X', 'ERR_INVALID_INPUT'],
    ['a narrowing attribute we would ignore', 'pkcs11:token=t;object=k;serial=42', 'ERR_CONFIG_UNSUPPORTED_OPTION'],
    ['another object type', 'pkcs11:token=t;object=k;type=private', 'ERR_CONFIG_UNSUPPORTED_OPTION'],
    ['module-name', 'pkcs11:token=t;object=k?module-name=softhsm2', 'ERR_CONFIG_UNSUPPORTED_OPTION'],
    ['a file pin-source', 'pkcs11:token=t;object=k?pin-source=file:/etc/pin', 'ERR_CONFIG_UNSUPPORTED_OPTION'],
  ])('refuses %s', (_what, uri, code) => {
    expect(() => parsePkcs11Uri(uri, {})).toThrow(expect.objectContaining({ code }));
  });

  it('never puts a pin-value in an error message', () => {
    for (const uri of ['pkcs11:token=t;object=k;id=%01?pin-value=hunter2', 'pkcs11:token=t?pin-value=hunter2', 'pkcs11:token=t;object=k?pin-value=hunter2 x', 'pkcs11:token=t;object=k?pin-value=hunter2&pin-value=hunter2']) {
      expect(() => parsePkcs11Uri(uri, {})).toThrow();
      try {
        parsePkcs11Uri(uri, {});
      } catch (err) {
        expect(String((err as Error).message)).not.toContain('hunter2');
      }
    }
  });
});
