import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aeadDecrypt, aeadEncrypt } from '../../src/crypto/aead.js';
import { sharedPath } from '../shared-path.js';

interface GcmVector { id: string; key: string; iv: string; pt: string | null; aad: string; ct: string; tag: string; expect: 'PASS' | 'FAIL' }
const vectors: GcmVector[] = JSON.parse(readFileSync(sharedPath('vectors/aes-256-gcm.json'), 'utf8')).vectors;
const hex = (s: string | null) => Buffer.from(s ?? '', 'hex');

describe('AES-256-GCM against published vectors (GCM spec TC13-16, NIST CAVP)', () => {
  it('has vectors of both outcomes', () => {
    expect(vectors.some((v) => v.expect === 'PASS')).toBe(true);
    expect(vectors.some((v) => v.expect === 'FAIL')).toBe(true);
  });
  for (const v of vectors) {
    it(`${v.id} ${v.expect}`, () => {
      const sealed = { nonce: hex(v.iv), ciphertext: Buffer.concat([hex(v.ct), hex(v.tag)]) };
      if (v.expect === 'PASS') {
        expect(aeadDecrypt(hex(v.key), sealed, hex(v.aad)).toString('hex')).toBe(v.pt ?? '');
        const again = aeadEncrypt(hex(v.key), hex(v.pt), hex(v.aad), hex(v.iv));
        expect(again.ciphertext.toString('hex')).toBe(v.ct + v.tag);
      } else {
        expect(() => aeadDecrypt(hex(v.key), sealed, hex(v.aad))).toThrow(/decryption failed/);
      }
    });
  }
  it('binds associated data', () => {
    const key = Buffer.alloc(32, 7);
    const sealed = aeadEncrypt(key, Buffer.from('payload'), Buffer.from('entry-1'));
    expect(aeadDecrypt(key, sealed, Buffer.from('entry-1')).toString()).toBe('payload');
    expect(() => aeadDecrypt(key, sealed, Buffer.from('entry-2'))).toThrow(expect.objectContaining({ code: 'ERR_CRYPTO_DECRYPT_FAILED' }));
  });
});
